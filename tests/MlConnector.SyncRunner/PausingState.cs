using System.Text.Json;
using MlConnector.Engine.State;
using MlConnector.Engine.Sync;

namespace MlConnector.SyncRunner;

/// <summary>
/// For crash tests only (--pause-at): the pair's state, with the work queue stopping the run for good at a chosen
/// point so the test can kill it exactly there. "enqueued": right after jobs of the target type are durably queued,
/// before they are sent. "settling": when Marketo has answered for jobs of the target type and the engine comes to
/// settle them, before they leave the queue. --pause-nth N picks the N-th time (default the first). Once the point is
/// reached every later enqueue or settle blocks too, so with several batches in flight none is settled after it. The
/// runner says on stdout where it stopped: {"paused":"settling","targetType":"Lead","nth":2,"jobs":31}. Without
/// --pause-at the runner uses the state as it is; the engine knows nothing of this.
/// </summary>
internal sealed class PausingState(IPairState inner, string point, string targetType, int nth) : IPairState
{
    public const string Enqueued = "enqueued";
    public const string Settling = "settling";

    private readonly object _gate = new();
    private bool _paused;
    private int _reached;

    public static IPairState Wrap(IPairState state, RunnerArguments arguments)
    {
        var point = arguments.Optional("--pause-at");
        if (point is null) return state;
        if (point is not (Enqueued or Settling)) throw new ArgumentException($"--pause-at takes '{Enqueued}' or '{Settling}', not '{point}'.");
        return new PausingState(state, point, arguments.Optional("--pause-target") ?? "Lead", arguments.Int("--pause-nth", 1));
    }

    public string PairId => inner.PairId;
    public ICheckpointStore Checkpoints => inner.Checkpoints;
    public IRecordStates Records(SyncDirection direction) => inner.Records(direction);
    public ILinkStore Links => inner.Links;
    public ILeaseStore Lease => inner.Lease;
    public ISubscriptionStore Subscriptions => inner.Subscriptions;
    public IMarketoCallCounts MarketoCalls => inner.MarketoCalls;
    public IBulkImports BulkImports => inner.BulkImports;
    public IWorkQueue Queue(SyncDirection direction) => new PausingQueue(inner.Queue(direction), this);

    /// <summary>Stops the calling thread for good once the point is reached (the first time, saying so on stdout).</summary>
    private void Reached(string at, IReadOnlyCollection<QueuedJob> jobs)
    {
        if (at != point) return;
        var ofTarget = jobs.Count(j => j.TargetType == targetType);
        lock (_gate)
        {
            if (!_paused)
            {
                if (ofTarget == 0 || ++_reached < nth) return;
                _paused = true;
                Console.Out.WriteLine(JsonSerializer.Serialize(new { paused = point, targetType, nth, jobs = ofTarget }));
                Console.Out.Flush();
            }
        }
        Thread.Sleep(Timeout.Infinite);
    }

    private void Blocked()
    {
        bool paused;
        lock (_gate) paused = _paused;
        if (paused) Thread.Sleep(Timeout.Infinite);
    }

    private sealed class PausingQueue(IWorkQueue queue, PausingState state) : IWorkQueue
    {
        public int Enqueue(IEnumerable<QueuedJob> jobs, DateTimeOffset now)
        {
            state.Blocked();
            var list = jobs.ToList();
            var count = queue.Enqueue(list, now);
            state.Reached(Enqueued, list);
            return count;
        }

        public void Complete(IEnumerable<QueuedJob> jobs)
        {
            var list = jobs.ToList();
            state.Blocked();
            state.Reached(Settling, list);
            queue.Complete(list);
        }

        public void Park(IEnumerable<(QueuedJob Job, string Reason)> failures, DateTimeOffset now)
        {
            var list = failures.ToList();
            state.Blocked();
            state.Reached(Settling, list.Select(f => f.Job).ToList());
            queue.Park(list, now);
        }

        public IReadOnlyList<QueuedJob> Take(QueuedJobStatus status, string? targetType, int max, IReadOnlyCollection<string>? sourceNumberPatterns = null)
            => queue.Take(status, targetType, max, sourceNumberPatterns);

        public ISet<string> JobIds(QueuedJobStatus status) => queue.JobIds(status);

        public int Count(QueuedJobStatus status, string? targetType = null) => queue.Count(status, targetType);

        public void HoldAnswers(IEnumerable<(QueuedJob Job, string Answer)> answered)
        {
            var list = answered.ToList();
            state.Blocked();
            state.Reached(Settling, list.Select(a => a.Job).ToList());
            queue.HoldAnswers(list);
        }

        public IReadOnlyList<(QueuedJob Job, string Answer)> Answered() => queue.Answered();

        public int Unpark(IReadOnlyCollection<string>? sourceNumberPatterns, DateTimeOffset now) => queue.Unpark(sourceNumberPatterns, now);
    }
}
