using System.Text.Json;
using MlConnector.Engine.BusinessCentral;
using MlConnector.Engine.Mapping;
using MlConnector.Engine.State;

namespace MlConnector.Engine.Sync.MarketoToBc;

/// <summary>
/// Writes a batch of planned leads to Business Central in as few $batch calls as the dependencies allow (100 operations
/// each): new customers, updates (with If-Match) and contacts under existing customers together; then, once Business
/// Central has given the new customers their company contacts, the contacts under them. A stale ETag (409) is re-read
/// and the change re-applied once; a conflict that persists fails the lead, and the queue parks it. New customer numbers
/// are then written back to Marketo, and links and record states kept.
/// </summary>
internal sealed class BcLeadWriter
{
    private readonly SyncContext _context;
    private readonly MarketoToBcMapper _mapper;
    private readonly LeadPlanner _planner;
    private readonly ForwardEcho _echo;
    private readonly MarketoWriteBack _writeBack;

    public BcLeadWriter(SyncContext context, MarketoToBcMapper mapper, LeadPlanner planner, ForwardEcho echo)
    {
        _context = context;
        _mapper = mapper;
        _planner = planner;
        _echo = echo;
        _writeBack = new MarketoWriteBack(context, mapper);
    }

    /// <summary>$batch calls that carried writes, and the write operations in them.</summary>
    public long WriteCalls { get; private set; }

    public long WriteOperations { get; private set; }

    /// <summary>The queue drain's sender: plans the jobs' leads, writes them, and answers one outcome per job in order.</summary>
    public async Task<IReadOnlyList<JobOutcome>> SendAsync(IReadOnlyList<QueuedJob> jobs, CancellationToken cancellationToken)
    {
        var plans = await _planner.PlanAsync(jobs.Select(LeadJobs.FromJob).ToList(), cancellationToken).ConfigureAwait(false);
        await WriteAsync(plans, cancellationToken).ConfigureAwait(false);
        return plans.Select(Outcome).ToList();
    }

    private async Task WriteAsync(List<LeadPlan> plans, CancellationToken cancellationToken)
    {
        var open = plans.Where(p => p.Settled is null).ToList();
        if (open.Count == 0) return;
        var customers = open.Select(p => p.Customer).OfType<CustomerPlan>().Distinct().ToList();

        await CompanyContactsAsync(open.Where(p => p.CreatesContact && p.Customer is { IsNew: false }).Select(p => p.Customer!), cancellationToken).ConfigureAwait(false);
        var first = customers.Where(c => c.IsNew).Select(CreateCustomer)
            .Concat(customers.Where(c => !c.IsNew && c.Values.Count > 0).Select(UpdateCustomer))
            .Concat(open.Where(p => p.Contact is not null && p.ContactValues.Count > 0).Select(UpdateContact))
            .Concat(open.Where(p => p.CreatesContact && p.Customer is { IsNew: false, Failure: null }).Select(CreateContact))
            .ToList();
        _context.Progress?.Report(new SyncProgress("Writing Business Central", open.Count));
        await SendAsync(first, cancellationToken).ConfigureAwait(false);

        var created = customers.Where(c => c.Created).ToList();
        await CompanyContactsAsync(created, cancellationToken).ConfigureAwait(false);
        await SendAsync(open.Where(p => p.CreatesContact && p.Customer is { IsNew: true, Created: true, Failure: null }).Select(CreateContact).ToList(), cancellationToken).ConfigureAwait(false);
        foreach (var plan in open.Where(p => p.CreatesContact && p.Failure is null && p.Written is null && p.Customer?.Failure is not null)) plan.Failure = plan.Customer!.Failure;

        await _writeBack.WriteAsync(created, open, cancellationToken).ConfigureAwait(false);
        Keep(open, customers);
    }

    /// <summary>The company contact each customer's new person contacts go under.</summary>
    private async Task CompanyContactsAsync(IEnumerable<CustomerPlan> customers, CancellationToken cancellationToken)
    {
        var wanted = customers.Where(c => c.CompanyContactNumber is null && c.Failure is null).Distinct().ToList();
        if (wanted.Count == 0) return;
        var found = await BcLookup.CompanyContactsAsync(_context.Bc, wanted.Select(c => c.Id).ToArray(), cancellationToken).ConfigureAwait(false);
        foreach (var customer in wanted)
        {
            if (found.TryGetValue(customer.Id, out var number) && number.Length > 0) customer.CompanyContactNumber = number;
            else if (customer.Existing is not null || customer.Created)
                customer.Failure = $"{LeadReasons.NoCompanyContact}: customer {customer.Number} has no company contact in Business Central, so no person contact can be placed under it " +
                    "(Marketing Setup: Bus. Rel. Code for Customers creates one for every new customer)";
        }
    }

    /// <summary>One write of a $batch: the operation, what to do with BC's answer, and for a PATCH how to re-apply it after a 409.</summary>
    private sealed record Write(BcBatchOperation Operation, Action<BcRow> Succeeded, Action<string> Failed, string? EntitySet = null,
        IReadOnlyDictionary<string, string>? Changes = null);

    private Write CreateCustomer(CustomerPlan customer)
    {
        var body = Body(customer.Values);
        body["id"] = customer.Id.ToString("D");
        return new Write(new BcBatchOperation("POST", "customers", Body: body),
            row => { customer.Number = row.Number; customer.Created = true; },
            why => customer.Failure = why);
    }

    private Write UpdateCustomer(CustomerPlan customer) => new(
        new BcBatchOperation("PATCH", "customers", customer.Id, Body(customer.Values), customer.Existing!.ETag ?? "*"),
        _ => customer.Updated = true,
        why => customer.Failure = why,
        "customers", customer.Values);

    private Write UpdateContact(LeadPlan plan) => new(
        new BcBatchOperation("PATCH", "contacts", plan.Contact!.Id, Body(plan.ContactValues), plan.Contact.ETag ?? "*"),
        row => plan.Written = row,
        why => plan.Failure = why,
        "contacts", plan.ContactValues);

    private Write CreateContact(LeadPlan plan)
    {
        var body = Body(plan.ContactValues);
        body["type"] = "Person";
        body["companyNumber"] = plan.Customer!.CompanyContactNumber;
        return new Write(new BcBatchOperation("POST", "contacts", Body: body), row => plan.Written = row, why => plan.Failure = why);
    }

    private static Dictionary<string, object?> Body(IReadOnlyDictionary<string, string> values)
        => values.ToDictionary(v => v.Key, v => (object?)v.Value, StringComparer.Ordinal);

    /// <summary>Sends the writes; a PATCH that met a stale ETag is re-read and, if it still changes something, re-applied once.</summary>
    private async Task SendAsync(List<Write> writes, CancellationToken cancellationToken)
    {
        var conflicts = new List<Write>();
        foreach (var (write, result) in await ExecuteAsync(writes, cancellationToken).ConfigureAwait(false))
        {
            if (result.Succeeded) write.Succeeded(new BcRow(result.Body ?? EmptyObject));
            else if (result.Status is 409 or 412 && write.Changes is not null) conflicts.Add(write);
            else write.Failed(Reason(result));
        }
        if (conflicts.Count == 0) return;

        // Someone changed these records between our read and our write: read them again and apply the changes once more.
        _context.Log.Verbose($"{conflicts.Count} record(s) changed in Business Central since they were read (stale ETag); re-reading and applying the changes once more.");
        var fresh = await BcLookup.ReadAsync(_context.Bc, new BcLookupRequest([],
            conflicts.Where(c => c.EntitySet == "customers").Select(c => c.Operation.Id!.Value).ToArray(),
            conflicts.Where(c => c.EntitySet == "contacts").Select(c => c.Operation.Id!.Value).ToArray(), [], false), cancellationToken).ConfigureAwait(false);
        var again = new List<Write>();
        foreach (var write in conflicts)
        {
            var id = write.Operation.Id!.Value;
            var row = write.EntitySet == "customers" ? fresh.CustomersById.GetValueOrDefault(id) : fresh.ContactsById.GetValueOrDefault(id);
            if (row is null)
            {
                write.Failed($"{LeadReasons.Conflict}: the record was deleted in Business Central while the connector wrote to it");
                continue;
            }
            var left = write.Changes!.Where(c => !string.Equals(row.Value(c.Key), c.Value, BcWritableFields.IgnoresCase(c.Key) ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal))
                .ToDictionary(c => c.Key, c => c.Value, StringComparer.Ordinal);
            if (left.Count == 0) write.Succeeded(row);
            else again.Add(write with { Operation = write.Operation with { Body = Body(left), IfMatch = row.ETag ?? "*" } });
        }
        _context.Progress?.Report(new SyncProgress("Re-applying changes after a conflict", again.Count));
        foreach (var (write, result) in await ExecuteAsync(again, cancellationToken).ConfigureAwait(false))
        {
            if (result.Succeeded) write.Succeeded(new BcRow(result.Body ?? EmptyObject));
            else if (result.Status is 409 or 412)
                write.Failed($"{LeadReasons.Conflict}: the record changed again in Business Central after it was re-read ({result.ErrorCode}); parked for Invoke-MlReplay");
            else write.Failed(Reason(result));
        }
    }

    private async Task<IEnumerable<(Write Write, BcBatchResult Result)>> ExecuteAsync(List<Write> writes, CancellationToken cancellationToken)
    {
        if (writes.Count == 0) return [];
        var results = await _context.Bc.ExecuteBatchAsync(writes.Select(w => w.Operation).ToArray(), cancellationToken).ConfigureAwait(false);
        WriteCalls += (writes.Count + BusinessCentralClient.MaxBatchOperations - 1) / BusinessCentralClient.MaxBatchOperations;
        WriteOperations += writes.Count;
        return results.Select(r => (writes[r.Index], r));
    }

    private static string Reason(BcBatchResult result)
        => $"Business Central answered {result.Status} {result.ErrorCode}: {result.ErrorMessage}".TrimEnd(' ', ':');

    private static readonly JsonElement EmptyObject = JsonDocument.Parse("{}").RootElement.Clone();

    /// <summary>Links (contact ↔ lead), the reverse record states, and — where Marketo already holds it — the forward state.</summary>
    private void Keep(List<LeadPlan> plans, List<CustomerPlan> customers)
    {
        var now = _context.Time.GetUtcNow();
        var links = new List<RecordLink>();
        var forward = new List<RecordState>();
        foreach (var plan in plans.Where(p => p.Written is not null && p.Failure is null))
        {
            var row = plan.Written!;
            links.Add(new RecordLink(LinkKind.Contact, row.Number, row.Id, plan.Lead.Id, row.Value("email") is { Length: > 0 } email ? email : plan.Lead.Email, now));
            var customerNumber = plan.Customer?.Number ?? _mapper.CompanyKeyOf(plan.Lead).Number;
            if (_echo.Seed(plan.Lead, BcJson.Contact(row.Raw, customerNumber, null)) is { } state) forward.Add(state);
        }
        if (links.Count > 0) _context.State.Links.Save(links);
        if (forward.Count > 0) _context.State.Records(SyncDirection.BcToMarketo).Save(forward);
        var written = customers.Where(c => (c.Created || c.Updated) && c.Number is not null)
            .Select(c => new RecordState(LeadPlanner.CustomerKey(c.Number!), c.FirstLeadId.ToString(System.Globalization.CultureInfo.InvariantCulture),
                LeadPlanner.Hash(c.Values), c.Id.ToString("D"), now)).ToList();
        if (written.Count > 0) _context.State.Records(SyncDirection.MarketoToBc).Save(written);
    }

    private JobOutcome Outcome(LeadPlan plan)
    {
        var lead = plan.Lead;
        var now = _context.Time.GetUtcNow();
        if (plan.Settled is { } settled)
        {
            var unchanged = settled.Action == SyncAction.Unchanged && settled.TargetKey is { } key && plan.ContactHash is { } hash;
            return new JobOutcome(settled, unchanged ? new RecordState(LeadPlanner.ContactKey(settled.TargetKey!), settled.SourceNumber, plan.ContactHash!, null, now) : null);
        }
        var results = new List<SyncResult>(2);
        if (plan.Customer is { } customer && customer.FirstLeadId == lead.Id)
        {
            var action = customer.Failure is not null ? SyncAction.Failed : customer.Created ? SyncAction.Created : customer.Updated ? SyncAction.Updated : (SyncAction?)null;
            if (action is { } done)
                results.Add(LeadResults.Of(_context, lead.Id, LeadResults.Customer, customer.Number, done, customer.Failure,
                    done == SyncAction.Failed ? null : customer.Values.Keys.ToArray()));
        }
        var number = plan.Written?.Number ?? plan.Contact?.Number;
        RecordState? state = null;
        if (plan.Failure is { } failure) results.Add(LeadResults.Of(_context, lead.Id, LeadResults.Contact, number, SyncAction.Failed, failure));
        else
        {
            var action = plan.Contact is null ? SyncAction.Created : plan.ContactValues.Count > 0 ? SyncAction.Updated : SyncAction.Unchanged;
            var result = LeadResults.Of(_context, lead.Id, LeadResults.Contact, number, action, null, action == SyncAction.Unchanged ? null : plan.ContactValues.Keys.ToArray());
            results.Add(result);
            if (number is not null && plan.ContactHash is not null)
                state = new RecordState(LeadPlanner.ContactKey(number), result.SourceNumber, plan.ContactHash, (plan.Written ?? plan.Contact)?.Id.ToString("D"), now);
        }
        // A failure decides the job (it is parked and replayed whole); what did get written is reported beside it.
        var primary = results.FirstOrDefault(r => r.Action == SyncAction.Failed) ?? results[^1];
        return new JobOutcome(primary, primary.Action == SyncAction.Failed ? null : state, AlsoTouched: results.Where(r => r != primary).ToList());
    }
}
