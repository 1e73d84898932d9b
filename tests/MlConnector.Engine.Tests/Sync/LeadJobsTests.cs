using System.Text.Json;
using MlConnector.Engine.Marketo;
using MlConnector.Engine.State;
using MlConnector.Engine.Sync;
using MlConnector.Engine.Sync.MarketoToBc;

namespace MlConnector.Engine.Tests.Sync;

/// <summary>Reverse-flow helpers: a lead's work-queue job and its key, and how a lead's result reads as a plan row.</summary>
public sealed class LeadJobsTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 1, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_lead_job_is_keyed_on_the_lead_id_and_round_trips_its_fields()
    {
        var lead = new MarketoLead { Id = 4711, Fields = new Dictionary<string, string?> { ["email"] = "a@b.example", ["title"] = null }, ReadBy = MarketoLead.ByChangeFeed };

        var job = LeadJobs.ToJob(lead, Now);
        var back = LeadJobs.FromJob(job);

        Assert.Equal(("Lead:4711", "Contact", "Lead", "4711"), (job.JobId, job.TargetType, job.SourceType, job.SourceNumber));
        Assert.Equal((4711L, "a@b.example", MarketoLead.ByChangeFeed), (back.Id, back["EMAIL"], back.ReadBy));
    }

    [Fact]
    public void An_empty_job_payload_is_refused_naming_the_job()
    {
        var job = LeadJobs.ToJob(new MarketoLead { Id = 7, Fields = new Dictionary<string, string?>() }, Now) with { Payload = "null" };

        var error = Assert.Throws<InvalidDataException>(() => LeadJobs.FromJob(job));

        Assert.Equal("An empty job payload in the work queue: Lead:7", error.Message);
    }

    [Theory]
    [InlineData(SyncAction.Unchanged, PlannedAction.Unchanged)]
    [InlineData(SyncAction.Skipped, PlannedAction.Skip)]
    [InlineData(SyncAction.Failed, PlannedAction.Skip)]
    public void A_lead_result_plans_as_unchanged_or_skipped(SyncAction action, PlannedAction planned)
    {
        var result = new SyncResult { SourceType = "Lead", SourceNumber = "9", TargetType = "Contact", TargetKey = "CT1", Action = action, Reason = "why", MarketoId = 9, CorrelationId = "c" };

        var row = LeadResults.Row(result);

        Assert.Equal((planned, "Lead", "9", "Contact", "CT1", "why", (long?)9), (row.Action, row.SourceType, row.SourceNumber, row.TargetType, row.TargetKey, row.Reason, row.MarketoId));
    }
}
