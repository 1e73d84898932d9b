using System.Globalization;
using MlConnector.Engine.Mapping;
using MlConnector.Engine.Marketo;
using MlConnector.Engine.State;
using MlConnector.Engine.Sync.BulkImport;

namespace MlConnector.Engine.Sync.BcToMarketo;

/// <summary>
/// Sends queued records to Marketo in calls of at most 300, several calls in flight at once (companies before leads is
/// the caller's order), and reads Marketo's answer per record: written (its content hash, per-field digests and Marketo id are kept, and the result
/// names the fields whose values differ from what the connector last wrote), skipped because Companies are read-only
/// under CRM sync, or Failed with Marketo's reason (parked for replay). Privacy actions on leads go as updateOnly or
/// Delete Leads; a lead Marketo no longer has needs no action and is kept as done.
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

    /// <summary>Writes the audit lines an earlier run could not write, and settles those records (see <see cref="QueueDrain.SettleHeldAnswers"/>).</summary>
    public void SettleHeldAnswers() => Drain.SettleHeldAnswers();

    /// <summary>Sends one batch (several write kinds in their own calls) and reads the answers; touches no state, since batches run concurrently.</summary>
    private async Task<IReadOnlyList<JobOutcome>> SendAsync(IReadOnlyList<QueuedJob> jobs, CancellationToken cancellationToken)
    {
        // Records and request are made once the gate has room: a batch waiting for the next window holds only its jobs.
        await _context.Marketo.WaitForRoomAsync(cancellationToken).ConfigureAwait(false);
        var records = jobs.Select(MarketoJobs.FromJob).ToList();
        var answers = new MarketoRecordResult?[records.Count];
        foreach (var group in records.Select((record, index) => (Record: record, Index: index)).GroupBy(r => r.Record.Write))
        {
            var items = group.ToList();
            var results = await WriteAsync(group.Key, items.Select(i => i.Record).ToList(), cancellationToken).ConfigureAwait(false);
            for (var k = 0; k < items.Count; k++)
                answers[items[k].Index] = results.FirstOrDefault(a => a.Seq == k) ?? (k < results.Count ? results[k] : null);
        }
        var outcomes = Outcomes(records, answers);
        Tell(records[0].TargetType, outcomes);
        return outcomes;
    }

    private async Task<IReadOnlyList<MarketoRecordResult>> WriteAsync(MarketoWriteKind kind, List<MarketoRecord> records, CancellationToken cancellationToken)
    {
        var marketo = _context.Marketo;
        var input = records.Select(r => r.Fields).ToList();
        switch (kind)
        {
            case MarketoWriteKind.Delete:
                return await DeleteAsync(records, cancellationToken).ConfigureAwait(false);
            case MarketoWriteKind.UpdateOnly:
                return await marketo.SyncLeadsAsync(input, MarketoSyncAction.UpdateOnly, _mapper.Mapping.Lead.KeyField, cancellationToken).ConfigureAwait(false);
            default:
                return records[0].TargetType == MarketoRecord.Company
                    ? await marketo.SyncCompaniesAsync(input, MarketoSyncAction.CreateOrUpdate, "dedupeFields", cancellationToken).ConfigureAwait(false)
                    : await marketo.SyncLeadsAsync(input, MarketoSyncAction.CreateOrUpdate, _mapper.Mapping.Lead.KeyField, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Delete Leads by id; a lead queued without its id is looked up by email first (absent: nothing to delete).</summary>
    private async Task<IReadOnlyList<MarketoRecordResult>> DeleteAsync(List<MarketoRecord> records, CancellationToken cancellationToken)
    {
        var ids = records.Select(r => r.Fields.GetValueOrDefault("id") is { } id ? Convert.ToInt64(id, CultureInfo.InvariantCulture) : (long?)null).ToArray();
        var unknown = records.Where((_, i) => ids[i] is null).Select(r => r.Key).ToArray();
        if (unknown.Length > 0)
        {
            var found = new Dictionary<string, long>(StringComparer.Ordinal);
            await foreach (var lead in _context.Marketo.GetLeadsByFilterAsync("email", unknown, ["id", "email"], cancellationToken).ConfigureAwait(false))
                if (lead.GetValueOrDefault("email") is string email && lead.GetValueOrDefault("id") is { } id)
                    found.TryAdd(EmailRules.Normalize(email), Convert.ToInt64(id, CultureInfo.InvariantCulture));
            for (var i = 0; i < ids.Length; i++) ids[i] ??= found.TryGetValue(EmailRules.Normalize(records[i].Key), out var id) ? id : null;
        }
        var known = ids.Select((id, i) => (Id: id, Index: i)).Where(x => x.Id is not null).ToList();
        var deleted = known.Count == 0 ? [] : await _context.Marketo.DeleteLeadsAsync(known.Select(x => x.Id!.Value).ToList(), cancellationToken).ConfigureAwait(false);
        var results = new MarketoRecordResult[records.Count];
        for (var i = 0; i < records.Count; i++)
            results[i] = new MarketoRecordResult(i, null, MarketoRecordStatus.Skipped, [new MarketoReason(MarketoErrorCodes.LeadNotFound, "Lead not found")], null);
        for (var k = 0; k < known.Count; k++)
            results[known[k].Index] = (deleted.FirstOrDefault(d => d.Seq == k) ?? deleted[k]) with { Seq = known[k].Index, Id = known[k].Id };
        return results;
    }

    private List<JobOutcome> Outcomes(List<MarketoRecord> records, IReadOnlyList<MarketoRecordResult?> answers)
    {
        var now = _context.Time.GetUtcNow();
        var outcomes = new List<JobOutcome>(records.Count);
        for (var i = 0; i < records.Count; i++)
        {
            var record = records[i];
            var answer = answers[i];
            SyncAction action;
            var reason = record.Reason;
            RecordState? written = null;
            IReadOnlyList<string> changed = [];
            if (answer is { Succeeded: true })
            {
                action = answer.Status switch { MarketoRecordStatus.Created => SyncAction.Created, MarketoRecordStatus.Deleted => SyncAction.Deleted, _ => SyncAction.Updated };
                var digests = ContentHash.FieldDigests(record.TargetKey, record.Fields);
                // Every field written; for an update the drain narrows this to the fields that differ from the connector's last write.
                changed = action == SyncAction.Deleted ? [] : ContentHash.ChangedFields(digests, null);
                written = new RecordState(record.TargetKey, record.SourceNumber, record.ContentHash, answer.Id?.ToString(CultureInfo.InvariantCulture), now)
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
            else if (answer is not null && record.Write != MarketoWriteKind.Upsert && answer.HasReason(MarketoErrorCodes.LeadNotFound))
            {
                // A privacy action on a lead Marketo no longer has: nothing left to act on, and nothing was created.
                action = SyncAction.Skipped;
                written = new RecordState(record.TargetKey, record.SourceNumber, record.ContentHash, null, now);
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
            }, written, Link(record, action, answer?.Id, now)));
        }
        return outcomes;
    }

    /// <summary>Which Marketo record a written BC record is, as soon as Marketo has said (kept when the batch is settled).</summary>
    private static RecordLink? Link(MarketoRecord record, SyncAction action, long? marketoId, DateTimeOffset now)
        => marketoId is { } id && action is SyncAction.Created or SyncAction.Updated
            ? new RecordLink(record.TargetType == MarketoRecord.Company ? LinkKind.Customer : LinkKind.Contact, record.SourceNumber, record.SourceId, id, record.Key, now)
            : null;

    /// <summary>The batch in the verbose story: how many went, under which Marketo request ids, and what came of them (counts, never values).</summary>
    private void Tell(string targetType, List<JobOutcome> outcomes)
    {
        var requestIds = outcomes.Select(o => o.Result.RequestId).OfType<string>().Distinct(StringComparer.Ordinal).ToArray();
        var counts = outcomes.GroupBy(o => o.Result.Action).OrderBy(g => g.Key).Select(g => $"{g.Count()} {g.Key.ToString().ToLowerInvariant()}");
        _context.Log.Verbose($"Sent {outcomes.Count} {(targetType == MarketoRecord.Company ? "company" : "lead")} record(s) to Marketo " +
            $"(requestId {(requestIds.Length == 0 ? "-" : string.Join(", ", requestIds))}): {string.Join(", ", counts)}.");
    }
}
