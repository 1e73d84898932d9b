using System.Runtime.CompilerServices;
using MlConnector.Engine.State;

namespace MlConnector.Engine.Sync;

/// <summary>
/// What became of one job its target answered for: the result to report, and the record state to keep (null: keep none).
/// <paramref name="AlsoTouched"/>: results for further records the job wrote (a reverse job that created the customer
/// its contact belongs to); reported and audited with it, never deciding whether the job is done.
/// </summary>
internal sealed record JobOutcome(SyncResult Result, RecordState? Written, IReadOnlyList<SyncResult>? AlsoTouched = null);

/// <summary>Sends one batch of jobs to the direction's target and says, per job and in order, what became of it.</summary>
internal delegate Task<IReadOnlyList<JobOutcome>> JobSender(IReadOnlyList<QueuedJob> jobs, CancellationToken cancellationToken);

/// <summary>
/// Drains one direction's pending jobs of one target type, oldest first, a batch at a time. A job leaves the queue
/// only after its target answered for it and its audit line is on disk: done (its record state is kept) or Failed
/// (parked for replay with the reason). A crash before the answer leaves it pending, and the next run sends it again;
/// targets are written by upsert, so that makes no duplicate. An audit that cannot be written stops the run with the
/// answers held in the queue (<see cref="HeldAnswers"/>): the next drain writes their lines and settles them unsent.
/// </summary>
internal sealed class QueueDrain(SyncContext context, SyncDirection direction)
{
    private readonly IWorkQueue _queue = context.State.Queue(direction);
    private readonly IRecordStates _records = context.State.Records(direction);

    // Jobs sent per target type by this drain's run, so progress counts on across the run's drains.
    private readonly Dictionary<string, long> _sent = new(StringComparer.Ordinal);

    /// <summary>Sends pending jobs until none is left, or (<paramref name="fullBatchesOnly"/>) fewer than <paramref name="batchSize"/>.</summary>
    public async IAsyncEnumerable<SyncResult> DrainAsync(string targetType, int batchSize, JobSender send, string phase,
        [EnumeratorCancellation] CancellationToken cancellationToken, bool fullBatchesOnly = false)
    {
        SettleHeldAnswers();
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var jobs = _queue.Take(QueuedJobStatus.Pending, targetType, batchSize);
            if (jobs.Count == 0 || (fullBatchesOnly && jobs.Count < batchSize)) yield break;
            var sent = _sent.GetValueOrDefault(targetType);
            context.Progress?.Report(new SyncProgress(phase, sent, sent + _queue.Count(QueuedJobStatus.Pending, targetType)));
            var outcomes = await send(jobs, cancellationToken).ConfigureAwait(false);
            var results = Results(outcomes);
            // The audit line first, then the settlement: a record is never settled without its line.
            AuditOrHold(jobs, outcomes, results);
            Settle(jobs, outcomes);
            foreach (var result in results) yield return result;
            _sent[targetType] = sent += jobs.Count;
            context.Progress?.Report(new SyncProgress(phase, sent, sent + _queue.Count(QueuedJobStatus.Pending, targetType)));
        }
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
        SyncAudit.Write(context, direction, Results(outcomes));
        // As taken when answered: a job enqueued again since (a newer payload) stays, pending.
        Settle(held.Select((h, i) => h.Job with { UpdatedAt = answers[i].TakenUpdatedAt }).ToList(), outcomes);
        context.Log.Verbose($"Wrote the audit lines of {held.Count} record(s) the target had answered for when an earlier run stopped on an unwritable audit, and settled them without sending them again.");
    }

    /// <summary>Each job's result, after the results of the further records it wrote.</summary>
    private static List<SyncResult> Results(IReadOnlyList<JobOutcome> outcomes)
        => outcomes.SelectMany(o => o.AlsoTouched is { Count: > 0 } also ? [.. also, o.Result] : new[] { o.Result }).ToList();

    private void AuditOrHold(IReadOnlyList<QueuedJob> jobs, IReadOnlyList<JobOutcome> outcomes, IReadOnlyList<SyncResult> results)
    {
        try
        {
            SyncAudit.Write(context, direction, results);
        }
        catch (MlConnectorException e) when (e.ErrorId == SyncAudit.UnwritableId)
        {
            _queue.HoldAnswers(jobs.Select((job, i) => (job, HeldAnswers.Write(outcomes[i], job.UpdatedAt))));
            throw;
        }
    }

    private void Settle(IReadOnlyList<QueuedJob> jobs, IReadOnlyList<JobOutcome> outcomes)
    {
        var now = context.Time.GetUtcNow();
        var done = new List<QueuedJob>(jobs.Count);
        var parked = new List<(QueuedJob, string)>();
        var written = new List<RecordState>(jobs.Count);
        for (var i = 0; i < jobs.Count; i++)
        {
            var outcome = outcomes[i];
            if (outcome.Result.Action == SyncAction.Failed) parked.Add((jobs[i], outcome.Result.Reason ?? "failed"));
            else done.Add(jobs[i]);
            if (outcome.Written is { } state) written.Add(state);
        }
        _records.Save(written);
        _queue.Complete(done);
        _queue.Park(parked, now);
    }
}
