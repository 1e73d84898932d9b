using System.Runtime.CompilerServices;
using MlConnector.Engine.Mapping;
using MlConnector.Engine.Marketo;
using MlConnector.Engine.State;

namespace MlConnector.Engine.Sync;

/// <summary>
/// Drains the work queue into Marketo in calls of at most 300 records: companies first, then leads.
/// A job leaves the queue only after Marketo answered for it — written (its content hash is kept),
/// skipped for CRM sync, or parked for replay with Marketo's reason. A crash before that leaves it
/// pending, and the next run sends it again (an upsert, so no duplicate).
/// </summary>
internal sealed class SyncExecutor
{
    private readonly SyncContext _context;

    public SyncExecutor(SyncContext context) => _context = context;

    /// <summary>Sends pending jobs of one type until none is left, or (<paramref name="fullBatchesOnly"/>) fewer than a full call's worth.</summary>
    public async IAsyncEnumerable<SyncResult> DrainAsync(string targetType, [EnumeratorCancellation] CancellationToken cancellationToken, bool fullBatchesOnly = false)
    {
        long processed = 0;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var jobs = _context.State.Queue.Take(QueuedJobStatus.Pending, targetType, MarketoLimits.MaxBatch);
            if (jobs.Count == 0 || (fullBatchesOnly && jobs.Count < MarketoLimits.MaxBatch)) yield break;
            var records = jobs.Select(QueuedRecord.FromJob).ToList();
            var answers = await SendAsync(targetType, records, cancellationToken).ConfigureAwait(false);

            var results = Settle(jobs, records, answers);
            SyncAudit.Write(_context, results);
            foreach (var result in results) yield return result;
            processed += jobs.Count;
            _context.Progress?.Report(new SyncProgress(targetType == MarketoRecord.Company ? "Writing companies" : "Writing leads", processed));
        }
    }

    private Task<IReadOnlyList<MarketoRecordResult>> SendAsync(string targetType, List<MarketoRecord> records, CancellationToken cancellationToken)
    {
        var input = records.Select(r => r.Fields).ToList();
        return targetType == MarketoRecord.Company
            ? _context.Marketo.SyncCompaniesAsync(input, MarketoSyncAction.CreateOrUpdate, "dedupeFields", cancellationToken)
            : _context.Marketo.SyncLeadsAsync(input, MarketoSyncAction.CreateOrUpdate, _context.Mapper.Mapping.Lead.KeyField, cancellationToken);
    }

    private List<SyncResult> Settle(IReadOnlyList<QueuedJob> jobs, List<MarketoRecord> records, IReadOnlyList<MarketoRecordResult> answers)
    {
        var now = _context.Time.GetUtcNow();
        var results = new List<SyncResult>(jobs.Count);
        var done = new List<QueuedJob>();
        var written = new List<RecordState>();
        var parked = new List<(QueuedJob, string)>();
        for (var i = 0; i < jobs.Count; i++)
        {
            var record = records[i];
            var answer = answers.FirstOrDefault(a => a.Seq == i) ?? (i < answers.Count ? answers[i] : null);
            SyncAction action;
            string? reason = null;
            if (answer is { Succeeded: true })
            {
                action = answer.Status == MarketoRecordStatus.Created ? SyncAction.Created : SyncAction.Updated;
                written.Add(new RecordState(record.TargetKey, record.SourceNumber, record.ContentHash, answer.Id, now));
                done.Add(jobs[i]);
            }
            else if (answer is not null && record.TargetType == MarketoRecord.Company && answer.HasReason(MarketoErrorCodes.CrmEnabled))
            {
                action = SyncAction.Skipped;
                reason = SyncReasons.CrmSyncEnabled;
                written.Add(new RecordState(record.TargetKey, record.SourceNumber, SyncPlanner.CrmSkippedPrefix + record.ContentHash, null, now));
                done.Add(jobs[i]);
            }
            else
            {
                action = SyncAction.Failed;
                reason = answer is null
                    ? "Marketo returned no result for this record"
                    : string.Join("; ", answer.Reasons.Select(r => r.Code + " " + r.Message)) is { Length: > 0 } why ? why : "Marketo status " + answer.Status;
                parked.Add((jobs[i], reason));
            }
            results.Add(new SyncResult
            {
                SourceType = record.SourceType, SourceNumber = record.SourceNumber, TargetType = record.TargetType, TargetKey = record.Key,
                Action = action, Reason = reason, MarketoId = answer?.Id, RequestId = answer?.RequestId, CorrelationId = _context.CorrelationId,
                ChangedFields = action is SyncAction.Created or SyncAction.Updated ? record.Fields.Keys.ToArray() : Array.Empty<string>(),
            });
        }
        _context.State.Records.Save(written);
        _context.State.Queue.Complete(done);
        _context.State.Queue.Park(parked, now);
        return results;
    }
}
