using System.Security.Cryptography;
using System.Text;
using MlConnector.Engine.Mapping;
using MlConnector.Engine.Marketo;
using MlConnector.Engine.State;

namespace MlConnector.Engine.Sync.MarketoToBc;

/// <summary>
/// Decides what each lead of a batch becomes in Business Central, from one round of reads. The contact: the one the lead
/// is linked to, else the person contact with its email, else a new one. For a new contact, the customer: the one the
/// lead's externalCompanyId names (by number, else through the customer link kept in the state store), else the one
/// this pair created earlier for the same company (its id is derived from the company name), else a new one shared by
/// the batch's leads of that company. Updates carry only the fields Marketo owns, and only those that differ.
/// </summary>
internal sealed class LeadPlanner(SyncContext context, MarketoToBcMapper mapper)
{
    private readonly IRecordStates _written = context.State.Records(SyncDirection.MarketoToBc);
    private readonly bool _marketoOwnsCustomerFields = mapper.Mapping.Customer.Any(f => f.Owner == FieldOwner.Marketo);

    /// <summary>Why a lead is not taken at all, decided without reading Business Central; null when it is taken.</summary>
    public string? LocalSkip(MarketoLead lead, bool linked)
    {
        if (lead.Id <= 0) return $"{LeadReasons.NoMarketoId}: the input has no Marketo lead id (an id or MarketoId column)";
        if (mapper.CompanyKeyOf(lead).OtherPair is { } other) return other;
        // A lead the connector already links to a BC contact came from BC: marketing's edits of it are always taken.
        if (linked) return EmailRules.Problem(lead.Email) is { } problem ? $"{LeadReasons.NotQualified}: {problem}" : null;
        return mapper.NotQualified(lead);
    }

    public IReadOnlyDictionary<long, RecordLink> ContactLinks(IEnumerable<MarketoLead> leads)
        => context.State.Links.ByMarketoId(LinkKind.Contact, leads.Select(l => l.Id).Where(id => id > 0).Distinct());

    public async Task<List<LeadPlan>> PlanAsync(IReadOnlyList<MarketoLead> leads, CancellationToken cancellationToken)
    {
        var plans = leads.Select(l => new LeadPlan { Lead = l }).ToList();
        var contactLinks = ContactLinks(leads);
        foreach (var plan in plans)
            if (LocalSkip(plan.Lead, contactLinks.ContainsKey(plan.Lead.Id)) is { } why)
                plan.Settled = LeadResults.Skipped(context, plan.Lead.Id, contactLinks.GetValueOrDefault(plan.Lead.Id)?.BcNumber, why);
        SettleUnchangedByState(plans.Where(p => p.Settled is null), contactLinks);
        var open = plans.Where(p => p.Settled is null).ToList();
        if (open.Count == 0) return plans;

        var numbers = open.Select(p => mapper.CompanyKeyOf(p.Lead).Number).OfType<string>().Distinct(StringComparer.OrdinalIgnoreCase).ToArray();
        var customerLinks = context.State.Links.ByBcNumber(LinkKind.Customer, numbers);
        var request = new BcLookupRequest(
            numbers,
            customerLinks.Values.Select(l => l.BcId).OfType<Guid>().Concat(open.Where(p => mapper.CompanyKeyOf(p.Lead).Number is null).Select(p => NewCustomerId(p.Lead))).ToArray(),
            open.Select(p => contactLinks.GetValueOrDefault(p.Lead.Id)?.BcId).OfType<Guid>().ToArray(),
            open.Select(p => p.Lead.Email!).ToArray(),
            Countries: mapper.Mapping.Customer.Concat(mapper.Mapping.Contact).Any(f => f.BcField == "country") && open.Any(p => p.Lead["country"] is not null));
        context.Progress?.Report(new SyncProgress("Reading Business Central", open.Count));
        var lookup = await BcLookup.ReadAsync(context.Bc, request, cancellationToken).ConfigureAwait(false);

        var customers = new Dictionary<Guid, CustomerPlan>();
        foreach (var plan in open) Plan(plan, lookup, contactLinks, customerLinks, customers);
        return plans;
    }

    /// <summary>
    /// A lead linked to a contact whose Marketo-owned values are what the connector last wrote there needs no read:
    /// nothing marketing owns changed (a change made in BC since stays, and travels to Marketo).
    /// </summary>
    private void SettleUnchangedByState(IEnumerable<LeadPlan> plans, IReadOnlyDictionary<long, RecordLink> contactLinks)
    {
        if (_marketoOwnsCustomerFields) return;
        var linked = plans.Where(p => contactLinks.ContainsKey(p.Lead.Id)).ToList();
        var states = _written.Get(linked.Select(p => ContactKey(contactLinks[p.Lead.Id].BcNumber)));
        foreach (var plan in linked)
        {
            var number = contactLinks[plan.Lead.Id].BcNumber;
            plan.ContactHash = Hash(mapper.Values(plan.Lead, BcEntity.Contact, creating: false));
            if (states.TryGetValue(ContactKey(number), out var state) && state.ContentHash == plan.ContactHash)
                plan.Settled = LeadResults.Of(context, plan.Lead.Id, LeadResults.Contact, number, SyncAction.Unchanged);
        }
    }

    private void Plan(LeadPlan plan, BcLookup lookup, IReadOnlyDictionary<long, RecordLink> contactLinks, IReadOnlyDictionary<string, RecordLink> customerLinks,
        Dictionary<Guid, CustomerPlan> customers)
    {
        var lead = plan.Lead;
        if (contactLinks.GetValueOrDefault(lead.Id)?.BcId is { } linkedId && lookup.ContactsById.TryGetValue(linkedId, out var linked)) plan.Contact = linked;
        else if (lookup.PersonsByEmail.TryGetValue(EmailRules.Normalize(lead.Email!), out var persons))
        {
            if (persons.Count > 1)
            {
                Skip(plan, $"{LeadReasons.DuplicateEmail}: Business Central contacts {string.Join(", ", persons.Select(p => p.Number))} have this email");
                return;
            }
            plan.Contact = persons[0];
        }
        if (plan.Contact is null && mapper.NotQualified(lead) is { } notQualified)
        {
            Skip(plan, notQualified);
            return;
        }

        var ownValues = mapper.Values(lead, BcEntity.Contact, creating: false);
        plan.ContactHash = Hash(ownValues);
        var contactValues = plan.Contact is null ? mapper.Values(lead, BcEntity.Contact, creating: true) : ownValues;
        if (Problem(BcEntity.Contact, contactValues, lookup) is { } contactProblem)
        {
            Skip(plan, contactProblem);
            return;
        }
        if (plan.Contact is null)
        {
            foreach (var (field, value) in contactValues)
            {
                plan.ContactValues[field] = value;
                plan.ContactChanges.Add(new FieldChange(field, null, value));
            }
        }
        else Diff(BcEntity.Contact, lead, plan.Contact, contactValues, plan.ContactValues, plan.ContactChanges);

        if ((plan.Contact is null || _marketoOwnsCustomerFields) && !PlanCustomer(plan, lookup, customerLinks, customers)) return;
        if (plan.Contact is not null && plan.ContactValues.Count == 0 && (plan.Customer is null || plan.Customer.Values.Count == 0))
            plan.Settled = LeadResults.Of(context, lead.Id, LeadResults.Contact, plan.Contact.Number, SyncAction.Unchanged);
    }

    /// <summary>Finds or plans the customer; false when the lead was skipped for it.</summary>
    private bool PlanCustomer(LeadPlan plan, BcLookup lookup, IReadOnlyDictionary<string, RecordLink> customerLinks, Dictionary<Guid, CustomerPlan> customers)
    {
        var lead = plan.Lead;
        var creating = plan.Contact is null;
        BcRow? existing = null;
        Guid id;
        if (mapper.CompanyKeyOf(lead).Number is { } number)
        {
            existing = lookup.CustomersByNumber.GetValueOrDefault(number)
                ?? (customerLinks.GetValueOrDefault(number)?.BcId is { } linkedId ? lookup.CustomersById.GetValueOrDefault(linkedId) : null);
            if (existing is null)
            {
                if (creating) Skip(plan, $"{LeadReasons.CustomerNotFound}: externalCompanyId {lead["externalCompanyId"]} names no Business Central customer");
                return !creating;
            }
            id = existing.Id;
        }
        else
        {
            if (!creating) return true;
            id = NewCustomerId(lead);
            existing = lookup.CustomersById.GetValueOrDefault(id);
        }

        if (!customers.TryGetValue(id, out var customer))
        {
            var values = mapper.Values(lead, BcEntity.Customer, creating: existing is null);
            if (existing is null && !values.ContainsKey("displayName")) values = new Dictionary<string, string>(values) { ["displayName"] = PersonName(lead) };
            if (Problem(BcEntity.Customer, values, lookup) is { } problem)
            {
                Skip(plan, problem);
                return false;
            }
            customer = new CustomerPlan { Id = id, Existing = existing, Number = existing?.Number, FirstLeadId = lead.Id };
            if (existing is null)
            {
                foreach (var (field, value) in values)
                {
                    customer.Values[field] = value;
                    customer.Changes.Add(new FieldChange(field, null, value));
                }
            }
            else Diff(BcEntity.Customer, lead, existing, values, customer.Values, customer.Changes);
            customers[id] = customer;
        }
        else if (!customer.IsNew)
        {
            // A later lead of the same customer: its Marketo-owned values win where they differ.
            var values = mapper.Values(lead, BcEntity.Customer, creating: false);
            if (Problem(BcEntity.Customer, values, lookup) is { } problem)
            {
                Skip(plan, problem);
                return false;
            }
            Diff(BcEntity.Customer, lead, customer.Existing!, values, customer.Values, customer.Changes);
        }
        plan.Customer = customer;
        return true;
    }

    /// <summary>A value Business Central would refuse: too long, or a country it does not know. The country becomes its code.</summary>
    private static string? Problem(BcEntity entity, IReadOnlyDictionary<string, string> values, BcLookup lookup)
    {
        if (values is Dictionary<string, string> editable && editable.TryGetValue("country", out var country) && lookup.Countries.Count > 0)
        {
            if (!lookup.Countries.TryGetValue(country, out var code))
                return $"{LeadReasons.UnknownCountry}: '{country}' is neither a country/region code nor a name Business Central knows";
            editable["country"] = code;
        }
        return MarketoToBcMapper.TooLong(entity, values);
    }

    private void Diff(BcEntity entity, MarketoLead lead, BcRow current, IReadOnlyDictionary<string, string> desired, Dictionary<string, string> changes, List<FieldChange> diff)
    {
        foreach (var (field, value) in desired)
        {
            var now = current.Value(field);
            if (mapper.Holds(entity, field, now, value, lead)) continue;
            changes[field] = value;
            diff.RemoveAll(c => c.Field == field);
            diff.Add(new FieldChange(field, now.Length == 0 ? null : now, value));
        }
    }

    private void Skip(LeadPlan plan, string reason)
        => plan.Settled = LeadResults.Skipped(context, plan.Lead.Id, plan.Contact?.Number, reason);

    private static string PersonName(MarketoLead lead)
        => string.Join(' ', new[] { lead["firstName"], lead["lastName"] }.OfType<string>()) is { Length: > 0 } name ? name : lead.Email!;

    /// <summary>
    /// The id a customer created for this lead's company gets: derived from the pair and the company name, so a later lead
    /// of the same company finds it, and a run repeated after a crash finds what it created instead of creating it again.
    /// </summary>
    public Guid NewCustomerId(MarketoLead lead)
    {
        var company = lead["company"] is { } name ? "company:" + string.Join(' ', name.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)).ToLowerInvariant()
            : "person:" + EmailRules.Normalize(lead.Email ?? lead.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var bytes = SHA256.HashData(Encoding.UTF8.GetBytes("mlconnector|customer|" + context.State.PairId + "|" + company));
        bytes[7] = (byte)((bytes[7] & 0x0F) | 0x40);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes.AsSpan(0, 16));
    }

    public static string ContactKey(string number) => LeadResults.Contact + ":" + number;

    public static string CustomerKey(string number) => LeadResults.Customer + ":" + number;

    public static string Hash(IReadOnlyDictionary<string, string> values)
        => ContentHash.Of(values.ToDictionary(v => v.Key, v => (object?)v.Value, StringComparer.Ordinal));
}
