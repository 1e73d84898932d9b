using MlConnector.Engine.Sync;

namespace MlConnector.Engine.State;

/// <summary>
/// The connector's durable state for one home, shared by every sync pair in it: each pair's checkpoints, work queue,
/// record state, links and lease, kept apart by pair. SQLite is the default (<see cref="Sqlite.SqliteStateStore"/>);
/// a cloud store keeps one partition per pair. Operations are coarse and batch-shaped so either can serve them.
/// </summary>
public interface IStateStore : IDisposable
{
    /// <summary>Where the store lives (a file path, or a table endpoint), for messages.</summary>
    string Location { get; }

    /// <summary>True when opening created the store empty (it did not exist, or held nothing): no run has state in it yet.</summary>
    bool Created { get; }

    /// <summary>Every pair that has run against this store, oldest first.</summary>
    IReadOnlyList<SyncPair> Pairs();

    /// <summary>
    /// Records the pair (or refreshes its BC company name and company key prefix). A pair new to the store adopts the
    /// state written before pairs existed (<see cref="SyncPairKey.Unclaimed"/>), once.
    /// </summary>
    PairRegistration RegisterPair(SyncPair pair);

    /// <summary>Notes when the pair's last run ended.</summary>
    void RecordRun(string pairId, DateTimeOffset at);

    /// <summary>Whether state written before pairs existed still waits for a pair to adopt it.</summary>
    bool HasUnclaimedState();

    /// <summary>The state of one pair (nothing is written by asking).</summary>
    IPairState Pair(string pairId);
}

/// <summary>One sync pair's state. Each direction keeps its own jobs and record state.</summary>
public interface IPairState
{
    string PairId { get; }

    ICheckpointStore Checkpoints { get; }

    IWorkQueue Queue(SyncDirection direction);

    IRecordStates Records(SyncDirection direction);

    ILinkStore Links { get; }

    ILeaseStore Lease { get; }

    /// <summary>The pair's BC webhook subscriptions (never their clientStates).</summary>
    ISubscriptionStore Subscriptions { get; }

    /// <summary>The pair's Marketo calls per Marketo day, for a daily call budget that holds across runs.</summary>
    IMarketoCallCounts MarketoCalls { get; }

    /// <summary>The pair's Bulk Lead Imports accepted by Marketo and not yet settled (resumed by the next run after a crash).</summary>
    IBulkImports BulkImports { get; }
}
