using MlConnector.Engine.State;
using MlConnector.Engine.Sync;

namespace MlConnector.Engine.Tests.Sync;

/// <summary>
/// A pair's real state, counting the reads and writes whose number is a cost on Table Storage (every one a round trip):
/// queue reads and counts, link saves and additions to the day's Marketo call count. Everything else passes straight through.
/// </summary>
internal sealed class CountingPairState(IPairState inner) : IPairState
{
    private int _queueReads;
    private int _queueCounts;
    private int _linkSaves;
    private int _callCountAdds;

    public int QueueReads => Volatile.Read(ref _queueReads);
    public int QueueCounts => Volatile.Read(ref _queueCounts);
    public int LinkSaves => Volatile.Read(ref _linkSaves);
    public int CallCountAdds => Volatile.Read(ref _callCountAdds);

    public string PairId => inner.PairId;
    public ICheckpointStore Checkpoints => inner.Checkpoints;
    public IWorkQueue Queue(SyncDirection direction) => new CountingQueue(inner.Queue(direction), this);
    public IRecordStates Records(SyncDirection direction) => inner.Records(direction);
    public ILinkStore Links => new CountingLinks(inner.Links, this);
    public ILeaseStore Lease => inner.Lease;
    public ISubscriptionStore Subscriptions => inner.Subscriptions;
    public IMarketoCallCounts MarketoCalls => new CountingCalls(inner.MarketoCalls, this);
    public IBulkImports BulkImports => inner.BulkImports;

    private sealed class CountingQueue(IWorkQueue queue, CountingPairState owner) : IWorkQueue
    {
        public int Enqueue(IEnumerable<QueuedJob> jobs, DateTimeOffset now) => queue.Enqueue(jobs, now);

        public IReadOnlyList<QueuedJob> Take(QueuedJobStatus status, string? targetType, int max, IReadOnlyCollection<string>? sourceNumberPatterns = null)
        {
            Interlocked.Increment(ref owner._queueReads);
            return queue.Take(status, targetType, max, sourceNumberPatterns);
        }

        public ISet<string> JobIds(QueuedJobStatus status) => queue.JobIds(status);
        public int Count(QueuedJobStatus status, string? targetType = null)
        {
            Interlocked.Increment(ref owner._queueCounts);
            return queue.Count(status, targetType);
        }

        public void Complete(IEnumerable<QueuedJob> jobs) => queue.Complete(jobs);
        public void Park(IEnumerable<(QueuedJob Job, string Reason)> failures, DateTimeOffset now) => queue.Park(failures, now);
        public void HoldAnswers(IEnumerable<(QueuedJob Job, string Answer)> answered) => queue.HoldAnswers(answered);
        public IReadOnlyList<(QueuedJob Job, string Answer)> Answered() => queue.Answered();
        public int Unpark(IReadOnlyCollection<string>? sourceNumberPatterns, DateTimeOffset now) => queue.Unpark(sourceNumberPatterns, now);
    }

    private sealed class CountingLinks(ILinkStore links, CountingPairState owner) : ILinkStore
    {
        public void Save(IEnumerable<RecordLink> saved)
        {
            Interlocked.Increment(ref owner._linkSaves);
            links.Save(saved);
        }

        public IReadOnlyDictionary<string, RecordLink> ByBcNumber(LinkKind kind, IEnumerable<string> bcNumbers) => links.ByBcNumber(kind, bcNumbers);
        public IReadOnlyDictionary<long, RecordLink> ByMarketoId(LinkKind kind, IEnumerable<long> marketoIds) => links.ByMarketoId(kind, marketoIds);
        public int Count(LinkKind kind) => links.Count(kind);
    }

    private sealed class CountingCalls(IMarketoCallCounts calls, CountingPairState owner) : IMarketoCallCounts
    {
        public long Get(DateOnly day) => calls.Get(day);

        public long Add(DateOnly day, long added, DateTimeOffset now)
        {
            Interlocked.Increment(ref owner._callCountAdds);
            return calls.Add(day, added, now);
        }
    }
}
