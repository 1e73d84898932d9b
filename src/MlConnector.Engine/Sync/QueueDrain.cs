using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using MlConnector.Engine.State;

namespace MlConnector.Engine.Sync;

/// <summary>
/// What became of one job its target answered for: the result to report, the record state to keep (null: keep none) and
/// the link between the source record and the target record the answer named (null: none learnt).
/// </summary>
internal sealed record JobOutcome(SyncResult Result, RecordState? Written, RecordLink? Link = null);

/// <summary>Sends one batch of jobs to the direction's target and says, per job and in order, what became of it. Touches no state.</summary>
internal delegate Task<IReadOnlyList<JobOutcome>> JobSender(IReadOnlyList<QueuedJob> jobs, CancellationToken cancellationToken);

/// <summary>
/// How one target type's jobs go out: at most <see cref="BatchSize"/> per call through <see cref="Send"/>, and the key each
/// job's record is written under (<see cref="KeyOf"/>, normalised: jobs with equal keys are never in flight together).
/// </summary>
internal sealed record JobTarget(string TargetType, int BatchSize, JobSender Send, Func<QueuedJob, string> KeyOf, string Phase);

/// <summary>
/// Drains one direction's pending jobs, oldest first, in batches with up to <c>concurrency</c> of them in flight at once.
/// A job leaves the queue only after its target answered for it: done (its record state is kept) or Failed (parked for
/// replay with the reason). A crash before that leaves it pending, and the next run sends it again; targets are written
/// by upsert, so that makes no duplicate. Only the sending runs concurrently: each answered batch is settled — record
/// states, then the queue, then its audit lines, as one step — on the caller's flow, one batch at a time, so the state
/// store and the audit trail are used by one flow as before. Two jobs whose records share a key are never in flight
/// together: the later one waits until the earlier has been settled. After a batch fails (its jobs stay pending) no new
/// batch starts; those in flight are awaited and settled, and <see cref="StoppedBy"/> says why.
/// </summary>
internal sealed class QueueDrain
{
    private readonly SyncContext _context;
    private readonly SyncDirection _direction;
    private readonly IWorkQueue _queue;
    private readonly IRecordStates _records;
    private readonly int _concurrency;
    private readonly Action? _settled;
    private readonly List<Batch> _inFlight = new();
    private readonly List<(QueuedJob Job, string Key)> _waiting = new();
    private readonly HashSet<string> _taken = new(StringComparer.Ordinal);
    private readonly HashSet<string> _keysInFlight = new(StringComparer.Ordinal);
    private readonly HashSet<string> _drained = new(StringComparer.Ordinal);
    private string? _waitingType;
    private readonly Dictionary<string, long> _processed = new(StringComparer.Ordinal);

    /// <param name="settled">Called after each settled batch, on the caller's flow (the run's count of Marketo calls is saved there).</param>
    public QueueDrain(SyncContext context, SyncDirection direction, int concurrency, Action? settled = null)
    {
        _settled = settled;
        _context = context;
        _direction = direction;
        _queue = context.State.Queue(direction);
        _records = context.State.Records(direction);
        _concurrency = Math.Max(1, concurrency);
    }

    /// <summary>The first failure of a send (or of starting one); no batch starts after it. Null while all is well.</summary>
    public ExceptionDispatchInfo? StoppedBy { get; private set; }

    public int InFlight => _inFlight.Count;

    /// <summary>Whether jobs of this type were taken and are not settled yet (waiting for a slot or in flight).</summary>
    public bool Holds(string targetType)
        => _inFlight.Any(b => b.TargetType == targetType) || (_waitingType == targetType && _waiting.Count > 0);

    /// <summary>Whether every pending job of the type has been sent and settled, as far as the last read of the queue showed.</summary>
    public bool Done(string targetType) => _drained.Contains(targetType) && !Holds(targetType);

    /// <summary>Says that jobs of the type were enqueued: the next start reads the queue again even if it found none before.</summary>
    public void Enqueued(string targetType) => _drained.Remove(targetType);

    /// <summary>
    /// Starts batches of the target's type while a slot is free: full ones only, or with <paramref name="partial"/> the last,
    /// smaller one too. Returns how many started.
    /// </summary>
    public int Start(JobTarget target, bool partial, CancellationToken cancellationToken)
    {
        var started = 0;
        while (StoppedBy is null && _inFlight.Count < _concurrency)
        {
            if (_waitingType != target.TargetType && _waiting.Count == 0) _waitingType = target.TargetType;
            if (_waitingType != target.TargetType) break; // another type's jobs still wait; its caller drains them first
            if (_waiting.Count < target.BatchSize && !_drained.Contains(target.TargetType)) Refill(target);
            var batch = NextBatch(target, partial);
            if (batch is null) break;
            Send(target, batch, cancellationToken);
            started++;
        }
        return started;
    }

    /// <summary>Completes when any batch in flight has answered or failed; null when none is in flight.</summary>
    public Task? AnyAnswered() => _inFlight.Count == 0 ? null : Task.WhenAny(_inFlight.Select(b => b.Task));

    /// <summary>Settles every batch that has answered, oldest first, and returns their results; a failed batch's jobs stay pending.</summary>
    public List<SyncResult> SettleAnswered()
    {
        var results = new List<SyncResult>();
        foreach (var batch in _inFlight.Where(b => b.Task.IsCompleted).ToList())
        {
            _inFlight.Remove(batch);
            foreach (var (job, key) in batch.Jobs)
            {
                _taken.Remove(job.JobId);
                _keysInFlight.Remove(key);
            }
            if (batch.Task.IsCompletedSuccessfully)
            {
                results.AddRange(Settle(batch.Jobs.Select(j => j.Job).ToList(), batch.Task.Result));
                var processed = _processed[batch.Phase] = _processed.GetValueOrDefault(batch.Phase) + batch.Jobs.Count;
                _context.Progress?.Report(new SyncProgress(batch.Phase, processed));
            }
            else
            {
                StoppedBy ??= ExceptionDispatchInfo.Capture(batch.Task.Exception?.InnerException ?? new TaskCanceledException(batch.Task));
            }
            _settled?.Invoke();
        }
        return results;
    }

    /// <summary>Sends every pending job of the target's type, several batches at a time, until none is left; rethrows the failure that stopped it.</summary>
    public async IAsyncEnumerable<SyncResult> DrainAsync(JobTarget target, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        while (true)
        {
            Start(target, partial: true, cancellationToken);
            if (AnyAnswered() is not { } answered) break;
            await answered.ConfigureAwait(false);
            foreach (var result in SettleAnswered()) yield return result;
        }
        StoppedBy?.Throw();
    }

    /// <summary>
    /// Reads the oldest pending jobs of the type past those already taken. Jobs taken but not settled are still pending
    /// and come first, so the read asks for that many more; those are skipped.
    /// </summary>
    private void Refill(JobTarget target)
    {
        var asked = _taken.Count + _concurrency * target.BatchSize;
        var jobs = _queue.Take(QueuedJobStatus.Pending, target.TargetType, asked);
        var added = 0;
        foreach (var job in jobs)
        {
            if (!_taken.Add(job.JobId)) continue;
            _waiting.Add((job, target.KeyOf(job)));
            added++;
        }
        if (jobs.Count < asked || added == 0) _drained.Add(target.TargetType);
    }

    /// <summary>The next batch in queue order, leaving for later any job whose key is in flight or already in this batch.</summary>
    private List<(QueuedJob Job, string Key)>? NextBatch(JobTarget target, bool partial)
    {
        var batch = new List<(QueuedJob, string)>(Math.Min(target.BatchSize, _waiting.Count));
        var keys = new HashSet<string>(StringComparer.Ordinal);
        var picked = new List<int>();
        for (var i = 0; i < _waiting.Count && batch.Count < target.BatchSize; i++)
        {
            var (job, key) = _waiting[i];
            if (_keysInFlight.Contains(key) || !keys.Add(key)) continue;
            batch.Add((job, key));
            picked.Add(i);
        }
        if (batch.Count == 0 || (batch.Count < target.BatchSize && !partial)) return null;
        for (var i = picked.Count - 1; i >= 0; i--) _waiting.RemoveAt(picked[i]);
        return batch;
    }

    private void Send(JobTarget target, List<(QueuedJob Job, string Key)> batch, CancellationToken cancellationToken)
    {
        foreach (var (_, key) in batch) _keysInFlight.Add(key);
        var jobs = batch.Select(b => b.Job).ToList();
        // Task.Run: the sender's synchronous part (building the request) must not hold up the caller's flow.
        var task = Task.Run(() => target.Send(jobs, cancellationToken), cancellationToken);
        _inFlight.Add(new Batch(target.TargetType, target.Phase, batch, task));
    }

    /// <summary>Keeps what the target answered for the jobs: links, record states, done jobs out of the queue, failed ones parked; then their audit lines.</summary>
    internal List<SyncResult> Settle(IReadOnlyList<QueuedJob> jobs, IReadOnlyList<JobOutcome> outcomes)
    {
        var now = _context.Time.GetUtcNow();
        var done = new List<QueuedJob>(jobs.Count);
        var parked = new List<(QueuedJob, string)>();
        var written = new List<RecordState>(jobs.Count);
        var links = new List<RecordLink>();
        for (var i = 0; i < jobs.Count; i++)
        {
            var outcome = outcomes[i];
            if (outcome.Result.Action == SyncAction.Failed) parked.Add((jobs[i], outcome.Result.Reason ?? "failed"));
            else done.Add(jobs[i]);
            if (outcome.Written is { } state) written.Add(state);
            if (outcome.Link is { } link) links.Add(link);
        }
        if (links.Count > 0) _context.State.Links.Save(links);
        _records.Save(written);
        _queue.Complete(done);
        _queue.Park(parked, now);
        var results = outcomes.Select(o => o.Result).ToList();
        SyncAudit.Write(_context, _direction, results);
        return results;
    }

    private sealed record Batch(string TargetType, string Phase, List<(QueuedJob Job, string Key)> Jobs, Task<IReadOnlyList<JobOutcome>> Task);
}
