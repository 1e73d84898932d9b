using System.Text.Json;
using MlConnector.Engine.Mapping;
using MlConnector.Engine.State;
using MlConnector.Engine.Sync;
using MlConnector.Engine.Tests.Marketo;

namespace MlConnector.Engine.Tests.Sync;

/// <summary>
/// Write batches go out several at a time, and the order guarantees still hold with the sandbox's concurrent-upsert
/// hazard switched on (an upsert of a new lead in flight beside another of the same email creates it twice): no email or
/// externalCompanyId is in two calls in flight together, even when the queue holds two jobs for one email, and every
/// company call has answered before the first lead call starts. Not a timing test: the write log's event order decides.
/// </summary>
public sealed class PipelinedSendingTests
{
    [Fact]
    public async Task Batches_in_flight_together_never_share_a_key_and_companies_are_written_before_any_lead()
    {
        // A processing delay inside Marketo's gate, so calls sent together are in flight together in the write log's order.
        await using var sandbox = await SyncSandbox.StartAsync(customers: 900, configure: o =>
        {
            o.Marketo.ConcurrentUpsertDuplicates = true;
            o.Marketo.ProcessingDelay = TimeSpan.FromMilliseconds(150);
        });
        var twins = QueueSecondJobsForEmailsTheRunWillSend(sandbox, 40);

        // Chunks of 1,000 records: each planned chunk makes several full batches at once.
        var results = await sandbox.RunAsync(batchesInFlight: 5, chunkSize: 1000);

        var calls = sandbox.Host.Marketo.Writes.Snapshot();
        var leadCalls = calls.Where(c => c.Object == "lead").ToList();
        var companyCalls = calls.Where(c => c.Object == "company").ToList();
        Assert.True(companyCalls.Count >= 3 && leadCalls.Count >= 6, $"{companyCalls.Count} company and {leadCalls.Count} lead calls are too few to overlap");
        Assert.True(leadCalls.Any(a => leadCalls.Any(b => a.Id < b.Id && a.Overlaps(b))), "no two lead calls were in flight together: nothing was pipelined");
        Assert.Empty(InFlightKeyTests.SharedKeysInFlight(calls));
        var lastCompanyAnswer = companyCalls.Max(c => c.CompletedOrder!.Value);
        Assert.All(leadCalls, c => Assert.True(c.ReceivedOrder > lastCompanyAnswer, $"lead call {c.Id} started before every company call had answered"));

        var (companies, emails) = sandbox.Expected();
        Assert.All(emails, e => Assert.Single(sandbox.Host.Marketo.LeadsByEmail(e)));
        Assert.All(companies, n => Assert.NotNull(sandbox.Host.Marketo.CompanyByExternalId(n)));
        Assert.Equal(0, sandbox.State.Queue(SyncDirection.BcToMarketo).Count(QueuedJobStatus.Pending));
        Assert.All(twins, t => Assert.Contains(results, r => r.SourceNumber == t && r.Action is SyncAction.Created or SyncAction.Updated));
    }

    /// <summary>
    /// Pending jobs, as if queued by an earlier run, for other BC numbers with emails of contacts the run will send too:
    /// the queue then holds two jobs for one email, which the planner alone cannot prevent.
    /// </summary>
    private static List<string> QueueSecondJobsForEmailsTheRunWillSend(SyncSandbox sandbox, int count)
    {
        var (_, emails) = sandbox.Expected();
        var now = sandbox.Host.Clock.GetUtcNow();
        var twins = emails.Order(StringComparer.Ordinal).Take(count).Select((email, i) => (Number: $"TWIN{i:D4}", Email: email)).ToList();
        sandbox.State.Queue(SyncDirection.BcToMarketo).Enqueue(twins.Select(t => new QueuedJob("Contact:" + t.Number, MarketoRecord.Lead, "Contact", t.Number,
            JsonSerializer.Serialize(new { Key = t.Email, Hash = "twin", Fields = new Dictionary<string, object?> { ["email"] = t.Email, ["title"] = "Twin" } }),
            QueuedJobStatus.Pending, 0, null, now, now)), now);
        return twins.Select(t => t.Number).ToList();
    }
}
