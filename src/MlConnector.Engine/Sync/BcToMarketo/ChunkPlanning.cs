using System.Runtime.CompilerServices;
using MlConnector.Engine.BusinessCentral;
using MlConnector.Engine.Mapping;
using MlConnector.Engine.State;

namespace MlConnector.Engine.Sync.BcToMarketo;

/// <summary>
/// Reads what a request covers from BC and plans it chunk by chunk: customers (companies) first, then contacts
/// (leads). The mapping is checked against Marketo describe before BC is read; the scope (company writability) is
/// opened at the first record read, so a run that finds nothing changed makes no call beyond describe. With confirmation (a run, not a plan) the first chunk with something to write
/// has company writability probed afresh, and is planned again if it changed since the connection last saw it.
/// </summary>
internal sealed class ChunkPlanning
{
    private readonly SyncContext _context;
    private readonly BcToMarketoMapper _mapper;
    private readonly MarketoFields _fields;
    private MarketoScope? _scope;

    public ChunkPlanning(SyncContext context, BcToMarketoMapper mapper, MarketoFields fields)
    {
        _context = context;
        _mapper = mapper;
        _fields = fields;
    }

    public sealed record CheckpointMove(string Name, DateTimeOffset Value, IReadOnlyDictionary<Guid, ReadVersion> Boundary);

    /// <summary>
    /// A planned chunk (and the target type it plans), or a checkpoint to advance once what came before it is queued.
    /// <paramref name="Completes"/>: the target type whose planning ends here (every customer, or every contact, was read).
    /// </summary>
    public sealed record Planned(BcToMarketoPlanner.Chunk Plan, CheckpointMove? Checkpoint, string? Target = null, string? Completes = null);

    /// <summary>BC chunks read ahead of the one being planned (each at most <see cref="SyncContext.ChunkSize"/> records).</summary>
    private const int ChunksAhead = 2;

    /// <summary>
    /// Plans the request chunk by chunk, BC read ahead of the planning. While it waits for BC or Marketo,
    /// <paramref name="pump"/> (a run) settles answered write batches and starts new ones.
    /// </summary>
    public async IAsyncEnumerable<Planned> PlanAsync(CustomerSyncRequest request, PlanOptions options, bool confirmBeforeWriting, SendPump? pump,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        Task<T> Wait<T>(Task<T> task) => pump?.WaitAsync(task) ?? task;
        Task WaitFor(Task task) => pump?.WaitAsync(task) ?? task;
        await WaitFor(MarketoScope.CheckMappingAsync(_context, _mapper, _fields, cancellationToken)).ConfigureAwait(false);
        var pending = _context.State.Queue(SyncDirection.BcToMarketo).JobIds(QueuedJobStatus.Pending);
        var planner = new BcToMarketoPlanner(_mapper, _context.CorrelationId, options, _context.State, pending);
        var withAccountFields = false;
        var customersSeen = new Dictionary<string, BcCustomer>(StringComparer.OrdinalIgnoreCase);
        var changedCustomers = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var sources = new BcSources(_context);

        // Customers → companies.
        var customerBoundary = Boundary(SyncCheckpoints.Customers);
        // A first run, or a resync, reads every customer with its financial details: that counts as the day's refresh.
        var firstRun = request.Incremental && (request.Resync || _context.State.Checkpoints.Get(SyncCheckpoints.Customers) is null);
        long read = 0;
        var customerTotal = request.Customers?.Count ?? request.CustomerNumbers?.Count;
        await foreach (var batch in ReadAhead.Of(sources.CustomersAsync(request, cancellationToken), ChunksAhead, Wait, cancellationToken).ConfigureAwait(false))
        {
            var scope = await Wait(ScopeAsync(cancellationToken)).ConfigureAwait(false);
            var plan = planner.PlanCustomers(batch, scope.CompaniesWritable);
            if (confirmBeforeWriting && await Wait(ConfirmScopeAsync(plan, cancellationToken)).ConfigureAwait(false) is { } confirmed)
            {
                scope = confirmed;
                plan = planner.PlanCustomers(batch, scope.CompaniesWritable);
            }
            withAccountFields = _mapper.LeadsCarryAccountFields(scope.CompaniesWritable);
            foreach (var customer in batch)
            {
                if (withAccountFields) customersSeen[customer.Number] = customer;
                customerBoundary.Add(customer.Id, customer.Version);
            }
            if (withAccountFields)
                foreach (var record in plan.Send.Concat(plan.CrmSkipped).Concat(plan.Unchanged)) changedCustomers.Add(record.SourceNumber);
            read += batch.Count;
            Tell("customer", batch.Count, plan);
            _context.Progress?.Report(new SyncProgress("Planning companies", read, customerTotal));
            // Planned: the records read go now, not while this iterator waits for the caller (who may wait for sending).
            batch.Clear();
            yield return new Planned(plan, null, MarketoRecord.Company);
        }
        if (request.Incremental && customerBoundary.Newest is { } newestCustomer)
            yield return Checkpoint(SyncCheckpoints.Customers, newestCustomer, customerBoundary.Records());
        if (firstRun) yield return Checkpoint(SyncCheckpoints.FinancialsRefreshed, _context.Time.GetUtcNow(), new Dictionary<Guid, ReadVersion>());
        yield return new Planned(new BcToMarketoPlanner.Chunk(), null, Completes: MarketoRecord.Company);

        // Contacts → leads: the changed ones, the given customers' ones, and — when leads carry account
        // attributes — those of customers whose attributes changed; in a replay, the parked ones.
        // (No scope yet means no customer was read, so none changed.)
        IReadOnlyCollection<string>? contactsOf = request.Replay ? null
            : request.Incremental || request.RefreshFinancials ? (withAccountFields ? changedCustomers : null)
            : InputNumbers(request);
        var contactBoundary = Boundary(SyncCheckpoints.Contacts);
        read = 0;
        var contacts = sources.ContactsAsync(request.Incremental, request.Resync, contactsOf, request.ContactNumbers, cancellationToken);
        await foreach (var batch in ReadAhead.Of(contacts, ChunksAhead, Wait, cancellationToken).ConfigureAwait(false))
        {
            var scope = await Wait(ScopeAsync(cancellationToken)).ConfigureAwait(false);
            withAccountFields = _mapper.LeadsCarryAccountFields(scope.CompaniesWritable);
            foreach (var contact in batch) contactBoundary.Add(contact.Id, contact.Version);
            if (withAccountFields) await WaitFor(sources.FillCustomersAsync(batch, customersSeen, cancellationToken)).ConfigureAwait(false);
            var plan = await PlanContactsAsync(planner, sources, batch, customersSeen, withAccountFields, cancellationToken).ConfigureAwait(false);
            if (confirmBeforeWriting && await Wait(ConfirmScopeAsync(plan, cancellationToken)).ConfigureAwait(false) is { } confirmed)
            {
                withAccountFields = _mapper.LeadsCarryAccountFields(confirmed.CompaniesWritable);
                if (withAccountFields) await WaitFor(sources.FillCustomersAsync(batch, customersSeen, cancellationToken)).ConfigureAwait(false);
                plan = await PlanContactsAsync(planner, sources, batch, customersSeen, withAccountFields, cancellationToken).ConfigureAwait(false);
            }
            read += batch.Count;
            Tell("contact", batch.Count, plan);
            _context.Progress?.Report(new SyncProgress("Planning leads", read, request.ContactNumbers?.Count));
            batch.Clear();
            yield return new Planned(plan, null, MarketoRecord.Lead);
        }
        if (request.Incremental && contactBoundary.Newest is { } newestContact)
            yield return Checkpoint(SyncCheckpoints.Contacts, newestContact, contactBoundary.Records());
    }

    /// <summary>
    /// Plans a chunk of contacts; a lead whose recorded owner was not read here waits for BC to say what that contact's
    /// email is now. Not awaited through the send pump: the planner reads the state store, which only one flow may use.
    /// </summary>
    private static async Task<BcToMarketoPlanner.Chunk> PlanContactsAsync(BcToMarketoPlanner planner, BcSources sources, List<BcContact> batch,
        Dictionary<string, BcCustomer> customersSeen, bool withAccountFields, CancellationToken cancellationToken)
    {
        var plan = planner.PlanContacts(batch, n => customersSeen.GetValueOrDefault(n), withAccountFields);
        if (plan.Contested.Count > 0)
            planner.Resolve(plan, await sources.ContactEmailsAsync(plan.Contested.Select(c => c.Owner), cancellationToken).ConfigureAwait(false));
        return plan;
    }

    /// <summary>The chunk in the verbose story: how many were read and what the plan makes of them (counts only).</summary>
    private void Tell(string noun, int read, BcToMarketoPlanner.Chunk plan)
    {
        var byReason = plan.Immediate.Where(r => r.Action == SyncAction.Skipped).GroupBy(r => r.Reason?.Split(':')[0] ?? "-")
            .Select(g => $"{g.Count()} {g.Key}");
        var skipped = plan.Immediate.Count(r => r.Action == SyncAction.Skipped);
        _context.Log.Verbose($"Planned {read} {noun}(s) read from Business Central: {plan.Send.Count} to send, " +
            $"{plan.Immediate.Count(r => r.Action == SyncAction.Unchanged) + plan.Unchanged.Count} unchanged, {skipped} skipped" +
            (skipped > 0 ? $" ({string.Join(", ", byReason)})" : "") + ".");
    }

    /// <summary>Opened at the first record a run reads (so a run that finds nothing makes no write, not even a probe), once per run.</summary>
    private async Task<MarketoScope> ScopeAsync(CancellationToken cancellationToken)
        => _scope ??= await MarketoScope.OpenAsync(_context, _mapper, _fields, cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// Before a run first writes (or skips for CRM sync), company writability is probed afresh, once per run — CRM sync
    /// may have been switched on or off since the connection last saw it. Returns the new scope when that changed the answer.
    /// </summary>
    private async Task<MarketoScope?> ConfirmScopeAsync(BcToMarketoPlanner.Chunk plan, CancellationToken cancellationToken)
    {
        if (_scope is not { Confirmed: false } scope || (plan.Send.Count == 0 && plan.CrmSkipped.Count == 0)) return null;
        _scope = await scope.ConfirmAsync(_context, _mapper, _fields, cancellationToken).ConfigureAwait(false);
        return _scope.CompaniesWritable == scope.CompaniesWritable ? null : _scope;
    }

    private static IReadOnlyCollection<string> InputNumbers(CustomerSyncRequest request) =>
        (request.Customers?.Select(c => c.Number) ?? request.CustomerNumbers ?? []).ToHashSet(StringComparer.OrdinalIgnoreCase);

    private OverlapBoundary Boundary(string checkpoint) =>
        new(_context.Bc.ModifiedSinceOverlap, _context.State.Checkpoints.Boundary(checkpoint));

    private static Planned Checkpoint(string name, DateTimeOffset value, IReadOnlyDictionary<Guid, ReadVersion> boundary) =>
        new(new BcToMarketoPlanner.Chunk(), new CheckpointMove(name, value, boundary));
}
