using System.Runtime.CompilerServices;
using MlConnector.Engine.BusinessCentral;
using MlConnector.Engine.Mapping;
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
    /// <summary>BC chunks read ahead of the one being planned (each at most <see cref="SyncContext.ChunkSize"/> records).</summary>
    private const int ChunksAhead = 2;

    private readonly SyncContext _context;
    private readonly BcToMarketoMapper _mapper;
    private readonly IWorkQueue _queue;
    private readonly IRecordStates _records;
    private MarketoScope? _scope;

    public CustomerToMarketoSync(SyncContext context, BcToMarketoMapper mapper)
    {
        _context = context;
        _mapper = mapper;
        _queue = context.State.Queue(SyncDirection.BcToMarketo);
        _records = context.State.Records(SyncDirection.BcToMarketo);
    }

    /// <summary>True after a run stopped sending because the daily call budget was spent (what is left stays queued).</summary>
    public bool DailyCallBudgetReached { get; private set; }

    /// <summary>Runs the sync and streams one result per record touched; every result is audited.</summary>
    public IAsyncEnumerable<SyncResult> RunAsync(CustomerSyncRequest request, CancellationToken cancellationToken)
        => StopsOnBudget(writer => SendWhilePlanningAsync(request, writer, cancellationToken), cancellationToken);

    private async IAsyncEnumerable<SyncResult> SendWhilePlanningAsync(CustomerSyncRequest request, MarketoWriter writer,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var phases = new SendPhases(writer, request.BulkImportThreshold, () => _queue.Count(QueuedJobStatus.Pending), cancellationToken);
        var pump = new SendPump(writer.Drain, phases.Start);
        await foreach (var chunk in PlanChunksAsync(request, confirmBeforeWriting: true, pump, cancellationToken).ConfigureAwait(false))
        {
            var now = _context.Time.GetUtcNow();
            if (chunk.Plan.Send.Count > 0)
            {
                _queue.Enqueue(chunk.Plan.Send.Select(r => MarketoJobs.ToJob(r, now)), now);
                writer.Drain.Enqueued(chunk.Plan.Send[0].TargetType);
            }
            _records.Save(chunk.Plan.CrmSkipped.Select(r =>
                new RecordState(r.TargetKey, r.SourceNumber, BcToMarketoPlanner.CrmSkippedPrefix + r.ContentHash, null, now)));
            SyncAudit.Write(_context, SyncDirection.BcToMarketo, chunk.Plan.Immediate);
            foreach (var result in chunk.Plan.Immediate) yield return result;
            if (chunk.Checkpoint is { } checkpoint)
                _context.State.Checkpoints.Advance(checkpoint.Name, checkpoint.Value, checkpoint.Boundary, now);
            if (chunk.Completes == MarketoRecord.Company) phases.CustomersPlanned = true;
            pump.Pump();
            foreach (var result in pump.TakeResults()) yield return result;
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
        Exception? failure = null;
        try
        {
            await using (var results = AfterOpenImports(writer, pass(writer), cancellationToken).GetAsyncEnumerator(cancellationToken))
            {
                while (true)
                {
                    try
                    {
                        if (!await results.MoveNextAsync().ConfigureAwait(false)) break;
                    }
                    catch (Exception e)
                    {
                        failure = e;
                        break;
                    }
                    yield return results.Current;
                }
            }
            // Whatever stopped the pass, batches already sent are awaited and settled, so their records are not sent again.
            await foreach (var result in Settling(writer).FinishAsync().ConfigureAwait(false)) yield return result;
        }
        finally
        {
            // Also when the caller stopped reading early: nothing sent is left unsettled.
            if (writer.Drain.InFlight > 0) await foreach (var _ in Settling(writer).FinishAsync().ConfigureAwait(false)) { }
            ledger.Save();
        }
        failure ??= writer.Drain.StoppedBy?.SourceException;
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

    /// <summary>-WhatIf: only reads. One row per record with the planned action and a field-level diff against Marketo.</summary>
    public async IAsyncEnumerable<SyncPlanRow> PlanAsync(CustomerSyncRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var diff = new MarketoDiff(_context.Marketo);
        await foreach (var chunk in PlanChunksAsync(request, confirmBeforeWriting: false, null, cancellationToken).ConfigureAwait(false))
        {
            foreach (var row in chunk.Plan.Immediate.Select(MarketoDiff.FromResult)) yield return row;
            foreach (var row in await diff.CompareAsync(chunk.Plan.Send, cancellationToken).ConfigureAwait(false)) yield return row;
        }
    }

    /// <summary>
    /// Moves parked jobs whose BC number matches any of the patterns (* and ?; all, when null or empty) back to
    /// pending, then sends them in one drain.
    /// </summary>
    public IAsyncEnumerable<SyncResult> ReplayAsync(IReadOnlyCollection<string>? sourceNumberPatterns, CancellationToken cancellationToken)
    {
        _queue.Unpark(sourceNumberPatterns, _context.Time.GetUtcNow());
        return StopsOnBudget(writer => DrainAllAsync(writer, cancellationToken), cancellationToken);
    }

    private static async IAsyncEnumerable<SyncResult> DrainAllAsync(MarketoWriter writer, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var result in writer.DrainAsync(MarketoRecord.Company, cancellationToken).ConfigureAwait(false)) yield return result;
        await foreach (var result in writer.DrainAsync(MarketoRecord.Lead, cancellationToken).ConfigureAwait(false)) yield return result;
    }

    private sealed record CheckpointMove(string Name, DateTimeOffset Value, IReadOnlyDictionary<Guid, DateTimeOffset> Boundary);

    /// <param name="Completes">The target type whose planning ends with this chunk (every customer, or every contact, has been read).</param>
    private sealed record PlannedChunk(BcToMarketoPlanner.Chunk Plan, CheckpointMove? Checkpoint, string? Completes = null);

    /// <summary>
    /// Reads and plans chunk by chunk, BC read ahead of the planning. The scope (describe, company writability) is opened
    /// at the first record read, so a run that finds nothing changed makes no Marketo call. With
    /// <paramref name="confirmBeforeWriting"/> (a run, not a plan) the first chunk with something to write has company
    /// writability probed afresh, and is planned again if it changed since the connection last saw it. While it waits for
    /// BC or Marketo, <paramref name="pump"/> (a run) settles answered write batches and starts new ones.
    /// </summary>
    private async IAsyncEnumerable<PlannedChunk> PlanChunksAsync(CustomerSyncRequest request, bool confirmBeforeWriting, SendPump? pump,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        Task<T> Wait<T>(Task<T> task) => pump?.WaitAsync(task) ?? task;
        Task WaitFor(Task task) => pump?.WaitAsync(task) ?? task;
        var planner = new BcToMarketoPlanner(_mapper, _context.CorrelationId, ignoreContentHashes: request.Resync);
        var pending = _queue.JobIds(QueuedJobStatus.Pending);
        var withAccountFields = false;
        var customersSeen = new Dictionary<string, BcCustomer>(StringComparer.OrdinalIgnoreCase);
        var changedCustomers = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var sources = new BcSources(_context);

        // Customers → companies.
        var customerBoundary = Boundary(SyncCheckpoints.Customers);
        // A first run, or a resync, reads every customer with its financial details: that counts as the day's refresh.
        var firstRun = request.Incremental && (request.Resync || _context.State.Checkpoints.Get(SyncCheckpoints.Customers) is null);
        long read = 0;
        await foreach (var batch in ReadAhead.Of(sources.CustomersAsync(request, cancellationToken), ChunksAhead, Wait, cancellationToken).ConfigureAwait(false))
        {
            var scope = await Wait(ScopeAsync(cancellationToken)).ConfigureAwait(false);
            var plan = planner.PlanCustomers(batch, scope.CompaniesWritable, _records.Get, pending);
            if (confirmBeforeWriting && await Wait(ConfirmScopeAsync(plan, cancellationToken)).ConfigureAwait(false) is { } confirmed)
            {
                scope = confirmed;
                plan = planner.PlanCustomers(batch, scope.CompaniesWritable, _records.Get, pending);
            }
            withAccountFields = _mapper.LeadsCarryAccountFields(scope.CompaniesWritable);
            foreach (var customer in batch)
            {
                if (withAccountFields) customersSeen[customer.Number] = customer;
                customerBoundary.Add(customer.Id, customer.LastModifiedDateTime);
            }
            if (withAccountFields)
                foreach (var record in plan.Send.Concat(plan.CrmSkipped)) changedCustomers.Add(record.SourceNumber);
            read += batch.Count;
            _context.Progress?.Report(new SyncProgress("Planning companies", read));
            yield return new PlannedChunk(plan, null);
        }
        if (request.Incremental && customerBoundary.Newest is { } newestCustomer)
            yield return Checkpoint(SyncCheckpoints.Customers, newestCustomer, customerBoundary.Records());
        if (firstRun) yield return Checkpoint(SyncCheckpoints.FinancialsRefreshed, _context.Time.GetUtcNow(), new Dictionary<Guid, DateTimeOffset>());
        yield return new PlannedChunk(Nothing(), null, MarketoRecord.Company);

        // Contacts → leads: the changed ones, the given customers' ones, and — when leads carry account
        // attributes — those of customers whose attributes changed.
        // (No scope yet means no customer was read, so none changed.)
        IReadOnlyCollection<string>? contactsOf = request.Incremental || request.RefreshFinancials
            ? (withAccountFields ? changedCustomers : null)
            : InputNumbers(request);
        var contactBoundary = Boundary(SyncCheckpoints.Contacts);
        read = 0;
        var contacts = sources.ContactsAsync(request.Incremental, request.Resync, contactsOf, cancellationToken);
        await foreach (var batch in ReadAhead.Of(contacts, ChunksAhead, Wait, cancellationToken).ConfigureAwait(false))
        {
            var scope = await Wait(ScopeAsync(cancellationToken)).ConfigureAwait(false);
            withAccountFields = _mapper.LeadsCarryAccountFields(scope.CompaniesWritable);
            foreach (var contact in batch) contactBoundary.Add(contact.Id, contact.LastModifiedDateTime);
            if (withAccountFields) await WaitFor(sources.FillCustomersAsync(batch, customersSeen, cancellationToken)).ConfigureAwait(false);
            var plan = planner.PlanContacts(batch, n => customersSeen.GetValueOrDefault(n), withAccountFields, _records.Get, pending);
            if (confirmBeforeWriting && await Wait(ConfirmScopeAsync(plan, cancellationToken)).ConfigureAwait(false) is { } confirmed)
            {
                withAccountFields = _mapper.LeadsCarryAccountFields(confirmed.CompaniesWritable);
                if (withAccountFields) await WaitFor(sources.FillCustomersAsync(batch, customersSeen, cancellationToken)).ConfigureAwait(false);
                plan = planner.PlanContacts(batch, n => customersSeen.GetValueOrDefault(n), withAccountFields, _records.Get, pending);
            }
            read += batch.Count;
            _context.Progress?.Report(new SyncProgress("Planning leads", read));
            yield return new PlannedChunk(plan, null);
        }
        if (request.Incremental && contactBoundary.Newest is { } newestContact)
            yield return Checkpoint(SyncCheckpoints.Contacts, newestContact, contactBoundary.Records());
    }

    /// <summary>Opened at the first record a run reads (so a run that finds nothing makes no Marketo call), once per run: one instance, every pass.</summary>
    private async Task<MarketoScope> ScopeAsync(CancellationToken cancellationToken)
        => _scope ??= await MarketoScope.OpenAsync(_context, _mapper, cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// Before a run first writes (or skips for CRM sync), company writability is probed afresh, once per run — CRM sync
    /// may have been switched on or off since the connection last saw it. Returns the new scope when that changed the answer.
    /// </summary>
    private async Task<MarketoScope?> ConfirmScopeAsync(BcToMarketoPlanner.Chunk plan, CancellationToken cancellationToken)
    {
        if (_scope is not { Confirmed: false } scope || (plan.Send.Count == 0 && plan.CrmSkipped.Count == 0)) return null;
        _scope = await scope.ConfirmAsync(_context, _mapper, cancellationToken).ConfigureAwait(false);
        return _scope.CompaniesWritable == scope.CompaniesWritable ? null : _scope;
    }

    private static IReadOnlyCollection<string> InputNumbers(CustomerSyncRequest request) =>
        (request.Customers?.Select(c => c.Number) ?? request.CustomerNumbers ?? []).ToHashSet(StringComparer.OrdinalIgnoreCase);

    private OverlapBoundary Boundary(string checkpoint) =>
        new(_context.Bc.ModifiedSinceOverlap, _context.State.Checkpoints.Boundary(checkpoint));

    private static PlannedChunk Checkpoint(string name, DateTimeOffset value, IReadOnlyDictionary<Guid, DateTimeOffset> boundary) =>
        new(Nothing(), new CheckpointMove(name, value, boundary));

    private static BcToMarketoPlanner.Chunk Nothing() => new(new(), new(), new());
}
