using System.Runtime.CompilerServices;
using MlConnector.Engine.BusinessCentral;
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
    private readonly MarketoFields _fields;
    private MarketoScope? _scope;

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
        var writer = new MarketoWriter(_context, _mapper);
        var companiesDrained = false;
        await foreach (var chunk in PlanChunksAsync(request, confirmBeforeWriting: true, cancellationToken).ConfigureAwait(false))
        {
            var now = _context.Time.GetUtcNow();
            _queue.Enqueue(chunk.Plan.Send.Select(r => MarketoJobs.ToJob(r, now)), now);
            _records.Save(chunk.Plan.CrmSkipped.Select(r =>
                new RecordState(r.TargetKey, r.SourceNumber, BcToMarketoPlanner.CrmSkippedPrefix + r.ContentHash, null, now)));
            SyncAudit.Write(_context, SyncDirection.BcToMarketo, chunk.Plan.Immediate);
            foreach (var result in chunk.Plan.Immediate) yield return result;
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

    /// <summary>-WhatIf: only reads. One row per record with the planned action and a field-level diff against Marketo.</summary>
    public async IAsyncEnumerable<SyncPlanRow> PlanAsync(CustomerSyncRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var diff = new MarketoDiff(_context.Marketo);
        await foreach (var chunk in PlanChunksAsync(request, confirmBeforeWriting: false, cancellationToken).ConfigureAwait(false))
        {
            foreach (var row in chunk.Plan.Immediate.Select(MarketoDiff.FromResult)) yield return row;
            foreach (var row in await diff.CompareAsync(chunk.Plan.Send, cancellationToken).ConfigureAwait(false)) yield return row;
        }
    }

    /// <summary>
    /// Moves parked jobs whose BC number matches any of the patterns (* and ?; all, when null or empty) back to
    /// pending, then sends them in one drain.
    /// </summary>
    public async IAsyncEnumerable<SyncResult> ReplayAsync(IReadOnlyCollection<string>? sourceNumberPatterns, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        _queue.Unpark(sourceNumberPatterns, _context.Time.GetUtcNow());
        var writer = new MarketoWriter(_context, _mapper);
        await foreach (var result in writer.DrainAsync(MarketoRecord.Company, cancellationToken).ConfigureAwait(false)) yield return result;
        await foreach (var result in writer.DrainAsync(MarketoRecord.Lead, cancellationToken).ConfigureAwait(false)) yield return result;
    }

    private sealed record CheckpointMove(string Name, DateTimeOffset Value, IReadOnlyDictionary<Guid, DateTimeOffset> Boundary);

    private sealed record PlannedChunk(BcToMarketoPlanner.Chunk Plan, CheckpointMove? Checkpoint, string? Target = null);

    /// <summary>
    /// Checks the mapping against Marketo describe first, then reads and plans chunk by chunk. The scope (company
    /// writability) is opened at the first record read, so a run that finds nothing changed makes no call beyond
    /// describe. With <paramref name="confirmBeforeWriting"/> (a run, not a plan) the first chunk with something to
    /// write has company writability probed afresh, and is planned again if it changed since the connection last saw it.
    /// </summary>
    private async IAsyncEnumerable<PlannedChunk> PlanChunksAsync(CustomerSyncRequest request, bool confirmBeforeWriting,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await MarketoScope.CheckMappingAsync(_context, _mapper, _fields, cancellationToken).ConfigureAwait(false);
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
        await foreach (var batch in sources.CustomersAsync(request, cancellationToken).ConfigureAwait(false))
        {
            var scope = await ScopeAsync(cancellationToken).ConfigureAwait(false);
            var plan = planner.PlanCustomers(batch, scope.CompaniesWritable, _records.Get, pending);
            if (confirmBeforeWriting && await ConfirmScopeAsync(plan, cancellationToken).ConfigureAwait(false) is { } confirmed)
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
            yield return new PlannedChunk(plan, null, MarketoRecord.Company);
        }
        if (request.Incremental && customerBoundary.Newest is { } newestCustomer)
            yield return Checkpoint(SyncCheckpoints.Customers, newestCustomer, customerBoundary.Records());
        if (firstRun) yield return Checkpoint(SyncCheckpoints.FinancialsRefreshed, _context.Time.GetUtcNow(), new Dictionary<Guid, DateTimeOffset>());

        // Contacts → leads: the changed ones, the given customers' ones, and — when leads carry account
        // attributes — those of customers whose attributes changed.
        // (No scope yet means no customer was read, so none changed.)
        IReadOnlyCollection<string>? contactsOf = request.Incremental || request.RefreshFinancials
            ? (withAccountFields ? changedCustomers : null)
            : InputNumbers(request);
        var contactBoundary = Boundary(SyncCheckpoints.Contacts);
        read = 0;
        await foreach (var batch in sources.ContactsAsync(request.Incremental, request.Resync, contactsOf, cancellationToken).ConfigureAwait(false))
        {
            var scope = await ScopeAsync(cancellationToken).ConfigureAwait(false);
            withAccountFields = _mapper.LeadsCarryAccountFields(scope.CompaniesWritable);
            foreach (var contact in batch) contactBoundary.Add(contact.Id, contact.LastModifiedDateTime);
            if (withAccountFields) await sources.FillCustomersAsync(batch, customersSeen, cancellationToken).ConfigureAwait(false);
            var plan = planner.PlanContacts(batch, n => customersSeen.GetValueOrDefault(n), withAccountFields, _records.Get, pending);
            if (confirmBeforeWriting && await ConfirmScopeAsync(plan, cancellationToken).ConfigureAwait(false) is { } confirmed)
            {
                withAccountFields = _mapper.LeadsCarryAccountFields(confirmed.CompaniesWritable);
                if (withAccountFields) await sources.FillCustomersAsync(batch, customersSeen, cancellationToken).ConfigureAwait(false);
                plan = planner.PlanContacts(batch, n => customersSeen.GetValueOrDefault(n), withAccountFields, _records.Get, pending);
            }
            read += batch.Count;
            _context.Progress?.Report(new SyncProgress("Planning leads", read));
            yield return new PlannedChunk(plan, null, MarketoRecord.Lead);
        }
        if (request.Incremental && contactBoundary.Newest is { } newestContact)
            yield return Checkpoint(SyncCheckpoints.Contacts, newestContact, contactBoundary.Records());
    }

    /// <summary>Opened at the first record a run reads (so a run that finds nothing makes no write, not even a probe), once per run: one instance, every pass.</summary>
    private async ValueTask<MarketoScope> ScopeAsync(CancellationToken cancellationToken)
        => _scope ??= await MarketoScope.OpenAsync(_context, _mapper, _fields, cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// Before a run first writes (or skips for CRM sync), company writability is probed afresh, once per run — CRM sync
    /// may have been switched on or off since the connection last saw it. Returns the new scope when that changed the answer.
    /// </summary>
    private async ValueTask<MarketoScope?> ConfirmScopeAsync(BcToMarketoPlanner.Chunk plan, CancellationToken cancellationToken)
    {
        if (_scope is not { Confirmed: false } scope || (plan.Send.Count == 0 && plan.CrmSkipped.Count == 0)) return null;
        _scope = await scope.ConfirmAsync(_context, _mapper, _fields, cancellationToken).ConfigureAwait(false);
        return _scope.CompaniesWritable == scope.CompaniesWritable ? null : _scope;
    }

    private static IReadOnlyCollection<string> InputNumbers(CustomerSyncRequest request) =>
        (request.Customers?.Select(c => c.Number) ?? request.CustomerNumbers ?? []).ToHashSet(StringComparer.OrdinalIgnoreCase);

    private OverlapBoundary Boundary(string checkpoint) =>
        new(_context.Bc.ModifiedSinceOverlap, _context.State.Checkpoints.Boundary(checkpoint));

    private static PlannedChunk Checkpoint(string name, DateTimeOffset value, IReadOnlyDictionary<Guid, DateTimeOffset> boundary) =>
        new(new BcToMarketoPlanner.Chunk(new(), new(), new()), new CheckpointMove(name, value, boundary));
}
