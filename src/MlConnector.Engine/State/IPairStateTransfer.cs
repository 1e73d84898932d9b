using MlConnector.Engine.Sync;

namespace MlConnector.Engine.State;

/// <summary>
/// What moving a pair's state between stores (Copy-MlState) needs beyond a run's own operations: every row read out,
/// jobs written back exactly as they were (status, attempts, last error), and the pair's state removed. Both stores'
/// pair states implement it.
/// </summary>
public interface IPairStateTransfer
{
    IEnumerable<string> CheckpointNames();

    IEnumerable<string> WatermarkNames();

    /// <summary>Pending, parked and answered jobs of one direction (an answered one with the answer held), in queue order.</summary>
    IEnumerable<StoredJob> AllJobs(SyncDirection direction);

    IEnumerable<RecordState> AllRecordStates(SyncDirection direction);

    IEnumerable<RecordLink> AllLinks(LinkKind kind);

    /// <summary>The Marketo calls counted per Marketo day (the days kept: the last week), oldest first.</summary>
    IEnumerable<(DateOnly Day, long Calls)> AllMarketoCalls();

    /// <summary>Queues the jobs as they are, after any already queued, in the order given.</summary>
    void RestoreJobs(SyncDirection direction, IEnumerable<StoredJob> jobs, DateTimeOffset now);

    /// <summary>Removes the pair: its registration and every row of its state (its subscriptions too), but not its lease.</summary>
    void Clear();
}

/// <summary>A queued job as its store keeps it: with the target's answer when it is held (status Answered).</summary>
public sealed record StoredJob(QueuedJob Job, string? Answer);
