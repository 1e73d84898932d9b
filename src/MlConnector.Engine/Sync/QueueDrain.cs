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
/// only after its target answered for it: done (its record state is kept) or Failed (parked for replay with the
/// reason). A crash before that leaves it pending, and the next run sends it again; targets are written by upsert,
/// so that makes no duplicate.
/// </summary>
internal sealed class QueueDrain(SyncContext context, SyncDirection direction)
{
    private readonly IWorkQueue _queue = context.State.Queue(direction);
    private readonly IRecordStates _records = context.State.Records(direction);

    /// <summary>Sends pending jobs until none is left, or (<paramref name="fullBatchesOnly"/>) fewer than <paramref name="batchSize"/>.</summary>
    public async IAsyncEnumerable<SyncResult> DrainAsync(string targetType, int batchSize, JobSender send, string phase,
        [EnumeratorCancellation] CancellationToken cancellationToken, bool fullBatchesOnly = false)
    {
        long processed = 0;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var jobs = _queue.Take(QueuedJobStatus.Pending, targetType, batchSize);
            if (jobs.Count == 0 || (fullBatchesOnly && jobs.Count < batchSize)) yield break;
            var outcomes = await send(jobs, cancellationToken).ConfigureAwait(false);
            var results = Settle(jobs, outcomes);
            SyncAudit.Write(context, direction, results);
            foreach (var result in results) yield return result;
            processed += jobs.Count;
            context.Progress?.Report(new SyncProgress(phase, processed));
        }
    }

    private List<SyncResult> Settle(IReadOnlyList<QueuedJob> jobs, IReadOnlyList<JobOutcome> outcomes)
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
        return outcomes.SelectMany(o => o.AlsoTouched is { Count: > 0 } also ? [.. also, o.Result] : new[] { o.Result }).ToList();
    }
}
