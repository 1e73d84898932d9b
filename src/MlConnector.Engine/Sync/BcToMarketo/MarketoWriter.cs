using MlConnector.Engine.Mapping;
using MlConnector.Engine.Marketo;
using MlConnector.Engine.State;
using MlConnector.Engine.Sync.BulkImport;

namespace MlConnector.Engine.Sync.BcToMarketo;

/// <summary>
/// Sends queued records to Marketo in calls of at most 300, several calls in flight at once (companies before leads is
/// the caller's order), and reads Marketo's answer per record: written (its content hash, Marketo id and link are kept),
/// skipped because Companies are read-only under CRM sync, or Failed with Marketo's reason (parked for replay).
/// </summary>
internal sealed class MarketoWriter
{
    private readonly SyncContext _context;
    private readonly BcToMarketoMapper _mapper;

    /// <param name="ledger">Keeps the pair's count of today's Marketo calls; saved after each settled batch.</param>
    public MarketoWriter(SyncContext context, BcToMarketoMapper mapper, DailyCallLedger ledger)
    {
        _context = context;
        _mapper = mapper;
        Drain = new QueueDrain(context, SyncDirection.BcToMarketo, context.BatchesInFlight ?? context.Marketo.MaxConcurrency, ledger.Save);
        Companies = new JobTarget(MarketoRecord.Company, MarketoLimits.MaxBatch, SendAsync, MarketoJobs.KeyOf, "Writing companies");
        Leads = new JobTarget(MarketoRecord.Lead, MarketoLimits.MaxBatch, SendAsync, MarketoJobs.KeyOf, "Writing leads");
        Bulk = new BulkLeadImport(context, Drain, mapper.Mapping.Lead.KeyField, ledger.Save);
    }

    /// <summary>Leads by Bulk Lead Import, settled through <see cref="Drain"/>; also resumes imports an earlier run left.</summary>
    public BulkLeadImport Bulk { get; }

    /// <summary>The batches in flight and their settling; the caller decides which type goes when.</summary>
    public QueueDrain Drain { get; }

    public JobTarget Companies { get; }

    public JobTarget Leads { get; }

    public JobTarget Target(string targetType) => targetType == MarketoRecord.Company ? Companies : Leads;

    /// <summary>Sends pending jobs of one type until none is left.</summary>
    public IAsyncEnumerable<SyncResult> DrainAsync(string targetType, CancellationToken cancellationToken) => Drain.DrainAsync(Target(targetType), cancellationToken);

    private async Task<IReadOnlyList<JobOutcome>> SendAsync(IReadOnlyList<QueuedJob> jobs, CancellationToken cancellationToken)
    {
        var records = jobs.Select(MarketoJobs.FromJob).ToList();
        var input = records.Select(r => r.Fields).ToList();
        var targetType = jobs[0].TargetType;
        var answers = targetType == MarketoRecord.Company
            ? await _context.Marketo.SyncCompaniesAsync(input, MarketoSyncAction.CreateOrUpdate, "dedupeFields", cancellationToken).ConfigureAwait(false)
            : await _context.Marketo.SyncLeadsAsync(input, MarketoSyncAction.CreateOrUpdate, _mapper.Mapping.Lead.KeyField, cancellationToken).ConfigureAwait(false);
        return Outcomes(records, answers);
    }

    private List<JobOutcome> Outcomes(List<MarketoRecord> records, IReadOnlyList<MarketoRecordResult> answers)
    {
        var now = _context.Time.GetUtcNow();
        var outcomes = new List<JobOutcome>(records.Count);
        for (var i = 0; i < records.Count; i++)
        {
            var record = records[i];
            var answer = i < answers.Count && answers[i].Seq == i ? answers[i] : answers.FirstOrDefault(a => a.Seq == i) ?? (i < answers.Count ? answers[i] : null);
            SyncAction action;
            string? reason = null;
            RecordState? written = null;
            if (answer is { Succeeded: true })
            {
                action = answer.Status == MarketoRecordStatus.Created ? SyncAction.Created : SyncAction.Updated;
                written = new RecordState(record.TargetKey, record.SourceNumber, record.ContentHash, answer.Id?.ToString(System.Globalization.CultureInfo.InvariantCulture), now);
            }
            else if (answer is not null && record.TargetType == MarketoRecord.Company && answer.HasReason(MarketoErrorCodes.CrmEnabled))
            {
                action = SyncAction.Skipped;
                reason = SyncReasons.CrmSyncEnabled;
                written = new RecordState(record.TargetKey, record.SourceNumber, BcToMarketoPlanner.CrmSkippedPrefix + record.ContentHash, null, now);
            }
            else
            {
                action = SyncAction.Failed;
                reason = answer is null
                    ? "Marketo returned no result for this record"
                    : string.Join("; ", answer.Reasons.Select(r => r.Code + " " + r.Message)) is { Length: > 0 } why ? why : "Marketo status " + answer.Status;
            }
            outcomes.Add(new JobOutcome(new SyncResult
            {
                SourceType = record.SourceType, SourceNumber = record.SourceNumber, TargetType = record.TargetType, TargetKey = record.Key,
                Action = action, Reason = reason, MarketoId = answer?.Id, RequestId = answer?.RequestId, CorrelationId = _context.CorrelationId,
                ChangedFields = action is SyncAction.Created or SyncAction.Updated ? record.Fields.Keys.ToArray() : Array.Empty<string>(),
            }, written, Link(record, action, answer?.Id, now)));
        }
        return outcomes;
    }

    /// <summary>Which Marketo record a written BC record is, as soon as Marketo has said (kept when the batch is settled).</summary>
    private static RecordLink? Link(MarketoRecord record, SyncAction action, long? marketoId, DateTimeOffset now)
        => marketoId is { } id && action is SyncAction.Created or SyncAction.Updated
            ? new RecordLink(record.TargetType == MarketoRecord.Company ? LinkKind.Customer : LinkKind.Contact, record.SourceNumber, record.SourceId, id, record.Key, now)
            : null;
}
