using System.Collections.Concurrent;
using System.Text.Json;
using MlConnector.Engine.Mapping;
using MlConnector.Engine.Marketo;
using MlConnector.Engine.State;
using MlConnector.Engine.Sync;
using MlConnector.Engine.Sync.BcToMarketo;
using MlConnector.Engine.Tests.BusinessCentral;
using MlConnector.Sandbox.Core;
using static MlConnector.Engine.Tests.Sync.BulkImportSyncTests;

namespace MlConnector.Engine.Tests.Sync;

/// <summary>
/// BulkLeadImport's own decisions against the sandbox's import queue: which files it reads, the reason and action of
/// each row, what it does on 1016 and 1013, and how long it waits between status polls. The run's waits go through
/// <see cref="SandboxWaits"/>: each ends at once by moving the sandbox clock forward by what was asked, so the imports
/// progress on the same clock the engine reads, and the test sees every wait the engine asked for.
/// </summary>
public sealed class BulkLeadImportTests
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);

    [Fact]
    public async Task A_rows_file_is_read_only_for_an_import_whose_counts_have_such_rows_and_results_carry_the_batch_id()
    {
        await using var sandbox = await StartAsync(rowsPerSecond: 5000);

        var results = await RunAsync(sandbox, "clean");

        var journal = sandbox.Host.Journal.For(SandboxService.Marketo);
        var imports = sandbox.Host.Marketo.Imports.Snapshot(sandbox.Host.Clock.GetUtcNow());
        // The sandbox's leads include some of a customer blocked for all (no company in Marketo): a warned import and a clean one.
        Assert.Contains(imports, j => j.Warnings.Count > 0);
        Assert.Contains(imports, j => j.Warnings.Count == 0);
        Assert.All(imports, j => Assert.Empty(j.Failures));
        foreach (var job in imports)
        {
            Assert.Equal(job.Warnings.Count > 0, journal.Any(e => e.Path == $"/bulk/v1/leads/batch/{job.BatchId}/warnings.json"));
            Assert.DoesNotContain(journal, e => e.Path == $"/bulk/v1/leads/batch/{job.BatchId}/failures.json");
            var leads = results.Where(r => r.TargetType == MarketoRecord.Lead && r.RequestId == "bulk:" + job.BatchId).ToList();
            Assert.Equal(job.Rows.Count, leads.Count);
            if (job.Warnings.Count == 0) Assert.All(leads, r => Assert.Null(r.Reason));
            Assert.Contains(sandbox.Log.Lines, l => l.StartsWith($"VERBOSE Marketo bulk import {job.BatchId}: {job.Rows.Count} leads, ", StringComparison.Ordinal));
            Assert.Contains(sandbox.Log.Lines, l => l.StartsWith($"VERBOSE Marketo bulk import {job.BatchId}: Complete; {job.Rows.Count} imported, 0 failed, {job.Warnings.Count} with warnings", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task A_lead_written_by_an_earlier_import_is_reported_updated()
    {
        await using var sandbox = await StartAsync(rowsPerSecond: 5000);
        await RunAsync(sandbox, "first");
        var email = sandbox.Expected().LeadEmails.Order(StringComparer.Ordinal).First();
        Enqueue(sandbox, "AGAIN1", email, new Dictionary<string, object?> { ["email"] = email, ["title"] = "Again" });

        var results = await RunAsync(sandbox, "second");

        var again = Assert.Single(results, r => r.SourceNumber == "AGAIN1");
        Assert.Equal(SyncAction.Updated, again.Action);
        Assert.Equal("Again", sandbox.Lead(email).Fields["title"]);
    }

    [Fact]
    public async Task Every_row_of_an_import_marketo_failed_whole_is_failed_with_its_message_and_no_failures_file_is_read()
    {
        await using var sandbox = await StartAsync(rowsPerSecond: 5000);
        await RunAsync(sandbox, "first");
        // Queued while Marketo still had the field; an admin deleted it since: Marketo fails the import as a whole.
        string[] numbers = ["GONE1", "GONE2"];
        foreach (var number in numbers)
        {
            var email = number.ToLowerInvariant() + "@gone.example";
            Enqueue(sandbox, number, email, new Dictionary<string, object?> { ["email"] = email, ["lastName"] = "Gone", ["retiredField"] = "x" });
        }

        var results = await RunAsync(sandbox, "whole-failure");

        var failed = results.Where(r => numbers.Contains(r.SourceNumber)).ToList();
        Assert.Equal(2, failed.Count);
        var imports = sandbox.Host.Marketo.Imports.Snapshot(sandbox.Host.Clock.GetUtcNow()).Where(j => j.Status == "Failed").ToList();
        Assert.NotEmpty(imports);
        foreach (var row in failed)
        {
            var job = Assert.Single(imports, j => row.RequestId == "bulk:" + j.BatchId);
            Assert.Equal(SyncAction.Failed, row.Action);
            Assert.Equal($"Marketo bulk import {job.BatchId} failed: {job.FailureMessage}", row.Reason);
            Assert.Empty(row.ChangedFields);
        }
        Assert.DoesNotContain(sandbox.Host.Journal.For(SandboxService.Marketo), e => imports.Any(j => e.Path.Contains($"/batch/{j.BatchId}/", StringComparison.Ordinal)));
        var parked = sandbox.State.Queue(SyncDirection.BcToMarketo).Take(QueuedJobStatus.Parked, MarketoRecord.Lead, 10);
        Assert.Equal(numbers, parked.Select(j => j.SourceNumber).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Polls_wait_one_interval_then_the_estimated_rest_and_every_wait_finds_the_calls_so_far_saved()
    {
        // Two rows a second: an import of twenty rows shows progress at the first poll and has some seconds left.
        await using var sandbox = await StartAsync(rowsPerSecond: 2);
        var waits = new SandboxWaits(sandbox);
        var progress = new ConcurrentQueue<SyncProgress>();

        var results = await RunAsync(sandbox, "paced", waits, new Recorded<SyncProgress>(progress.Enqueue));

        var imports = sandbox.Host.Marketo.Imports.Snapshot(sandbox.Host.Clock.GetUtcNow());
        Assert.Equal(2, imports.Count);
        Assert.All(imports, j => Assert.Equal("Complete", j.Status));
        var first = waits.Seen.First();
        Assert.Equal(0, first.StatusPolls);
        Assert.InRange(first.Delay, Interval / 2, Interval);
        // The estimate: what was left at the observed rate, more than an interval here, never more than the file's whole time.
        var longest = waits.Seen.Max(w => w.Delay);
        Assert.InRange(longest, Interval * 1.5, TimeSpan.FromSeconds(imports.Max(j => j.Rows.Count) / 2.0) + Interval);
        Assert.True(waits.Seen.Count * 2 >= sandbox.Host.Journal.For(SandboxService.Marketo).Count(IsStatusPoll), "status polls went without a wait");
        // A process killed in any wait would have counted every Marketo call the import made so far (the calls before this
        // pass's ledger was opened are never counted by it, hence a constant).
        Assert.Single(waits.Seen.Select(w => w.CallsUnsaved).Distinct());

        var leads = results.Count(r => r.TargetType == MarketoRecord.Lead && r.Action != SyncAction.Skipped);
        var importing = progress.Where(p => p.Phase == "Importing leads").ToList();
        Assert.NotEmpty(importing);
        Assert.All(importing, p => Assert.InRange(p.Processed, 0, leads));
        Assert.Equal(leads, importing.Max(p => p.Processed));
    }

    [Fact]
    public async Task Sixty_refusals_with_1016_are_waited_out_one_interval_apart_and_the_sixty_first_stops_the_run()
    {
        await using var sandbox = await StartAsync(rowsPerSecond: 5000);
        sandbox.Host.Faults.Add(new FaultRule { Service = SandboxService.Marketo, Method = "POST", PathContains = "/bulk/v1/leads.json", ErrorCode = "1016", Times = 70 });
        var waits = new SandboxWaits(sandbox);

        var refused = await Assert.ThrowsAsync<MarketoApiException>(() => RunAsync(sandbox, "queue-full", waits));

        Assert.Equal(MarketoErrorCodes.TooManyImports, refused.Code);
        Assert.Contains("import queue stayed full", refused.Message, StringComparison.Ordinal);
        Assert.Contains("bulk/v1/leads.json", refused.Message, StringComparison.Ordinal);
        Assert.Equal(61, sandbox.Host.Journal.For(SandboxService.Marketo).Count(IsUpload));
        Assert.Equal(60, waits.Seen.Count);
        Assert.All(waits.Seen, w => Assert.Equal(Interval, w.Delay));
        Assert.Contains(sandbox.Log.Lines, l => l.Contains("bulk import queue is full (1016)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_import_marketo_no_longer_knows_is_sent_again()
    {
        await using var sandbox = await StartAsync(rowsPerSecond: 5000);
        sandbox.Host.Faults.Add(new FaultRule { Service = SandboxService.Marketo, Method = "GET", PathContains = "/bulk/v1/leads/batch/", ErrorCode = "1013", Times = 1 });

        var results = await RunAsync(sandbox, "forgotten");

        Assert.Equal(3, sandbox.Host.Journal.For(SandboxService.Marketo).Count(IsUpload));
        Assert.Contains(sandbox.Log.Lines, l => l.Contains("no longer knows bulk import", StringComparison.Ordinal));
        var emails = sandbox.Expected().LeadEmails;
        Assert.All(emails, e => Assert.Single(sandbox.Host.Marketo.LeadsByEmail(e)));
        Assert.Equal(emails.Order(StringComparer.Ordinal), results.Where(r => r.TargetType == MarketoRecord.Lead && r.Action != SyncAction.Skipped)
            .Select(r => r.TargetKey!.ToLowerInvariant()).Order(StringComparer.Ordinal));
        Assert.Equal(0, sandbox.State.Queue(SyncDirection.BcToMarketo).Count(QueuedJobStatus.Pending));
        Assert.Empty(sandbox.State.BulkImports.Open());
    }

    private static long CountedToday(SyncSandbox sandbox) => sandbox.State.MarketoCalls.Get(MarketoCentralTime.DateOf(sandbox.Host.Clock.GetUtcNow()));

    private static void Enqueue(SyncSandbox sandbox, string number, string email, Dictionary<string, object?> fields)
    {
        var now = sandbox.Host.Clock.GetUtcNow();
        sandbox.State.Queue(SyncDirection.BcToMarketo).Enqueue([new QueuedJob("Contact:" + number, MarketoRecord.Lead, "Contact", number,
            JsonSerializer.Serialize(new { Key = email, Hash = "h-" + number, Fields = fields }), QueuedJobStatus.Pending, 0, null, now, now)], now);
    }

    private static Task<SyncSandbox> StartAsync(int rowsPerSecond)
        => SyncSandbox.StartAsync(customers: 40, configure: o => o.Marketo.BulkImportRowsPerSecond = rowsPerSecond, marketoSettings: s => s.BulkImportPollInterval = Interval);

    /// <summary>A bulk run (threshold 1) whose waits move the sandbox clock.</summary>
    private static async Task<List<SyncResult>> RunAsync(SyncSandbox sandbox, string correlationId, SandboxWaits? waits = null, IProgress<SyncProgress>? progress = null)
    {
        using var runaway = new CancellationTokenSource();
        waits ??= new SandboxWaits(sandbox);
        waits.Runaway = runaway;
        var sync = new CustomerToMarketoSync(sandbox.Context(correlationId, progress, time: waits),
            new BcToMarketoMapper(MappingLoader.Default(), sandbox.Pair.CompanyKeyPrefix));
        return await BcSandbox.ToListAsync(sync.RunAsync(new CustomerSyncRequest { BulkImportThreshold = 1 }, runaway.Token));
    }

    private sealed class Recorded<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }

    /// <summary>One wait the engine asked for, with the status polls made and the Marketo calls not yet counted in the pair's state by then.</summary>
    private sealed record Wait(TimeSpan Delay, int StatusPolls, long CallsUnsaved);

    /// <summary>
    /// The sandbox clock, but a wait ends at once by moving it forward by the wait. More waits than any import here needs
    /// means the engine spins without progress: the run is cancelled instead of hanging.
    /// </summary>
    private sealed class SandboxWaits(SyncSandbox sandbox) : TimeProvider
    {
        private const int MostWaits = 500;

        public List<Wait> Seen { get; } = new();

        public CancellationTokenSource? Runaway { get; set; }

        public override DateTimeOffset GetUtcNow() => sandbox.Host.Clock.GetUtcNow();

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            lock (Seen)
            {
                Seen.Add(new Wait(dueTime, sandbox.Host.Journal.For(SandboxService.Marketo).Count(IsStatusPoll), sandbox.Marketo.CallCount - CountedToday(sandbox)));
                if (Seen.Count > MostWaits) Runaway?.Cancel();
            }
            if (dueTime > TimeSpan.Zero) sandbox.Host.Clock.Advance(dueTime);
            return System.CreateTimer(callback, state, TimeSpan.Zero, Timeout.InfiniteTimeSpan);
        }
    }
}
