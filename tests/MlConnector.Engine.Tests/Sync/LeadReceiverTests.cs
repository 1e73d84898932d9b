using System.Text.Json;
using System.Text.RegularExpressions;
using MlConnector.Engine.Diagnostics;
using MlConnector.Engine.Mapping;
using MlConnector.Engine.Marketo;
using MlConnector.Engine.State;
using MlConnector.Engine.Sync;
using MlConnector.Engine.Sync.MarketoToBc;
using MlConnector.Sandbox.Core;
using static MlConnector.Engine.Tests.Sync.ReverseSandbox;

namespace MlConnector.Engine.Tests.Sync;

/// <summary>
/// The read side of the reverse flow: where a read starts, the steps it hands on and the watermark saved between them,
/// a stored feed position Marketo refuses, deleted leads, the fields asked for, and the request, result and job helpers.
/// </summary>
public sealed partial class LeadReceiverTests
{
    [GeneratedRegex(@"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$")]
    private static partial Regex UtcText();

    private static async Task<List<ReceivedLeads>> StepsAsync(LeadReceiver receiver, LeadReceiveRequest request)
    {
        var steps = new List<ReceivedLeads>();
        await foreach (var step in receiver.ReceiveAsync(request, CancellationToken.None)) steps.Add(step);
        return steps;
    }

    private static IEnumerable<string> Warnings(SyncSandbox sandbox, string code)
        => sandbox.Log.Lines.Where(l => l.StartsWith("WARNING " + code + " ", StringComparison.Ordinal));

    /// <summary>The decoded query of every Get Lead Changes call.</summary>
    private static List<string> FeedQueries(SyncSandbox sandbox)
        => sandbox.Host.Journal.For(SandboxService.Marketo).Where(e => e.Path.Contains("leadchanges", StringComparison.Ordinal))
            .Select(e => Uri.UnescapeDataString(e.Path)).ToList();

    [Fact]
    public async Task A_null_request_is_refused_as_an_argument()
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 0);

        await Assert.ThrowsAsync<ArgumentNullException>(() => StepsAsync(sandbox.Receiver(sandbox.Context()), null!));
    }

    /// <summary>Where a backfill says it starts; the read is stopped after its first 31-day window (all history would be about 250 exports).</summary>
    private static async Task<string> BackfillStartAsync(SyncSandbox sandbox, LeadReceiveRequest request)
    {
        using var stop = new CancellationTokenSource();
        var context = sandbox.Context(progress: new Hook(p => { if (p.Phase.StartsWith("Backfill", StringComparison.Ordinal)) stop.Cancel(); }));
        try
        {
            await foreach (var _ in sandbox.Receiver(context).ReceiveAsync(request, stop.Token)) { }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
        Assert.True(stop.IsCancellationRequested);
        const string Prefix = "VERBOSE Backfill of Marketo leads from ";
        return Assert.Single(sandbox.Log.Lines, l => l.StartsWith(Prefix, StringComparison.Ordinal))[Prefix.Length..];
    }

    [Fact]
    public async Task Full_without_since_starts_at_the_beginning_of_Marketo_history()
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 0);

        Assert.StartsWith("2006-01-01 00:00:00Z to ", await BackfillStartAsync(sandbox, Request(full: true)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Full_with_since_starts_at_since()
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 0);
        var since = sandbox.Host.Clock.GetUtcNow().AddHours(-1);

        Assert.StartsWith(LeadReceiver.Utc(since) + " to ", await BackfillStartAsync(sandbox, Request(since, full: true)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Since_wins_over_a_stored_watermark()
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 0);
        var since = sandbox.Host.Clock.GetUtcNow().AddMinutes(-1);
        var lead = sandbox.MarketingLead("again@receiver-test.example", "Again Co");
        Assert.Equal([lead], (await sandbox.ReceiveAsync(Request(since))).Select(l => l.Id));
        Assert.NotNull(sandbox.State.Checkpoints.GetWatermark(SyncCheckpoints.LeadChanges));

        var again = await sandbox.ReceiveAsync(Request(since));

        Assert.Equal([lead], again.Select(l => l.Id));
    }

    [Fact]
    public async Task A_first_read_without_since_says_from_when_it_reads_and_how_to_start_earlier()
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 0);

        Assert.Empty(await sandbox.ReceiveAsync(Request()));

        var warning = Assert.Single(Warnings(sandbox, EngineWarnings.LeadChangesFromNow));
        var now = Regex.Match(warning, @"reading starts now \(([^)]*)\), so leads changed before are not imported\.");
        Assert.True(now.Success, warning);
        Assert.Matches(UtcText(), now.Groups[1].Value);
        Assert.EndsWith("To start earlier, pass -Since <date>; to import every lead once, run Receive-MlMarketoLeads -Full | Sync-MlLeadToBusinessCentral.", warning, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_feed_with_no_changes_hands_on_no_step()
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 0);

        var steps = await StepsAsync(sandbox.Receiver(sandbox.Context()), Request(sandbox.Host.Clock.GetUtcNow().AddMinutes(-1)));

        Assert.Empty(steps);
    }

    [Fact]
    public async Task Changes_and_pages_are_counted_in_progress_and_the_closing_line()
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 0, configure: o => o.Marketo.ShortPageRate = 0, marketoSettings: s => s.PageSize = 4);
        var since = sandbox.Host.Clock.GetUtcNow().AddMinutes(-1);
        var leads = Enumerable.Range(0, 5).Select(i => sandbox.MarketingLead($"count.{i}@receiver-test.example", "Count Co " + i)).ToList();
        sandbox.Host.Marketo.MarketingEdit(leads[0], new Dictionary<string, string?> { ["title"] = "Edited" });
        var reported = new List<long>();
        var context = sandbox.Context(progress: new Hook(p => { if (p.Phase == "Reading Marketo lead changes") reported.Add(p.Processed); }));

        await StepsAsync(sandbox.Receiver(context), Request(since));

        // Six changes on pages of four: a full page, then the last two.
        Assert.Equal([4L, 6L], reported);
        Assert.Contains("VERBOSE Marketo lead changes: 6 change(s) on 2 page(s); 0 were the connector's own writes.", sandbox.Log.Lines);
    }

    [Fact]
    public async Task A_full_step_is_handed_on_and_its_position_saved_when_the_next_is_asked_for()
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 0, configure: o => o.Marketo.ShortPageRate = 0);
        var clock = sandbox.Host.Clock;
        var since = clock.GetUtcNow().AddMinutes(-1);
        var created = new List<(long Id, DateTimeOffset At)>();
        for (var i = 0; i <= MarketoLimits.MaxBatch; i++)
        {
            clock.Advance(TimeSpan.FromSeconds(1));
            created.Add((sandbox.MarketingLead($"step.{i}@receiver-test.example", "Step Co " + i), clock.GetUtcNow()));
        }
        clock.Advance(TimeSpan.FromSeconds(1));
        sandbox.Host.Marketo.MarketingEdit(created[0].Id, new Dictionary<string, string?> { ["title"] = "Edited after its step" });
        var receiver = sandbox.Receiver(sandbox.Context());

        var steps = new List<(ReceivedLeads Step, Watermark? Saved)>();
        await foreach (var step in receiver.ReceiveAsync(Request(since), CancellationToken.None))
            steps.Add((step, sandbox.State.Checkpoints.GetWatermark(SyncCheckpoints.LeadChanges)));

        // The first page (300 New Lead changes) is one step; the last lead's creation and the first lead's edit the next.
        Assert.Equal(created.Take(MarketoLimits.MaxBatch).Select(c => c.Id), steps[0].Step.Leads.Select(l => l.Id));
        Assert.Null(steps[0].Saved);
        Assert.Equal([created[^1].Id, created[0].Id], steps[1].Step.Leads.Select(l => l.Id));
        Assert.Equal("Edited after its step", steps[1].Step.Leads[1]["title"]);
        Assert.Equal(2, steps.Count);
        // Asked for the second step: the first one's position is saved, standing for the last change it read (activity times are whole seconds).
        var lastRead = created[MarketoLimits.MaxBatch - 1].At;
        Assert.Equal(lastRead.AddTicks(-(lastRead.Ticks % TimeSpan.TicksPerSecond)), steps[1].Saved!.At);
        Assert.NotEqual(steps[1].Saved, sandbox.State.Checkpoints.GetWatermark(SyncCheckpoints.LeadChanges));
    }

    public static TheoryData<string> RefusedPositions => new() { "1003", "701", "704" };

    [Theory]
    [MemberData(nameof(RefusedPositions))]
    public async Task A_stored_position_refused_on_the_first_page_is_read_again_from_the_time_it_stood_for(string code)
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 0);
        var stoodFor = sandbox.Host.Clock.GetUtcNow().AddMinutes(-1);
        var lead = sandbox.MarketingLead("refused@receiver-test.example", "Refused Co");
        var stored = await sandbox.Marketo.GetPagingTokenAsync(sandbox.Host.Clock.GetUtcNow(), CancellationToken.None);
        sandbox.State.Checkpoints.SetWatermark(SyncCheckpoints.LeadChanges, new Watermark(stored, stoodFor), sandbox.Host.Clock.GetUtcNow());
        sandbox.Host.Faults.Add(new FaultRule { Service = SandboxService.Marketo, PathContains = "leadchanges", NthCall = 1, ErrorCode = code });

        var leads = await sandbox.ReceiveAsync(Request());

        Assert.Equal([lead], leads.Select(l => l.Id));
        var warning = Assert.Single(Warnings(sandbox, EngineWarnings.LeadChangesRestarted));
        Assert.Contains($"Marketo refused the stored change-feed position ({code}: ", warning, StringComparison.Ordinal);
        Assert.EndsWith($"reading again from the time it stood for, {LeadReceiver.Utc(stoodFor)}.", warning, StringComparison.Ordinal);
        Assert.Matches(UtcText(), LeadReceiver.Utc(stoodFor));
    }

    [Fact]
    public async Task A_stored_position_that_is_not_a_token_is_read_again_from_its_time()
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 0);
        var stoodFor = sandbox.Host.Clock.GetUtcNow().AddMinutes(-1);
        var lead = sandbox.MarketingLead("garbled@receiver-test.example", "Garbled Co");
        sandbox.State.Checkpoints.SetWatermark(SyncCheckpoints.LeadChanges, new Watermark("not a token!", stoodFor), sandbox.Host.Clock.GetUtcNow());

        Assert.Equal([lead], (await sandbox.ReceiveAsync(Request())).Select(l => l.Id));
        Assert.NotEqual("not a token!", sandbox.State.Checkpoints.GetWatermark(SyncCheckpoints.LeadChanges)!.Token);
    }

    [Fact]
    public async Task A_refusal_after_the_first_page_fails_the_read()
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 0, configure: o => o.Marketo.ShortPageRate = 0, marketoSettings: s => s.PageSize = 2);
        var stoodFor = sandbox.Host.Clock.GetUtcNow().AddMinutes(-1);
        for (var i = 0; i < 5; i++) sandbox.MarketingLead($"later.{i}@receiver-test.example", "Later Co " + i);
        var stored = await sandbox.Marketo.GetPagingTokenAsync(stoodFor, CancellationToken.None);
        sandbox.State.Checkpoints.SetWatermark(SyncCheckpoints.LeadChanges, new Watermark(stored, stoodFor), sandbox.Host.Clock.GetUtcNow());
        sandbox.Host.Faults.Add(new FaultRule { Service = SandboxService.Marketo, PathContains = "leadchanges", NthCall = 2, ErrorCode = "1003" });

        var error = await Assert.ThrowsAsync<MarketoApiException>(() => sandbox.ReceiveAsync(Request()));

        Assert.Equal("1003", error.Code);
        Assert.Empty(Warnings(sandbox, EngineWarnings.LeadChangesRestarted));
    }

    [Fact]
    public async Task A_stored_position_refused_for_another_reason_fails_the_read()
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 0);
        var stoodFor = sandbox.Host.Clock.GetUtcNow().AddMinutes(-1);
        var stored = await sandbox.Marketo.GetPagingTokenAsync(stoodFor, CancellationToken.None);
        sandbox.State.Checkpoints.SetWatermark(SyncCheckpoints.LeadChanges, new Watermark(stored, stoodFor), sandbox.Host.Clock.GetUtcNow());
        sandbox.Host.Faults.Add(new FaultRule { Service = SandboxService.Marketo, PathContains = "leadchanges", NthCall = 1, ErrorCode = "1006" });

        var error = await Assert.ThrowsAsync<MarketoApiException>(() => sandbox.ReceiveAsync(Request()));

        Assert.Equal("1006", error.Code);
    }

    [Fact]
    public async Task A_refused_first_page_after_since_is_not_retried()
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 0);
        sandbox.Host.Faults.Add(new FaultRule { Service = SandboxService.Marketo, PathContains = "leadchanges", NthCall = 1, ErrorCode = "1003" });

        var error = await Assert.ThrowsAsync<MarketoApiException>(() => sandbox.ReceiveAsync(Request(sandbox.Host.Clock.GetUtcNow().AddMinutes(-1))));

        Assert.Equal("1003", error.Code);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_lead_deleted_before_it_is_read_is_skipped_and_audited_only_when_consuming(bool consuming)
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 0);
        var since = sandbox.Host.Clock.GetUtcNow().AddMinutes(-1);
        var kept = sandbox.MarketingLead("kept@receiver-test.example", "Kept Co");
        var deleted = sandbox.MarketingLead("deleted@receiver-test.example", "Deleted Co");
        Assert.True(sandbox.Host.Marketo.MarketingDelete(deleted));
        var request = new LeadReceiveRequest { Since = since, AdvanceWatermark = consuming };

        var step = Assert.Single(await StepsAsync(sandbox.Receiver(sandbox.Context()), request));

        Assert.Equal([kept], step.Leads.Select(l => l.Id));
        var skipped = Assert.Single(step.Skipped);
        Assert.Equal((SyncAction.Skipped, LeadResults.LeadDeleted, (long?)deleted), (skipped.Action, skipped.Reason, skipped.MarketoId));
        Assert.Empty(skipped.ChangedFields);
        var audited = sandbox.Audited(deleted.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (consuming) Assert.Equal("Skipped", Assert.Single(audited).Action);
        else Assert.Empty(audited);
    }

    [Fact]
    public async Task The_feed_is_asked_for_the_mapped_fields_but_not_the_id_or_updatedAt()
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 0);

        await sandbox.ReceiveAsync(Request(sandbox.Host.Clock.GetUtcNow().AddMinutes(-1)));

        var fields = Regex.Match(Assert.Single(FeedQueries(sandbox)), "[?&]fields=([^&]*)").Groups[1].Value.Split(',');
        Assert.Contains("email", fields);
        Assert.DoesNotContain("id", fields);
        Assert.DoesNotContain("updatedAt", fields);
    }

    [Fact]
    public async Task A_further_field_asked_for_is_read_and_handed_on()
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 0);
        var since = sandbox.Host.Clock.GetUtcNow().AddMinutes(-1);
        sandbox.MarketingLead("role@receiver-test.example", "Role Co", ("leadRole", "Buyer"));

        var lead = Assert.Single(await sandbox.ReceiveAsync(new LeadReceiveRequest { Since = since, Fields = ["leadRole"] }));

        Assert.Equal("Buyer", lead["leadRole"]);
    }

    [Fact]
    public async Task A_further_field_Marketo_does_not_describe_is_refused_with_its_name()
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 0);

        var error = await Assert.ThrowsAsync<MlConnectorException>(() => sandbox.ReceiveAsync(new LeadReceiveRequest { Fields = ["leadRole", "LeadRole", "noSuchField"] }));

        Assert.Equal(("MarketoFieldUnknown", MlErrorCategory.InvalidConfiguration), (error.ErrorId, error.Category));
        Assert.Equal("Marketo describe does not list the lead field(s) 'LeadRole', 'noSuchField' (REST API names are case-sensitive).", error.Message);
        Assert.Empty(FeedQueries(sandbox));
    }

    [Fact]
    public async Task A_mapping_that_reads_a_field_Marketo_does_not_describe_is_refused_before_reading()
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 0);
        var mapping = MarketoToBcMapping.FromUserJson("""{ "marketoToBc": { "contact": { "fields": { "jobTitle": "noSuchField" } } } }""");
        var receiver = sandbox.Receiver(sandbox.Context(), mapping);

        var error = await Assert.ThrowsAsync<MappingException>(() => StepsAsync(receiver, Request(sandbox.Host.Clock.GetUtcNow().AddMinutes(-1))));

        Assert.Equal("MappingSourceUnknown", error.ErrorId);
        Assert.Contains("reads the lead field 'noSuchField', which Marketo describe does not list", error.Message, StringComparison.Ordinal);
        Assert.Empty(FeedQueries(sandbox));
    }
}
