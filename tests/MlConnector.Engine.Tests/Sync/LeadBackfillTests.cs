using MlConnector.Engine.Diagnostics;
using MlConnector.Engine.Marketo;
using MlConnector.Engine.Sync;
using MlConnector.Engine.Sync.MarketoToBc;
using MlConnector.Sandbox.Core;
using static MlConnector.Engine.Tests.Sync.ReverseSandbox;

namespace MlConnector.Engine.Tests.Sync;

/// <summary>The bulk-extract backfill: its whole-second range and first checkpoint, the 1035 fallback, and the polling of an export job.</summary>
public sealed class LeadBackfillTests
{
    private static readonly string[] Fields = ["id", "email"];

    private static LeadBackfill Backfill(SyncContext context, LeadReceiveRequest request) => new(context, request, Fields, leads => leads);

    private static async Task<List<MarketoLead>> ReadAsync(IAsyncEnumerable<ReceivedLeads> steps, CancellationToken cancellationToken = default)
    {
        var leads = new List<MarketoLead>();
        await foreach (var step in steps.WithCancellation(cancellationToken)) leads.AddRange(step.Leads);
        return leads;
    }

    private static IEnumerable<JournalEntry> Bulk(SyncSandbox sandbox, string endsWith)
        => sandbox.Host.Journal.For(SandboxService.Marketo).Where(e => e.Path.StartsWith("/bulk/v1/leads/export", StringComparison.Ordinal) && e.Path.EndsWith(endsWith, StringComparison.Ordinal));

    [Fact]
    public async Task A_backfill_refused_at_its_first_export_has_kept_its_range_widened_to_whole_seconds()
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 0);
        sandbox.Host.Marketo.Options.DailyExportQuotaBytes = 0; // the first create answers 1029
        var second = new DateTimeOffset(2026, 3, 2, 10, 0, 0, TimeSpan.Zero);
        var backfill = Backfill(sandbox.Context(), Request());

        Assert.Empty(await ReadAsync(backfill.RunAsync(second.AddMilliseconds(700), second.AddDays(40), CancellationToken.None)));

        var unfinished = backfill.Unfinished();
        Assert.NotNull(unfinished);
        Assert.Equal((second, second.AddDays(40), "updatedAt"), (unfinished.Progress, unfinished.Until, unfinished.Filter));
        Assert.Contains(sandbox.Log.Lines, l => l.StartsWith("VERBOSE Backfill of Marketo leads from ", StringComparison.Ordinal) && l.EndsWith("in windows of at most 31 days.", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_backfill_that_keeps_no_watermark_keeps_no_progress_either()
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 0);
        sandbox.Host.Marketo.Options.DailyExportQuotaBytes = 0;
        var now = sandbox.Host.Clock.GetUtcNow();

        await ReadAsync(Backfill(sandbox.Context(), new LeadReceiveRequest { AdvanceWatermark = false }).RunAsync(now.AddDays(-40), now, CancellationToken.None));

        Assert.Null(sandbox.State.Checkpoints.GetWatermark(SyncCheckpoints.LeadBackfill));
    }

    [Theory]
    [InlineData(true, "which still covers every lead.")]
    [InlineData(false, "and changed since are not included (each lead says ReadBy BulkExtract:createdAt). Run Receive-MlMarketoLeads -Full to import every lead.")]
    public async Task Without_the_updatedAt_filter_the_warning_says_whether_the_createdAt_windows_still_cover_every_lead(bool full, string says)
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 0, configure: o => o.Marketo.UpdatedAtExportFilter = false);
        var now = sandbox.Host.Clock.GetUtcNow();
        var lead = sandbox.MarketingLead("created@fallback-test.example", "Fallback Co");

        var leads = await ReadAsync(Backfill(sandbox.Context(), Request(full: full)).RunAsync(now.AddDays(-1), now.AddMinutes(1), CancellationToken.None));

        Assert.Equal([(lead, MarketoLead.ByBulkExtract("createdAt"))], leads.Select(l => (l.Id, l.ReadBy)));
        var warning = Assert.Single(sandbox.Log.Lines, l => l.StartsWith("WARNING " + EngineWarnings.BackfillByCreatedAt, StringComparison.Ordinal));
        Assert.Contains("This Marketo subscription does not offer the updatedAt filter for bulk lead extracts (1035): the backfill reads by createdAt windows instead", warning, StringComparison.Ordinal);
        Assert.EndsWith(says, warning, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Another_refusal_of_the_updatedAt_export_fails_the_read_rather_than_falling_back_to_createdAt()
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 0);
        var now = sandbox.Host.Clock.GetUtcNow();
        sandbox.MarketingLead("refused@fallback-test.example", "Refused Co");
        sandbox.Host.Faults.Add(new FaultRule { Service = SandboxService.Marketo, PathContains = "export/create.json", NthCall = 1, ErrorCode = "1003" });

        var refused = await Assert.ThrowsAsync<MarketoApiException>(() => ReadAsync(Backfill(sandbox.Context(), Request()).RunAsync(now.AddDays(-1), now.AddMinutes(1), CancellationToken.None)));

        Assert.Equal("1003", refused.Code);
        Assert.Single(Bulk(sandbox, "create.json"));
        Assert.DoesNotContain(sandbox.Log.Lines, l => l.StartsWith("WARNING " + EngineWarnings.BackfillByCreatedAt, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Polls_start_at_the_interval_and_double_up_to_the_maximum()
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 0);
        var (clock, time) = SlowExport(sandbox);
        var now = clock.GetUtcNow();

        var leads = await ReadAsync(Backfill(sandbox.Context(time: time), Request()).RunAsync(now.AddDays(-1), now.AddMinutes(1), CancellationToken.None));

        Assert.Equal(5, leads.Count);
        Assert.Equal([100, 200, 400, 400, 400], time.Delays.Take(5).Select(d => d.TotalMilliseconds));
        Assert.All(time.Delays.Skip(5), d => Assert.Equal(TimeSpan.FromMilliseconds(400), d));
    }

    [Fact]
    public async Task An_export_still_running_after_the_job_time_limit_is_cancelled_and_fails_the_read()
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 0);
        var (clock, time) = SlowExport(sandbox);
        var now = clock.GetUtcNow();
        var request = new LeadReceiveRequest
        {
            BulkPollInterval = TimeSpan.FromMilliseconds(100), BulkPollMaximum = TimeSpan.FromMilliseconds(400), BulkJobTimeout = TimeSpan.FromMilliseconds(700),
        };

        var timedOut = await Assert.ThrowsAsync<MlConnectorException>(() => ReadAsync(Backfill(sandbox.Context(time: time), request).RunAsync(now.AddDays(-1), now.AddMinutes(1), CancellationToken.None)));

        // 700 ms are up after the third poll, but only more than the limit counts: one more poll, then the cancel.
        Assert.Equal([100, 200, 400, 400], time.Delays.Select(d => d.TotalMilliseconds));
        Assert.Equal((MlErrorCategory.Connection, "MarketoExportTimedOut"), (timedOut.Category, timedOut.ErrorId));
        Assert.Matches("^Marketo export [0-9a-f-]+ was still (Queued|Processing) after 0 minutes; it was cancelled. Run again later.$", timedOut.Message);
        Assert.Single(Bulk(sandbox, "cancel.json"));
    }

    [Fact]
    public async Task A_backfill_stopped_while_its_export_runs_cancels_the_export()
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 0);
        var (clock, time) = SlowExport(sandbox);
        var now = clock.GetUtcNow();
        using var stop = new CancellationTokenSource();
        time.OnDelay = count => { if (count == 2) stop.Cancel(); };

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => ReadAsync(Backfill(sandbox.Context(time: time), Request()).RunAsync(now.AddDays(-1), now.AddMinutes(1), stop.Token), stop.Token));

        Assert.Equal(2, time.Delays.Count);
        Assert.Single(Bulk(sandbox, "cancel.json"));
        Assert.Null(sandbox.State.Checkpoints.GetWatermark(SyncCheckpoints.LeadChanges));
    }

    [Fact]
    public async Task A_stopped_backfill_whose_export_cancel_Marketo_refuses_still_ends_as_cancelled()
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 0);
        var (clock, time) = SlowExport(sandbox);
        var now = clock.GetUtcNow();
        sandbox.Host.Faults.Add(new FaultRule { Service = SandboxService.Marketo, PathContains = "cancel.json", ErrorCode = "1003" });
        using var stop = new CancellationTokenSource();
        time.OnDelay = count => { if (count == 2) stop.Cancel(); };

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => ReadAsync(Backfill(sandbox.Context(time: time), Request()).RunAsync(now.AddDays(-1), now.AddMinutes(1), stop.Token), stop.Token));

        Assert.Single(Bulk(sandbox, "cancel.json"));
        Assert.Contains(sandbox.Log.Lines, l => l.StartsWith("VERBOSE Export ", StringComparison.Ordinal) && l.Contains(" could not be cancelled: ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_export_that_ends_Failed_fails_the_read_with_Marketos_reason_and_downloads_nothing()
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 0);
        var now = sandbox.Host.Clock.GetUtcNow();
        sandbox.MarketingLead("failed@export-test.example", "Failed Co");
        sandbox.Host.Marketo.Options.BulkExportFailures = 1;
        var before = sandbox.State.Checkpoints.GetWatermark(SyncCheckpoints.LeadChanges);

        var failed = await Assert.ThrowsAsync<MlConnectorException>(() => ReadAsync(Backfill(sandbox.Context(), Request()).RunAsync(now.AddDays(-1), now.AddMinutes(1), CancellationToken.None)));

        Assert.Equal((MlErrorCategory.InvalidData, "MarketoExportFailed"), (failed.Category, failed.ErrorId));
        var exportId = Assert.Single(Bulk(sandbox, "enqueue.json")).Path.Split('/')[5];
        Assert.Equal($"Marketo export {exportId} ended Failed: {sandbox.Host.Marketo.Options.BulkExportFailureMessage}. Nothing of it was used; run again.", failed.Message);
        Assert.Empty(Bulk(sandbox, "file.json"));
        Assert.Equal(before, sandbox.State.Checkpoints.GetWatermark(SyncCheckpoints.LeadChanges));
    }

    /// <summary>Five leads and an export that reads one a second, so a job runs for five seconds of sandbox time.</summary>
    private static (SandboxClock Clock, PollClock Time) SlowExport(SyncSandbox sandbox)
    {
        for (var i = 0; i < 5; i++) sandbox.MarketingLead($"slow.{i}@poll-test.example", "Slow Co " + i);
        sandbox.Host.Marketo.Options.BulkExportRecordsPerSecond = 1;
        return (sandbox.Host.Clock, new PollClock(sandbox.Host.Clock));
    }

    /// <summary>Engine time that stands still but for its delays: each is recorded, moves the sandbox clock on by as much, and is over at once.</summary>
    private sealed class PollClock(SandboxClock sandbox) : TimeProvider
    {
        private readonly DateTimeOffset _start = sandbox.GetUtcNow();

        public List<TimeSpan> Delays { get; } = [];

        /// <summary>Runs with the count of delays so far, each time one begins.</summary>
        public Action<int>? OnDelay { get; set; }

        public override DateTimeOffset GetUtcNow() => _start + TimeSpan.FromTicks(Delays.Sum(d => d.Ticks));

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            Delays.Add(dueTime);
            sandbox.Advance(dueTime);
            OnDelay?.Invoke(Delays.Count);
            return System.CreateTimer(callback, state, TimeSpan.Zero, period);
        }
    }
}
