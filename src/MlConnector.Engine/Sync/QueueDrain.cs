using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using MlConnector.Engine.Mapping;
using MlConnector.Engine.State;

namespace MlConnector.Engine.Sync;

/// <summary>
/// What became of one job its target answered for: the result to report, the record state to keep (null: keep none) and
/// the link between the source record and the target record the answer named (null: none learnt).
/// <paramref name="AlsoTouched"/>: results for further records the job wrote (a reverse job that created the customer
/// its contact belongs to); reported and audited with it, never deciding whether the job is done.
/// </summary>
internal sealed record JobOutcome(SyncResult Result, RecordState? Written, RecordLink? Link = null, IReadOnlyList<SyncResult>? AlsoTouched = null);

/// <summary>Sends one batch of jobs to the direction's target and says, per job and in order, what became of it. Touches no state.</summary>
internal delegate Task<IReadOnlyList<JobOutcome>> JobSender(IReadOnlyList<QueuedJob> jobs, CancellationToken cancellationToken);

/// <summary>
/// How one target type's jobs go out: at most <see cref="BatchSize"/> per call through <see cref="Send"/>, and the key each
/// job's record is written under (<see cref="KeyOf"/>, normalised: jobs with equal keys are never in flight together).
/// </summary>
internal sealed record JobTarget(string TargetType, int BatchSize, JobSender Send, Func<QueuedJob, string> KeyOf, string Phase);

/// <summary>
/// Drains one direction's pending jobs, oldest first, in batches with up to <c>concurrency</c> of them in flight at once.
/// A job leaves the queue only after its target answered for it and its audit line is on disk: done (its record state is
/// kept) or Failed (parked for replay with the reason). A crash before the answer leaves it pending, and the next run
/// sends it again; targets are written by upsert, so that makes no duplicate. Only the sending runs concurrently: each
/// answered batch is settled — its audit lines, then links, record states and the queue — on the caller's flow, one
/// batch at a time, so the state store and the audit trail are used by one flow as before. An audit that cannot be
/// written stops the run with the answers held in the queue (<see cref="HeldAnswers"/>): the next drain writes their
/// lines and settles them unsent. Two jobs whose records share a key are never in flight
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
    private readonly PendingTally _pending;

    /// <param name="settled">Called after each settled batch, on the caller's flow (the run's count of Marketo calls is saved there).</param>
    public QueueDrain(SyncContext context, SyncDirection direction, int concurrency = 1, Action? settled = null)
    {
        _settled = settled;
        _context = context;
        _direction = direction;
        _queue = context.State.Queue(direction);
        _records = context.State.Records(direction);
        _pending = new PendingTally(_queue, context.Time);
        _concurrency = Math.Max(1, concurrency);
    }

    /// <summary>The first failure of a send (or of starting one); no batch starts after it. Null while all is well.</summary>
    public ExceptionDispatchInfo? StoppedBy { get; private set; }

    public int InFlight => _inFlight.Count;

    /// <summary>Jobs whose batch was answered and settled (done or parked) since the drain was made.</summary>
    public long Settled { get; private set; }

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
                Settled += batch.Jobs.Count;
                var processed = _processed[batch.Phase] = _processed.GetValueOrDefault(batch.Phase) + batch.Jobs.Count;
                // Jobs in flight are still pending in the queue, so processed + pending is the phase's total.
                _context.Progress?.Report(new SyncProgress(batch.Phase, processed, processed + _pending.AfterSettling(batch.TargetType, batch.Jobs.Count)));
            }
            else
            {
                StoppedBy ??= ExceptionDispatchInfo.Capture(batch.Task.Exception?.InnerException ?? new TaskCanceledException(batch.Task));
            }
            _settled?.Invoke();
        }
        return results;
    }

    /// <summary>
    /// Sends every pending job of the target's type, several batches at a time, until none is left (or, with
    /// <paramref name="fullBatchesOnly"/>, fewer than a full batch); rethrows the failure that stopped it.
    /// </summary>
    public async IAsyncEnumerable<SyncResult> DrainAsync(JobTarget target, [EnumeratorCancellation] CancellationToken cancellationToken, bool fullBatchesOnly = false)
    {
        SettleHeldAnswers();
        while (true)
        {
            Start(target, partial: !fullBatchesOnly, cancellationToken);
            var answered = AnyAnswered();
            if (answered is null) break;
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

    /// <summary>Jobs of one target type sent through <paramref name="send"/>, one batch in flight at a time (the reverse flow's writes).</summary>
    public IAsyncEnumerable<SyncResult> DrainAsync(string targetType, int batchSize, JobSender send, string phase, CancellationToken cancellationToken,
        bool fullBatchesOnly = false)
    {
        Enqueued(targetType);
        return DrainAsync(new JobTarget(targetType, batchSize, send, job => job.JobId, phase), cancellationToken, fullBatchesOnly);
    }

    /// <summary>
    /// Writes the audit lines held back when a run stopped on an unwritable audit, then settles those jobs as their
    /// answers said — nothing is sent again. Throws (and holds them still) while the audit stays unwritable.
    /// </summary>
    public void SettleHeldAnswers()
    {
        var held = _queue.Answered();
        if (held.Count == 0) return;
        var answers = held.Select(h => HeldAnswers.Read(h.Answer)).ToList();
        var outcomes = answers.Select(a => a.Outcome).ToList();
        SyncAudit.Write(_context, _direction, Results(outcomes));
        // As taken when answered: a job enqueued again since (a newer payload) stays, pending.
        Keep(held.Select((h, i) => h.Job with { UpdatedAt = answers[i].TakenUpdatedAt }).ToList(), outcomes);
        _context.Log.Verbose($"Wrote the audit lines of {held.Count} record(s) the target had answered for when an earlier run stopped on an unwritable audit, and settled them without sending them again.");
    }

    /// <summary>Keeps what the target answered for the jobs: first their audit lines, then links, record states, done jobs out of the queue, failed ones parked.</summary>
    internal List<SyncResult> Settle(IReadOnlyList<QueuedJob> jobs, IReadOnlyList<JobOutcome> outcomes)
    {
        NameChangedFields(outcomes);
        var results = Results(outcomes);
        // The audit line first, then the settlement: a record is never settled without its line.
        try
        {
            SyncAudit.Write(_context, _direction, results);
        }
        catch (MlConnectorException e) when (e.ErrorId == SyncAudit.UnwritableId)
        {
            _queue.HoldAnswers(jobs.Select((job, i) => (job, HeldAnswers.Write(outcomes[i], job.UpdatedAt))));
            throw;
        }
        Keep(jobs, outcomes);
        return results;
    }

    private void Keep(IReadOnlyList<QueuedJob> jobs, IReadOnlyList<JobOutcome> outcomes)
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
    }

    /// <summary>
    /// An update names only the fields whose values differ from what the connector last wrote to the record, from the
    /// per-field digests in its record state (read here, on the run's flow; a sender touches no state).
    /// </summary>
    private void NameChangedFields(IReadOnlyList<JobOutcome> outcomes)
    {
        var updated = outcomes.Where(o => o.Result.Action == SyncAction.Updated && o.Written?.FieldHashes is not null).ToList();
        if (updated.Count == 0) return;
        var last = _records.Get(updated.Select(o => o.Written!.TargetKey));
        foreach (var outcome in updated)
            if (last.GetValueOrDefault(outcome.Written!.TargetKey)?.FieldHashes is { } previous)
                outcome.Result.ChangedFields = ContentHash.ChangedFields(outcome.Written.FieldHashes!, previous);
    }

    /// <summary>Each job's result, after the results of the further records it wrote.</summary>
    private static List<SyncResult> Results(IReadOnlyList<JobOutcome> outcomes)
        => outcomes.SelectMany(o => o.AlsoTouched is { Count: > 0 } also ? [.. also, o.Result] : new[] { o.Result }).ToList();

    private sealed record Batch(string TargetType, string Phase, List<(QueuedJob Job, string Key)> Jobs, Task<IReadOnlyList<JobOutcome>> Task);
}
