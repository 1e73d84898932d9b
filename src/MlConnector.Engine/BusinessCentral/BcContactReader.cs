using System.Runtime.CompilerServices;
using System.Text.Json;

namespace MlConnector.Engine.BusinessCentral;

/// <summary>
/// Reads contacts with the number of the customer each belongs to. BC keeps that link in the Contact Business
/// Relation, which API v2.0 exposes only through customerContacts (person contacts, with first/last name) and
/// contactsInformation (needs relatedId and relatedType filters). Company contacts are linked through their persons.
/// customerContacts is read whole or by id: its customerId and customerName are computed by the page, and no
/// Microsoft document shows a filter on them working.
/// </summary>
internal sealed class BcContactReader(BusinessCentralClient client)
{
    private readonly Dictionary<Guid, string> _customerNumbers = new();
    private readonly Dictionary<Guid, string> _customerNames = new();
    private bool _personsOnly;
    private readonly PersonLinks _persons = new();
    private readonly Dictionary<string, string> _companyCustomer = new(StringComparer.OrdinalIgnoreCase);
    private readonly HashSet<Guid> _personsOfCustomers = new();

    public async IAsyncEnumerable<BcContact> ReadAsync(BcContactQuery query, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        _personsOnly = query.PersonsOnly;
        var modified = BcFilter.And(client.ModifiedFilter(query.ModifiedSince), query.PersonsOnly ? "type eq 'Person'" : null);
        var linksLoaded = false;
        IEnumerable<string?> filters = [modified];
        if (query.CustomerNumbers is not null)
        {
            await LoadCustomersAsync(query.CustomerNumbers, cancellationToken).ConfigureAwait(false);
            if (_customerNumbers.Count == 0) yield break;
            var numbers = await ContactNumbersOfCustomersAsync(cancellationToken).ConfigureAwait(false);
            await LoadLinksOfAsync(_personsOfCustomers.ToArray(), cancellationToken).ConfigureAwait(false);
            linksLoaded = true;
            filters = BcFilter.AnyOf("number", numbers).Select(chunk => BcFilter.And(chunk, modified));
        }
        else if (query.Numbers is not null)
        {
            filters = BcFilter.AnyOf("number", query.Numbers.Select(BcNumberPattern.Normalize)).Select(chunk => BcFilter.And(chunk, modified));
        }
        else if (query.Ids is not null)
        {
            filters = client.IdFilters(query.Ids, query.ModifiedSince).Select(f => BcFilter.And(f, query.PersonsOnly ? "type eq 'Person'" : null));
        }

        // A record can come back twice only when several filters overlap or a change moves it between pages of a
        // ModifiedSince read; a plain read of every contact needs no set of hundreds of thousands of ids.
        var seen = query.ModifiedSince is not null || query.CustomerNumbers is not null || query.Numbers is not null || query.Ids is not null ? new HashSet<Guid>() : null;
        var deferred = new List<JsonElement>();
        foreach (var filter in filters)
        {
            var uri = client.Endpoints.Company("contacts", BcFilter.Query(filter));
            // Each page's records are read where they stand in its document (valid until the next page); only the few
            // company contacts resolved at the end are copied out of it.
            await foreach (var (read, more) in client.Reader.LendPagesAsync(uri, "contacts", query.OnPage, cancellationToken).ConfigureAwait(false))
            {
                var page = query.AlreadyRead is null ? read
                    : read.Where(r => !AlreadyReadRecords.Contains(query.AlreadyRead, BcJson.Guid(r, "id"), BcJson.Version(r))).ToList();
                // The customer links are read only once there is a contact to link, so an incremental read that finds
                // nothing costs one call. A small read of persons (one short page) looks up just its contacts' links;
                // anything else reads both link tables whole (company contacts are resolved through them).
                if (!linksLoaded && page.Count > 0)
                {
                    if (query.PersonsOnly && !more && page.Count <= SmallRead)
                        await LoadLinksOfAsync(page.Select(r => BcJson.Guid(r, "id")).ToArray(), cancellationToken).ConfigureAwait(false);
                    else
                    {
                        await LoadCustomersAsync(null, cancellationToken).ConfigureAwait(false);
                        await LoadAllCustomerContactsAsync(cancellationToken).ConfigureAwait(false);
                    }
                    linksLoaded = true;
                }
                foreach (var raw in page)
                {
                    if (seen is not null && !seen.Add(BcJson.Guid(raw, "id"))) continue;
                    var contact = Map(raw, query.PersonsOnly);
                    if (contact.CustomerNumber is null && contact.Type == "Company" && contact.ContactBusinessRelation == "Customer") deferred.Add(raw.Clone());
                    else yield return contact;
                }
            }
        }

        // A company contact is linked through its persons; those seen later, or not changed at all, are looked up now.
        var unresolved = deferred.Where(d => !_companyCustomer.ContainsKey(BcJson.Str(d, "number"))).Select(d => BcJson.Str(d, "number")).ToArray();
        if (unresolved.Length > 0) await LearnCompaniesFromPersonsAsync(unresolved, cancellationToken).ConfigureAwait(false);
        var withoutPersons = deferred.Where(d => !_companyCustomer.ContainsKey(BcJson.Str(d, "number"))).Select(d => BcJson.Str(d, "displayName")).ToArray();
        if (withoutPersons.Length > 0) await LearnCompaniesByNameAsync(withoutPersons, cancellationToken).ConfigureAwait(false);
        foreach (var raw in deferred) yield return Map(raw, persons: false);
    }

    /// <param name="persons">
    /// A persons-only read: each person's link is used once, so it is let go (a full read of a large company holds
    /// hundreds of thousands), and no company contact needs resolving through it.
    /// </param>
    private BcContact Map(JsonElement raw, bool persons)
    {
        var id = BcJson.Guid(raw, "id");
        var number = BcJson.Str(raw, "number");
        var company = BcJson.Str(raw, "companyNumber");
        string? customer = null;
        (string, string)? names = null;
        if (persons ? _persons.TryTake(id, out var person) : _persons.TryGet(id, out person))
        {
            customer = person.CustomerNumber;
            names = person.Names;
            if (company.Length > 0 && !persons) _companyCustomer.TryAdd(company, customer);
        }
        customer ??= _companyCustomer.GetValueOrDefault(company.Length > 0 ? company : number) ?? _companyCustomer.GetValueOrDefault(number);
        return BcJson.Contact(raw, customer, names);
    }

    private async Task LoadCustomersAsync(IReadOnlyCollection<string>? numbers, CancellationToken cancellationToken)
    {
        foreach (var filter in client.CustomerFilters(numbers, null))
        {
            var uri = client.Endpoints.Company("customers", BcFilter.Query(filter, select: _personsOnly ? "id,number" : "id,number,displayName"));
            await foreach (var (id, number, name) in client.Reader.ReadAsync(uri, "customers",
                e => (BcJson.Guid(e, "id"), BcJson.Str(e, "number"), _personsOnly ? "" : BcJson.Str(e, "displayName")), null, cancellationToken).ConfigureAwait(false))
            {
                _customerNumbers[id] = number;
                if (!_personsOnly) _customerNames[id] = name;
            }
        }
    }

    /// <summary>Contacts per read up to which their links are looked up by id rather than by reading the link tables whole.</summary>
    private const int SmallRead = 100;

    /// <summary>The customerContacts rows of these contacts (its id is the contact's), then the customers they name that are not known yet.</summary>
    private async Task LoadLinksOfAsync(IReadOnlyCollection<Guid> contactIds, CancellationToken cancellationToken)
    {
        var links = new List<(Guid Id, Guid CustomerId, string First, string Last)>();
        foreach (var filter in Chunk(contactIds.Select(id => BcFilter.Guid("id", id))))
        {
            var uri = client.Endpoints.Company("customerContacts", BcFilter.Query(filter, select: "id,customerId,firstName,lastName"));
            await foreach (var link in client.Reader.ReadAsync(uri, "customerContacts",
                e => (BcJson.Guid(e, "id"), BcJson.Guid(e, "customerId"), BcJson.Str(e, "firstName"), BcJson.Str(e, "lastName")), null, cancellationToken).ConfigureAwait(false))
                links.Add(link);
        }
        foreach (var filter in Chunk(links.Select(l => l.CustomerId).Distinct().Where(id => !_customerNumbers.ContainsKey(id)).Select(id => BcFilter.Guid("id", id))))
        {
            var uri = client.Endpoints.Company("customers", BcFilter.Query(filter, select: "id,number,displayName"));
            await foreach (var (id, number, name) in client.Reader.ReadAsync(uri, "customers",
                e => (BcJson.Guid(e, "id"), BcJson.Str(e, "number"), BcJson.Str(e, "displayName")), null, cancellationToken).ConfigureAwait(false))
            {
                _customerNumbers[id] = number;
                _customerNames[id] = name;
            }
        }
        foreach (var (id, customerId, first, last) in links)
            if (_customerNumbers.TryGetValue(customerId, out var number)) _persons.Set(id, number, first, last);
    }

    private async Task LoadAllCustomerContactsAsync(CancellationToken cancellationToken)
    {
        var uri = client.Endpoints.Company("customerContacts", BcFilter.Query(null, select: "id,customerId,firstName,lastName"));
        await foreach (var (id, customerId, first, last) in client.Reader.ReadAsync(uri, "customerContacts",
            e => (BcJson.Guid(e, "id"), BcJson.Guid(e, "customerId"), BcJson.Str(e, "firstName"), BcJson.Str(e, "lastName")), null, cancellationToken).ConfigureAwait(false))
            if (_customerNumbers.TryGetValue(customerId, out var number)) _persons.Set(id, number, first, last);
        // A read of persons needs only their links from here on (no company contact is resolved through the customers).
        if (_personsOnly)
        {
            _customerNumbers.Clear();
            _customerNumbers.TrimExcess();
        }
    }

    /// <summary>
    /// contactsInformation per customer (BC requires relatedId and relatedType): every contact of the customer's company.
    /// The person contacts among them are remembered so their names can be read from customerContacts by id.
    /// </summary>
    private Task<IReadOnlyCollection<string>> ContactNumbersOfCustomersAsync(CancellationToken cancellationToken)
        => ContactNumbersOfAsync(_customerNumbers.Keys.ToArray(), cancellationToken);

    /// <summary>
    /// A company contact without persons has no other path to its customer: BC names the company contact after the
    /// customer, so customers of the same name are checked through contactsInformation (one call each, never a scan).
    /// </summary>
    private async Task LearnCompaniesByNameAsync(IReadOnlyCollection<string> companyNames, CancellationToken cancellationToken)
    {
        var names = new HashSet<string>(companyNames, StringComparer.OrdinalIgnoreCase);
        var candidates = _customerNames.Where(c => names.Contains(c.Value) && !_companyCustomer.ContainsValue(_customerNumbers[c.Key])).Select(c => c.Key).ToArray();
        await ContactNumbersOfAsync(candidates, cancellationToken).ConfigureAwait(false);
    }

    private async Task<IReadOnlyCollection<string>> ContactNumbersOfAsync(IReadOnlyCollection<Guid> customerIds, CancellationToken cancellationToken)
    {
        var numbers = new List<string>();
        foreach (var customerId in customerIds)
        {
            var customerNumber = _customerNumbers[customerId];
            var filter = BcFilter.And(BcFilter.Guid("relatedId", customerId), "relatedType eq 'Customer'");
            var uri = client.Endpoints.Company("contactsInformation", BcFilter.Query(filter));
            await foreach (var (contactId, number, type) in client.Reader.ReadAsync(uri, "contactsInformation",
                e => (BcJson.Guid(e, "contactId"), BcJson.Str(e, "contactNumber"), BcJson.Enum(BcJson.Str(e, "contactType"))), null, cancellationToken).ConfigureAwait(false))
            {
                numbers.Add(number);
                if (type == "Company") _companyCustomer.TryAdd(number, customerNumber);
                else if (type == "Person") _personsOfCustomers.Add(contactId);
            }
        }
        return numbers;
    }

    private async Task LearnCompaniesFromPersonsAsync(IEnumerable<string> companyNumbers, CancellationToken cancellationToken)
    {
        foreach (var chunk in BcFilter.AnyOf("companyNumber", companyNumbers))
        {
            var uri = client.Endpoints.Company("contacts", BcFilter.Query(BcFilter.And(chunk, "type eq 'Person'"), select: "id,companyNumber"));
            await foreach (var (id, company) in client.Reader.ReadAsync(uri, "contacts", e => (BcJson.Guid(e, "id"), BcJson.Str(e, "companyNumber")), null, cancellationToken).ConfigureAwait(false))
                if (_persons.TryGet(id, out var person)) _companyCustomer.TryAdd(company, person.CustomerNumber);
        }
    }

    private static IEnumerable<string?> Chunk(IEnumerable<string> terms)
        => terms.Chunk(BcFilter.ChunkSize).Select(c => string.Join(" or ", c));
}
