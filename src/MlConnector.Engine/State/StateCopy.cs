using MlConnector.Engine.Diagnostics;
using MlConnector.Engine.Sync;

namespace MlConnector.Engine.State;

/// <summary>What copying one pair's state moved (Copy-MlState writes one per pair).</summary>
public sealed class StateCopyResult
{
    public required string PairId { get; init; }
    public string? BcCompanyName { get; init; }
    public string? MunchkinId { get; init; }
    public required string From { get; init; }
    public required string To { get; init; }
    public int Checkpoints { get; set; }
    public int Watermarks { get; set; }
    public int Pending { get; set; }
    public int Parked { get; set; }

    /// <summary>Jobs the target had answered for whose audit line was still to be written, copied with the answer held.</summary>
    public int Answered { get; set; }
    public int Records { get; set; }
    public int Links { get; set; }

    /// <summary>BC webhook subscriptions (where each one's clientState is kept, never the clientState).</summary>
    public int Subscriptions { get; set; }

    /// <summary>Bulk Lead Imports Marketo had accepted and not yet settled, copied with their jobs still pending as they were.</summary>
    public int BulkImports { get; set; }

    /// <summary>Marketo days whose call count was copied (so a daily call budget holds on the new store too).</summary>
    public int CallCountDays { get; set; }

    /// <summary>The target held state for the pair, which the copy replaced (-Force).</summary>
    public bool Replaced { get; set; }
    public TimeSpan Duration { get; set; }
}

/// <summary>
/// Copies a sync pair's state from one store to another — SQLite to Table Storage when a team moves to runbooks, and
/// back — so the first run on the new store continues where the last run on the old one stopped: registration,
/// checkpoints with their boundary records, watermarks, queued, parked and answered jobs (as they were, a held answer
/// too), Bulk Lead Imports in flight, record state (with its field digests), links, BC webhook subscriptions and the
/// Marketo calls counted per day.
/// Both stores' leases on the pair are held throughout, so no run changes either side meanwhile.
/// </summary>
public static class StateCopy
{
    public const string TargetHoldsPairId = "StateCopyTargetHoldsPair";
    public const string SameStoreId = "StateCopySameStore";
    public const string TargetUnclaimedId = "StateCopyTargetHasUnclaimedState";
    private const int Batch = 1000;

    public static async Task<StateCopyResult> CopyPairAsync(IStateStore from, IStateStore to, SyncPair pair, bool replace, SyncLeaseOptions leaseOptions,
        TimeProvider time, IEngineLog log, IProgress<SyncProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(from);
        ArgumentNullException.ThrowIfNull(to);
        ArgumentNullException.ThrowIfNull(pair);
        if (string.Equals(from.Location, to.Location, StringComparison.OrdinalIgnoreCase))
            throw new MlConnectorException(SameStoreId, MlErrorCategory.InvalidConfiguration, $"-From and -To are the same state store ({from.Location}).");
        var held = to.Pairs().Any(p => p.PairId == pair.PairId);
        if (held && !replace)
        {
            throw new MlConnectorException(TargetHoldsPairId, MlErrorCategory.InvalidConfiguration,
                $"{to.Location} already holds state for sync pair {pair.PairId} ({pair.BcCompanyName} <-> Marketo {pair.Key.MarketoInstance}). Nothing was copied. " +
                "Add -Force to replace it with the state from " + from.Location + ".");
        }
        if (to.HasUnclaimedState())
        {
            throw new MlConnectorException(TargetUnclaimedId, MlErrorCategory.InvalidConfiguration,
                $"{to.Location} holds state written before sync pairs, which a pair new to it would adopt: run a sync there once so that state finds its pair, then copy.");
        }

        var name = $"{pair.PairId} ({pair.BcCompanyName} <-> Marketo {pair.Key.MarketoInstance})";
        await using var sourceLease = await SyncLease.AcquireAsync(from.Pair(pair.PairId).Lease, name, leaseOptions, time, log, cancellationToken).ConfigureAwait(false);
        await using var targetLease = await SyncLease.AcquireAsync(to.Pair(pair.PairId).Lease, name, leaseOptions, time, log, cancellationToken).ConfigureAwait(false);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var result = new StateCopyResult { PairId = pair.PairId, BcCompanyName = pair.BcCompanyName, MunchkinId = pair.Key.MarketoInstance, From = from.Location, To = to.Location, Replaced = held };
        await sourceLease.RunAsync(_ => targetLease.RunAsync(token =>
        {
            Copy(from, to, pair, result, time.GetUtcNow(), progress, token);
            return Task.CompletedTask;
        }, cancellationToken), cancellationToken).ConfigureAwait(false);
        result.Duration = clock.Elapsed;
        return result;
    }

    private static void Copy(IStateStore from, IStateStore to, SyncPair pair, StateCopyResult result, DateTimeOffset now, IProgress<SyncProgress>? progress, CancellationToken cancel)
    {
        var source = from.Pair(pair.PairId);
        var sourceRows = Transfer(source);
        var targetRows = Transfer(to.Pair(pair.PairId));
        targetRows.Clear();
        to.RegisterPair(pair);
        if (pair.LastRunAt is { } lastRun) to.RecordRun(pair.PairId, lastRun);
        var target = to.Pair(pair.PairId);

        foreach (var checkpoint in sourceRows.CheckpointNames().ToList())
        {
            var value = source.Checkpoints.Get(checkpoint);
            if (value is null) continue;
            target.Checkpoints.Advance(checkpoint, value.Value, source.Checkpoints.Boundary(checkpoint), now);
            result.Checkpoints++;
        }
        foreach (var watermark in sourceRows.WatermarkNames().ToList())
        {
            var mark = source.Checkpoints.GetWatermark(watermark);
            if (mark is null) continue;
            target.Checkpoints.SetWatermark(watermark, mark, now);
            result.Watermarks++;
        }
        foreach (var direction in Enum.GetValues<SyncDirection>())
        {
            foreach (var batch in sourceRows.AllRecordStates(direction).Chunk(Batch))
            {
                cancel.ThrowIfCancellationRequested();
                target.Records(direction).Save(batch);
                result.Records += batch.Length;
                progress?.Report(new SyncProgress("Copying record state", result.Records));
            }
            foreach (var batch in sourceRows.AllJobs(direction).Chunk(Batch))
            {
                cancel.ThrowIfCancellationRequested();
                targetRows.RestoreJobs(direction, batch, now);
                result.Pending += batch.Count(j => j.Job.Status == QueuedJobStatus.Pending);
                result.Parked += batch.Count(j => j.Job.Status == QueuedJobStatus.Parked);
                result.Answered += batch.Count(j => j.Job.Status == QueuedJobStatus.Answered);
                progress?.Report(new SyncProgress("Copying queued jobs", result.Pending + result.Parked + result.Answered));
            }
        }
        // After the jobs: an import names jobs of the target's queue.
        foreach (var import in source.BulkImports.Open())
        {
            var jobs = source.BulkImports.Jobs(import.BatchId, 0, int.MaxValue).Select(j => (j.Job.JobId, j.Job.UpdatedAt)).ToList();
            target.BulkImports.Add(import, jobs);
            result.BulkImports++;
        }
        foreach (var subscription in source.Subscriptions.All())
        {
            target.Subscriptions.Save(subscription);
            result.Subscriptions++;
        }
        foreach (var (day, calls) in sourceRows.AllMarketoCalls())
        {
            // The target's counts were cleared with the pair: adding sets them.
            target.MarketoCalls.Add(day, calls, now);
            result.CallCountDays++;
        }
        foreach (var kind in Enum.GetValues<LinkKind>())
        {
            foreach (var batch in sourceRows.AllLinks(kind).Chunk(Batch))
            {
                cancel.ThrowIfCancellationRequested();
                target.Links.Save(batch);
                result.Links += batch.Length;
                progress?.Report(new SyncProgress("Copying links", result.Links));
            }
        }
    }

    private static IPairStateTransfer Transfer(IPairState state) => state as IPairStateTransfer
        ?? throw new NotSupportedException($"The state store of pair {state.PairId} cannot be read out for copying.");
}
