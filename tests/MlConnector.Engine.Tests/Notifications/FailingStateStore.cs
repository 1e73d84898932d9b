using MlConnector.Engine.State;
using MlConnector.Engine.Sync;

namespace MlConnector.Engine.Tests.Notifications;

/// <summary>
/// A real state store whose work queues refuse to enqueue while <see cref="Failing"/> is set, as a locked or full
/// database would: the receiver must then answer 5xx so that Business Central delivers the batch again.
/// </summary>
internal sealed class FailingStateStore(IStateStore inner) : IStateStore
{
    public volatile bool Failing;

    public string Location => inner.Location;
    public bool Created => inner.Created;
    public IReadOnlyList<SyncPair> Pairs() => inner.Pairs();
    public PairRegistration RegisterPair(SyncPair pair) => inner.RegisterPair(pair);
    public void RecordRun(string pairId, DateTimeOffset at) => inner.RecordRun(pairId, at);
    public bool HasUnclaimedState() => inner.HasUnclaimedState();
    public IPairState Pair(string pairId) => new PairState(this, inner.Pair(pairId));
    public void Dispose() => inner.Dispose();

    private sealed class PairState(FailingStateStore owner, IPairState state) : IPairState
    {
        public string PairId => state.PairId;
        public ICheckpointStore Checkpoints => state.Checkpoints;
        public IWorkQueue Queue(SyncDirection direction) => new Queue(owner, state.Queue(direction));
        public IRecordStates Records(SyncDirection direction) => state.Records(direction);
        public ILinkStore Links => state.Links;
        public ILeaseStore Lease => state.Lease;
        public ISubscriptionStore Subscriptions => state.Subscriptions;
        public IMarketoCallCounts MarketoCalls => state.MarketoCalls;
        public IBulkImports BulkImports => state.BulkImports;
    }

    private sealed class Queue(FailingStateStore owner, IWorkQueue queue) : IWorkQueue
    {
        public int Enqueue(IEnumerable<QueuedJob> jobs, DateTimeOffset now) => owner.Failing
            ? throw new StateStoreException("The state database could not be written: database is locked (injected by the test).", new IOException("locked"))
            : queue.Enqueue(jobs, now);

        public IReadOnlyList<QueuedJob> Take(QueuedJobStatus status, string? targetType, int max, IReadOnlyCollection<string>? sourceNumberPatterns = null)
            => queue.Take(status, targetType, max, sourceNumberPatterns);

        public ISet<string> JobIds(QueuedJobStatus status) => queue.JobIds(status);
        public int Count(QueuedJobStatus status, string? targetType = null) => queue.Count(status, targetType);
        public void HoldAnswers(IEnumerable<(QueuedJob Job, string Answer)> answered) => queue.HoldAnswers(answered);
        public IReadOnlyList<(QueuedJob Job, string Answer)> Answered() => queue.Answered();
        public void Complete(IEnumerable<QueuedJob> jobs) => queue.Complete(jobs);
        public void Park(IEnumerable<(QueuedJob Job, string Reason)> failures, DateTimeOffset now) => queue.Park(failures, now);
        public int Unpark(IReadOnlyCollection<string>? sourceNumberPatterns, DateTimeOffset now) => queue.Unpark(sourceNumberPatterns, now);
    }
}
