using MlConnector.Engine.Mapping;
using MlConnector.Engine.Marketo;
using MlConnector.Engine.State;

namespace MlConnector.Engine.Sync.BcToMarketo;

/// <summary>
/// Sends queued records to Marketo in calls of at most 300 (companies before leads is the caller's order) and reads
/// Marketo's answer per record: written (its content hash, per-field digests and Marketo id are kept, and the result
/// names the fields whose values differ from what the connector last wrote), skipped because Companies are read-only
/// under CRM sync, or Failed with Marketo's reason (parked for replay).
/// </summary>
internal sealed class MarketoWriter
{
    private readonly SyncContext _context;
    private readonly BcToMarketoMapper _mapper;
    private readonly QueueDrain _drain;
    private readonly IRecordStates _records;

    public MarketoWriter(SyncContext context, BcToMarketoMapper mapper)
    {
        _context = context;
        _mapper = mapper;
        _drain = new QueueDrain(context, SyncDirection.BcToMarketo);
        _records = context.State.Records(SyncDirection.BcToMarketo);
    }

    /// <summary>Sends pending jobs of one type until none is left, or (<paramref name="fullBatchesOnly"/>) fewer than a full call's worth.</summary>
    public IAsyncEnumerable<SyncResult> DrainAsync(string targetType, CancellationToken cancellationToken, bool fullBatchesOnly = false)
        => _drain.DrainAsync(targetType, MarketoLimits.MaxBatch, SendAsync, targetType == MarketoRecord.Company ? "Writing companies" : "Writing leads",
            cancellationToken, fullBatchesOnly);

    private async Task<IReadOnlyList<JobOutcome>> SendAsync(IReadOnlyList<QueuedJob> jobs, CancellationToken cancellationToken)
    {
        var records = jobs.Select(MarketoJobs.FromJob).ToList();
        var lastWritten = _records.Get(records.Select(r => r.TargetKey));
        var input = records.Select(r => r.Fields).ToList();
        var targetType = jobs[0].TargetType;
        var answers = targetType == MarketoRecord.Company
            ? await _context.Marketo.SyncCompaniesAsync(input, MarketoSyncAction.CreateOrUpdate, "dedupeFields", cancellationToken).ConfigureAwait(false)
            : await _context.Marketo.SyncLeadsAsync(input, MarketoSyncAction.CreateOrUpdate, _mapper.Mapping.Lead.KeyField, cancellationToken).ConfigureAwait(false);
        var outcomes = Outcomes(records, answers, lastWritten);
        SaveLinks(records, outcomes);
        return outcomes;
    }

    /// <summary>Keeps which Marketo record each written BC record is, as soon as Marketo has said.</summary>
    private void SaveLinks(List<MarketoRecord> records, List<JobOutcome> outcomes)
    {
        var now = _context.Time.GetUtcNow();
        var links = new List<RecordLink>();
        for (var i = 0; i < records.Count; i++)
        {
            if (outcomes[i].Result.MarketoId is not { } marketoId || outcomes[i].Result.Action is not (SyncAction.Created or SyncAction.Updated)) continue;
            var record = records[i];
            links.Add(new RecordLink(record.TargetType == MarketoRecord.Company ? LinkKind.Customer : LinkKind.Contact, record.SourceNumber, record.SourceId,
                marketoId, record.Key, now));
        }
        if (links.Count > 0) _context.State.Links.Save(links);
    }

    private List<JobOutcome> Outcomes(List<MarketoRecord> records, IReadOnlyList<MarketoRecordResult> answers, IReadOnlyDictionary<string, RecordState> lastWritten)
    {
        var now = _context.Time.GetUtcNow();
        var outcomes = new List<JobOutcome>(records.Count);
        for (var i = 0; i < records.Count; i++)
        {
            var record = records[i];
            var answer = answers.FirstOrDefault(a => a.Seq == i) ?? (i < answers.Count ? answers[i] : null);
            SyncAction action;
            string? reason = null;
            RecordState? written = null;
            IReadOnlyList<string> changed = [];
            if (answer is { Succeeded: true })
            {
                action = answer.Status == MarketoRecordStatus.Created ? SyncAction.Created : SyncAction.Updated;
                var digests = ContentHash.FieldDigests(record.TargetKey, record.Fields);
                // A record new to Marketo has every field written; an update names those that differ from the connector's last write.
                changed = ContentHash.ChangedFields(digests, action == SyncAction.Created ? null : lastWritten.GetValueOrDefault(record.TargetKey)?.FieldHashes);
                written = new RecordState(record.TargetKey, record.SourceNumber, record.ContentHash, answer.Id?.ToString(System.Globalization.CultureInfo.InvariantCulture), now)
                {
                    FieldHashes = digests,
                };
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
                ChangedFields = changed,
            }, written));
        }
        return outcomes;
    }
}
