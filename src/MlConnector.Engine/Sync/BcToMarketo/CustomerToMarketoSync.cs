using System.Runtime.CompilerServices;
using MlConnector.Engine.Mapping;
using MlConnector.Engine.State;

namespace MlConnector.Engine.Sync.BcToMarketo;

/// <summary>
/// BC customers and contacts into Marketo companies and leads. Plan (read-only calls), then durably
/// enqueue what must be sent, advance the checkpoints, and drain the queue: companies first, then leads.
/// </summary>
public sealed class CustomerToMarketoSync
{
    private readonly SyncContext _context;
    private readonly BcToMarketoMapper _mapper;
    private readonly IWorkQueue _queue;
    private readonly IRecordStates _records;
    // Describe is read at most once per sync, however many passes it runs (fields do not change within a run).
    private readonly MarketoFields _fields;

    public CustomerToMarketoSync(SyncContext context, BcToMarketoMapper mapper)
    {
        _context = context;
        _mapper = mapper;
        _queue = context.State.Queue(SyncDirection.BcToMarketo);
        _records = context.State.Records(SyncDirection.BcToMarketo);
        _fields = new MarketoFields(context.Marketo);
    }

    /// <summary>Runs the sync and streams one result per record touched; every result is audited.</summary>
    public async IAsyncEnumerable<SyncResult> RunAsync(CustomerSyncRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var writer = new MarketoWriter(_context, _mapper);
        // Before anything is planned: a record an earlier run sent but could not audit must not be planned (and sent) again.
        writer.SettleHeldAnswers();
        await foreach (var result in RunPlannedAsync(writer, request, cancellationToken).ConfigureAwait(false)) yield return result;
    }

    /// <summary>-WhatIf: only reads. One row per record with the planned action and a field-level diff against Marketo's current values.</summary>
    public async IAsyncEnumerable<SyncPlanRow> PlanAsync(CustomerSyncRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var diff = new MarketoDiff(_context.Marketo);
        var planning = new ChunkPlanning(_context, _mapper, _fields);
        var options = new PlanOptions(IgnoreContentHashes: request.Resync, KeepUnchanged: true);
        await foreach (var chunk in planning.PlanAsync(request, options, confirmBeforeWriting: false, cancellationToken).ConfigureAwait(false))
        {
            foreach (var row in chunk.Plan.Immediate.Select(MarketoDiff.FromResult)) yield return row;
            foreach (var compared in await diff.CompareAsync(chunk.Plan.Send, sentWhenDifferent: true, cancellationToken).ConfigureAwait(false)) yield return compared.Row;
            foreach (var compared in await diff.CompareAsync(chunk.Plan.Unchanged, sentWhenDifferent: request.Named, cancellationToken).ConfigureAwait(false))
                yield return compared.Row;
        }
    }

    /// <summary>
    /// Plans the parked records whose BC number matches any of the patterns (* and ?; all, when null or empty) again,
    /// from their BC record as it is now and the current mapping, and sends them. A parked record whose BC record is
    /// gone, or that now plans as skipped, leaves the queue with that result.
    /// </summary>
    public async IAsyncEnumerable<SyncResult> ReplayAsync(IReadOnlyCollection<string>? sourceNumberPatterns, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var writer = new MarketoWriter(_context, _mapper);
        writer.SettleHeldAnswers();
        var parked = _queue.Take(QueuedJobStatus.Parked, null, int.MaxValue, sourceNumberPatterns);
        if (parked.Count == 0) yield break;
        _context.Log.Verbose($"Replaying {parked.Count} parked record(s): each is planned again from Business Central and the current mapping.");
        var request = new CustomerSyncRequest
        {
            CustomerNumbers = parked.Where(j => j.TargetType == MarketoRecord.Company).Select(j => j.SourceNumber).ToArray(),
            ContactNumbers = parked.Where(j => j.TargetType == MarketoRecord.Lead).Select(j => j.SourceNumber).ToArray(),
            Replay = true,
        };
        var planned = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        await foreach (var result in RunPlannedAsync(writer, request, cancellationToken, planned).ConfigureAwait(false)) yield return result;

        // What BC no longer has is not sent; its parked job is dropped with an audited result. Jobs planned again (or
        // sent just now) were enqueued afresh, so dropping the parked snapshots leaves those alone.
        var gone = parked.Where(j => !planned.Contains(j.TargetType + ":" + j.SourceNumber)).Select(j => new SyncResult
        {
            SourceType = j.SourceType, SourceNumber = j.SourceNumber, TargetType = j.TargetType, Action = SyncAction.Skipped,
            Reason = SyncReasons.NotInBusinessCentral, CorrelationId = _context.CorrelationId,
        }).ToList();
        SyncAudit.Write(_context, SyncDirection.BcToMarketo, gone);
        _queue.Complete(parked);
        foreach (var result in gone) yield return result;
    }

    /// <summary>Plans, queues and sends; <paramref name="planned"/> collects "TargetType:SourceNumber" of every record planned.</summary>
    private async IAsyncEnumerable<SyncResult> RunPlannedAsync(MarketoWriter writer, CustomerSyncRequest request, [EnumeratorCancellation] CancellationToken cancellationToken,
        ISet<string>? planned = null)
    {
        var diff = new MarketoDiff(_context.Marketo);
        var planning = new ChunkPlanning(_context, _mapper, _fields);
        var options = new PlanOptions(IgnoreContentHashes: request.Resync || request.Replay, KeepUnchanged: request.Named);
        var companiesDrained = false;
        await foreach (var chunk in planning.PlanAsync(request, options, confirmBeforeWriting: true, cancellationToken).ConfigureAwait(false))
        {
            var plan = chunk.Plan;
            if (plan.Unchanged.Count > 0) await SendWhereMarketoDiffersAsync(diff, plan, cancellationToken).ConfigureAwait(false);
            if (planned is not null)
                foreach (var key in plan.Send.Concat(plan.CrmSkipped).Select(r => r.TargetType + ":" + r.SourceNumber)
                    .Concat(plan.Immediate.Select(r => r.TargetType + ":" + r.SourceNumber))) planned.Add(key);
            var now = _context.Time.GetUtcNow();
            _queue.Enqueue(plan.Send.Select(r => MarketoJobs.ToJob(r, now)), now);
            // Audited before anything is settled for them: an unwritable audit stops the run with their state untouched.
            SyncAudit.Write(_context, SyncDirection.BcToMarketo, plan.Immediate);
            _records.Save(plan.CrmSkipped.Select(r => new RecordState(r.TargetKey, r.SourceNumber, BcToMarketoPlanner.CrmSkippedPrefix + r.ContentHash, null, now)));
            foreach (var result in plan.Immediate) yield return result;
            if (chunk.Checkpoint is { } checkpoint)
                _context.State.Checkpoints.Advance(checkpoint.Name, checkpoint.Value, checkpoint.Boundary, now);

            // Full batches go out while BC is still being read, so reading overlaps Marketo's rate window; every
            // company before the first lead (leads link to them). What is sent was durably queued first.
            if (chunk.Target is null) continue;
            if (chunk.Target == MarketoRecord.Lead && !companiesDrained)
            {
                await foreach (var result in writer.DrainAsync(MarketoRecord.Company, cancellationToken).ConfigureAwait(false)) yield return result;
                companiesDrained = true;
            }
            await foreach (var result in writer.DrainAsync(chunk.Target, cancellationToken, fullBatchesOnly: true).ConfigureAwait(false)) yield return result;
        }
        if (request.RefreshFinancials)
            _context.State.Checkpoints.Advance(SyncCheckpoints.FinancialsRefreshed, _context.Time.GetUtcNow(), _context.Time.GetUtcNow());

        await foreach (var result in writer.DrainAsync(MarketoRecord.Company, cancellationToken).ConfigureAwait(false)) yield return result;
        await foreach (var result in writer.DrainAsync(MarketoRecord.Lead, cancellationToken).ConfigureAwait(false)) yield return result;
    }

    /// <summary>
    /// Named customers: records whose hash says Marketo holds them as last sent are read from Marketo, and sent when it
    /// differs (a marketer edited a mapped field) or lacks them; the rest are Unchanged.
    /// </summary>
    private async Task SendWhereMarketoDiffersAsync(MarketoDiff diff, BcToMarketoPlanner.Chunk plan, CancellationToken cancellationToken)
    {
        var compared = await diff.CompareAsync(plan.Unchanged, sentWhenDifferent: true, cancellationToken).ConfigureAwait(false);
        foreach (var (record, row, differs) in compared)
        {
            if (differs) plan.Send.Add(record);
            else plan.Immediate.Add(new SyncResult
            {
                SourceType = record.SourceType, SourceNumber = record.SourceNumber, TargetType = record.TargetType, TargetKey = record.Key,
                Action = SyncAction.Unchanged, MarketoId = row.MarketoId, CorrelationId = _context.CorrelationId,
            });
        }
        _context.Log.Verbose($"Compared {compared.Count} unchanged record(s) of the named customers with Marketo: {compared.Count(c => c.Differs)} differ there and are sent again.");
        plan.Unchanged.Clear();
    }
}
