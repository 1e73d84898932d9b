using System.Runtime.CompilerServices;
using MlConnector.Engine.Mapping;
using MlConnector.Engine.Marketo;
using MlConnector.Engine.State;

namespace MlConnector.Engine.Sync.BcToMarketo;

/// <summary>
/// BC customers and contacts into Marketo companies and leads. Plan (read-only calls), durably enqueue what must be
/// sent, advance the checkpoints, and send from the queue — while BC is still being read, with several batches in flight
/// up to the connection's concurrency: every company before the first lead (leads link to them), and one email or
/// externalCompanyId never in two batches in flight. A run that spends the daily call budget stops sending cleanly and
/// leaves the rest queued for the next run.
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

    /// <summary>True after a run stopped sending because the daily call budget was spent (what is left stays queued).</summary>
    public bool DailyCallBudgetReached { get; private set; }

    /// <summary>Runs the sync and streams one result per record touched; every result is audited.</summary>
    public IAsyncEnumerable<SyncResult> RunAsync(CustomerSyncRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        return StopsOnBudget(writer => RunPlannedAsync(writer, request, cancellationToken), cancellationToken);
    }

    /// <summary>-WhatIf: only reads. One row per record with the planned action and a field-level diff against Marketo's current values.</summary>
    public async IAsyncEnumerable<SyncPlanRow> PlanAsync(CustomerSyncRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var diff = new MarketoDiff(_context.Marketo);
        var planning = new ChunkPlanning(_context, _mapper, _fields);
        var options = new PlanOptions(IgnoreContentHashes: request.Resync, KeepUnchanged: true);
        await foreach (var chunk in planning.PlanAsync(request, options, confirmBeforeWriting: false, pump: null, cancellationToken).ConfigureAwait(false))
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
        await foreach (var result in StopsOnBudget(writer => RunPlannedAsync(writer, request, cancellationToken, planned), cancellationToken).ConfigureAwait(false))
            yield return result;

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

    /// <summary>
    /// Plans, queues and sends, sending while BC is still read; <paramref name="planned"/> collects
    /// "TargetType:SourceNumber" of every record planned.
    /// </summary>
    private IAsyncEnumerable<SyncResult> RunPlannedAsync(MarketoWriter writer, CustomerSyncRequest request, CancellationToken cancellationToken,
        ISet<string>? planned = null)
    {
        var phases = new SendPhases(writer, request.BulkImportThreshold, () => _queue.Count(QueuedJobStatus.Pending), cancellationToken);
        var pump = new SendPump(writer.Drain, phases.Start);
        return pump.HandOnAsync(PlanAndSendAsync(writer, request, phases, pump, planned, cancellationToken));
    }

    private async IAsyncEnumerable<SyncResult> PlanAndSendAsync(MarketoWriter writer, CustomerSyncRequest request, SendPhases phases, SendPump pump,
        ISet<string>? planned, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // Before anything is planned: a record an earlier run sent but could not audit must not be planned (and sent) again.
        writer.SettleHeldAnswers();
        var diff = new MarketoDiff(_context.Marketo);
        var planning = new ChunkPlanning(_context, _mapper, _fields);
        var options = new PlanOptions(IgnoreContentHashes: request.Resync || request.Replay, KeepUnchanged: request.Named);
        var queuedAhead = QueuedAhead();
        long enqueued = 0;
        await foreach (var chunk in planning.PlanAsync(request, options, confirmBeforeWriting: true, pump, cancellationToken).ConfigureAwait(false))
        {
            var plan = chunk.Plan;
            if (plan.Unchanged.Count > 0) await pump.WaitAsync(SendWhereMarketoDiffersAsync(diff, plan, cancellationToken)).ConfigureAwait(false);
            if (planned is not null)
                foreach (var key in plan.Send.Concat(plan.CrmSkipped).Select(r => r.TargetType + ":" + r.SourceNumber)
                    .Concat(plan.Immediate.Select(r => r.TargetType + ":" + r.SourceNumber))) planned.Add(key);
            var now = _context.Time.GetUtcNow();
            if (plan.Send.Count > 0)
            {
                _queue.Enqueue(plan.Send.Select(r => MarketoJobs.ToJob(r, now)), now);
                enqueued += plan.Send.Count;
                foreach (var targetType in plan.Send.Select(r => r.TargetType).Distinct(StringComparer.Ordinal)) writer.Drain.Enqueued(targetType);
                // Queued: the records go now rather than stay with this chunk while planning waits for sending below.
                plan.Send.Clear();
            }
            // Audited before anything is settled for them: an unwritable audit stops the run with their state untouched.
            SyncAudit.Write(_context, SyncDirection.BcToMarketo, plan.Immediate);
            _records.Save(plan.CrmSkipped.Select(r => new RecordState(r.TargetKey, r.SourceNumber, BcToMarketoPlanner.CrmSkippedPrefix + r.ContentHash, null, now)));
            foreach (var result in plan.Immediate) yield return result;
            if (chunk.Checkpoint is { } checkpoint)
                _context.State.Checkpoints.Advance(checkpoint.Name, checkpoint.Value, checkpoint.Boundary, now);
            if (chunk.Completes == MarketoRecord.Company) phases.CustomersPlanned = true;
            pump.Pump();
            foreach (var result in pump.TakeResults()) yield return result;
            // Reading and planning keep ahead of sending, not minutes ahead of it: while what this run queued and has not
            // sent yet is more than the sender can use soon, batches are awaited and settled before BC is read further.
            // A large first load then reads BC at the pace Marketo's quota allows, instead of allocating through the
            // whole of it in the first seconds (the queue is durable either way). Nothing in flight (sending stopped, or
            // leads held for a bulk import): the read goes on.
            while (enqueued - writer.Drain.Settled > queuedAhead && writer.Drain.AnyAnswered() is { } answered)
            {
                await answered.ConfigureAwait(false);
                pump.Pump();
                foreach (var result in pump.TakeResults()) yield return result;
            }
        }
        if (request.RefreshFinancials)
            _context.State.Checkpoints.Advance(SyncCheckpoints.FinancialsRefreshed, _context.Time.GetUtcNow(), _context.Time.GetUtcNow());
        phases.CustomersPlanned = phases.ContactsPlanned = true;
        await foreach (var result in pump.FinishAsync().ConfigureAwait(false)) yield return result;
        if (phases.LeadsInBulk != true) yield break;
        _context.Log.Verbose($"{_queue.Count(QueuedJobStatus.Pending)} leads queued (threshold {request.BulkImportThreshold}): they go by Marketo's Bulk Lead Import.");
        await foreach (var result in writer.Bulk.ImportAsync(cancellationToken).ConfigureAwait(false)) yield return result;
    }

    /// <summary>
    /// How many jobs this run may have queued and not yet sent before planning waits for sending: full batches for every
    /// call of two rate windows. The quota gate lets a window's calls go in a burst, so the sender, not BC, must never be
    /// the one waiting when a window opens.
    /// </summary>
    private long QueuedAhead() => (long)WindowsAhead * _context.Marketo.CallsPerWindow * MarketoLimits.MaxBatch;

    /// <summary>Rate windows of full batches that planning keeps queued ahead of sending.</summary>
    private const int WindowsAhead = 2;

    /// <summary>
    /// Which batches may start: full company batches while customers are read; once they are all planned, the last company
    /// batch too; leads only after every company was written (a lead links to its company), full ones while contacts are
    /// still read, then the rest. With a bulk import threshold, leads wait until every contact is planned: as many queued
    /// as the threshold or more go by Bulk Lead Import once sending by REST is done (<see cref="LeadsInBulk"/>), fewer by REST.
    /// </summary>
    private sealed class SendPhases(MarketoWriter writer, int? bulkThreshold, Func<int> queued, CancellationToken cancellationToken)
    {
        private bool _companiesDone;

        public bool CustomersPlanned { get; set; }

        public bool ContactsPlanned { get; set; }

        /// <summary>Whether the leads go by Bulk Lead Import; null until decided.</summary>
        public bool? LeadsInBulk { get; private set; }

        public void Start()
        {
            if (!_companiesDone)
            {
                writer.Drain.Start(writer.Companies, partial: CustomersPlanned, cancellationToken);
                _companiesDone = CustomersPlanned && writer.Drain.Done(MarketoRecord.Company);
                if (!_companiesDone) return;
            }
            if (bulkThreshold is { } threshold)
            {
                if (!ContactsPlanned) return;
                LeadsInBulk ??= queued() >= threshold;
                if (LeadsInBulk == true) return;
            }
            writer.Drain.Start(writer.Leads, partial: ContactsPlanned, cancellationToken);
        }
    }

    /// <summary>
    /// Runs a sending pass with the daily call budget resumed from the pair's state, and ends it cleanly when the budget is
    /// spent: batches in flight are settled, what is left stays queued, <see cref="DailyCallBudgetReached"/> is set and a
    /// warning says how much waits. Any other failure is rethrown once the batches in flight have been settled.
    /// </summary>
    private async IAsyncEnumerable<SyncResult> StopsOnBudget(Func<MarketoWriter, IAsyncEnumerable<SyncResult>> pass,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var ledger = new DailyCallLedger(_context);
        var writer = new MarketoWriter(_context, _mapper, ledger);
        await ledger.ResumeAsync(cancellationToken).ConfigureAwait(false);
        var stopped = new CapturedFailure();
        try
        {
            await foreach (var result in stopped.UntilFailure(AfterOpenImports(writer, pass(writer), cancellationToken), cancellationToken).ConfigureAwait(false))
                yield return result;
            // Whatever stopped the pass, batches already sent are awaited and settled, so their records are not sent again.
            await foreach (var result in Settling(writer).FinishAsync().ConfigureAwait(false)) yield return result;
        }
        finally
        {
            // Also when the caller stopped reading early: nothing sent is left unsettled.
            if (writer.Drain.InFlight > 0) await foreach (var _ in Settling(writer).FinishAsync().ConfigureAwait(false)) { }
            ledger.Save();
        }
        var failure = stopped.Failure?.SourceException ?? writer.Drain.StoppedBy?.SourceException;
        if (failure is null) yield break;
        if (!DailyCallLedger.IsBudgetReached(failure)) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(failure).Throw();
        DailyCallBudgetReached = true;
        ledger.WarnStopped(_queue.Count(QueuedJobStatus.Pending));
    }

    /// <summary>
    /// Bulk imports an earlier run stored and did not settle (it stopped while they ran) are polled and settled before
    /// anything else, so their leads are not sent again; then the pass runs.
    /// </summary>
    private static async IAsyncEnumerable<SyncResult> AfterOpenImports(MarketoWriter writer, IAsyncEnumerable<SyncResult> pass,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (writer.Bulk.HasOpenImports)
            await foreach (var result in writer.Bulk.ResumeAsync(cancellationToken).ConfigureAwait(false)) yield return result;
        await foreach (var result in pass.ConfigureAwait(false)) yield return result;
    }

    /// <summary>A pump that starts nothing: it only awaits and settles the batches in flight.</summary>
    private static SendPump Settling(MarketoWriter writer) => new(writer.Drain, () => { });

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
