namespace MlConnector.Sandbox.BusinessCentral;

/// <summary>
/// Collection reads of the large entity sets (customers, contacts, customerContacts) the way BC's SQL serves them
/// with its keys: the rows are kept in the set's key order and sorted again only after the tables changed, a page
/// starts at its $skiptoken by binary search and reads on only until it is full, and a filter of "key eq ..." terms
/// (id, number, companyNumber) reads just those rows. A page costs what it returns, not the size of the table, as it
/// does on a real tenant. A read with $orderby, or under a commit lag (rows seen through their committed versions),
/// takes the general path (filter and sort everything).
/// </summary>
internal sealed class BcKeyedRows(BcShapes shapes)
{
    private readonly Dictionary<EntityShape, (long Version, List<object> Rows)> _sorted = new();

    private BcDataStore Store => shapes.Store;

    public bool Serves(EntityShape shape, ODataQuery query)
        => query.OrderBy.Count == 0 && !Store.Lags && (shape == shapes.Customer || shape == shapes.Contact || shape == shapes.CustomerContact);

    /// <summary>One page: at most <paramref name="pageSize"/> rows (or $top), after $skiptoken or $skip; More when a row follows (never with $top).</summary>
    public (List<object> Rows, bool More) Page(EntityShape shape, ODataQuery query, int pageSize)
    {
        var keys = query.SortKeys(shape);
        var candidates = Lookup(shape, query.Filter) ?? Sorted(shape);
        var index = query.SkipToken is { } token ? ODataQuery.IndexAfter(candidates, token, keys) : 0;
        var skip = query.SkipToken is null ? query.Skip ?? 0 : 0;
        var limit = query.Top ?? pageSize;
        var rows = new List<object>(Math.Min(limit, 1024));
        for (; index < candidates.Count; index++)
        {
            var row = Current(candidates, index);
            if (query.Filter is { } filter && !filter.Matches(row)) continue;
            if (skip > 0) { skip--; continue; }
            if (rows.Count == limit) return (rows, query.Top is null);
            rows.Add(row);
        }
        return (rows, false);
    }

    /// <summary>Every row of the set in key order, sorted again only when the store has changed since.</summary>
    private List<object> Sorted(EntityShape shape)
    {
        var version = Store.Version;
        if (_sorted.TryGetValue(shape, out var cached) && cached.Version == version) return cached.Rows;
        IEnumerable<object> rows = shape == shapes.Customer ? Store.Customers : shape == shapes.Contact ? Store.Contacts : shapes.CustomerContacts();
        var sorted = InKeyOrder(shape, rows);
        _sorted[shape] = (version, sorted);
        return sorted;
    }

    /// <summary>
    /// A customerContacts row carries its contact's version (the etag): a row kept in key order across an edit of its
    /// contact is renewed when it is read.
    /// </summary>
    private static object Current(List<object> rows, int index)
    {
        if (rows[index] is CustomerContactRow row && row.RowVersion != row.Contact.RowVersion)
            rows[index] = new CustomerContactRow(row.Contact, row.Customer);
        return rows[index];
    }

    /// <summary>The rows a "key eq v1 or key eq v2" filter can match, found through the store's indexes (null: no such filter).</summary>
    private List<object>? Lookup(EntityShape shape, ODataFilter? filter)
    {
        if (filter?.AnyOf is not { } anyOf) return null;
        IEnumerable<object?>? rows = (shape.EntitySet, anyOf.Field) switch
        {
            ("customers", "id") => anyOf.Values.OfType<Guid>().Select(Store.Customer),
            ("customers", "number") => anyOf.Values.OfType<string>().Select(Store.CustomerByNumber),
            ("contacts", "id") => anyOf.Values.OfType<Guid>().Select(Store.Contact),
            ("contacts", "number") => anyOf.Values.OfType<string>().Select(Store.ContactByNumber),
            ("contacts", "companyNumber") => anyOf.Values.OfType<string>().SelectMany(Store.ContactsOfCompany),
            ("customerContacts", "id") => anyOf.Values.OfType<Guid>().Select(CustomerContactOf),
            _ => null,
        };
        return rows is null ? null : InKeyOrder(shape, rows.OfType<object>().Distinct());
    }

    /// <summary>The customerContacts row of a person contact: the person and the customer its company contact is related to.</summary>
    private CustomerContactRow? CustomerContactOf(Guid contactId)
    {
        if (Store.Contact(contactId) is not { Type: "Person" } person || person.CompanyNumber.Length == 0) return null;
        var company = Store.ContactByNumber(person.CompanyNumber);
        return company?.LinkedCustomer is { } customer && customer.CompanyContact == company ? new CustomerContactRow(person, customer) : null;
    }

    private static List<object> InKeyOrder(EntityShape shape, IEnumerable<object> rows)
    {
        var key = shape.Property(shape.DefaultOrder).Get;
        var list = rows.ToList();
        list.Sort((a, b) => ODataValues.Compare(key(a), key(b)));
        return list;
    }
}
