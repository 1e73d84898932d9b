using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace MlConnector.Sandbox.BusinessCentral;

/// <summary>
/// Routes one API request (relative to /api/v2.0/) to the entity sets: reads with OData options and paging,
/// and POST/PATCH/DELETE with etag checks. Everything runs under the store's lock.
/// </summary>
public sealed partial class BcResources(BcShapes shapes, BusinessCentralOptions options, Func<IEnumerable<BcCompany>> companies)
{
    private readonly BcKeyedRows _keyed = new(shapes);

    private BcDataStore Store => shapes.Store;

    public BcResponse Execute(BcRequest request)
    {
        try
        {
            lock (Store.Gate) return Route(request);
        }
        catch (BcException e)
        {
            return BcResponse.Error(e);
        }
    }

    private BcResponse Route(BcRequest request)
    {
        var segments = request.Path.Split('/', StringSplitOptions.RemoveEmptyEntries).Select(ParseSegment).ToList();
        if (segments.Count == 0) throw BcErrors.SegmentNotFound("");
        if (segments[0].Name == "$metadata" && segments.Count == 1)
            return request.Method == "GET" ? BcResponse.Raw(BcSchema.Edmx, "application/xml") : throw BcErrors.MethodNotAllowed(request.Method, "$metadata");

        string contextPrefix;
        if (segments[0].Name == "companies")
        {
            if (segments[0].Key is null)
                return segments.Count == 1 ? ReadCollection(request, shapes.Company, companies(), "companies") : throw BcErrors.Syntax();
            if (ParseGuid(segments[0].Key!) != Store.Company.Id) throw BcErrors.CompanyNotFound(segments[0].Key);
            if (segments.Count == 1) return ReadSingle(request, shapes.Company, Store.Company, $"companies/$entity");
            contextPrefix = $"companies({Store.Company.Id:D})/";
            segments.RemoveAt(0);
        }
        else
        {
            var company = request.Query.GetValueOrDefault("company") ?? request.CompanyHeader;
            if (company is null) throw BcErrors.CompanyNotFound(null);
            var matches = BcCompanyRouter.Names(Store.Company, company);
            if (!matches) throw BcErrors.CompanyNotFound(company);
            contextPrefix = "";
        }

        if (segments.Count > 2) throw BcErrors.SegmentNotFound(segments[2].Name);
        if (!shapes.BySet.TryGetValue(segments[0].Name, out var shape) || shape == shapes.Company)
            throw segments[0].Name == "subscriptions"
                ? new BcException(501, "BadRequest_NotImplemented", "Webhook subscriptions are not simulated by this sandbox.")
                : BcErrors.SegmentNotFound(segments[0].Name);
        var setPath = contextPrefix + shape.EntitySet;

        if (segments[0].Key is null)
        {
            if (segments.Count > 1) throw BcErrors.Syntax();
            return request.Method switch
            {
                "GET" => ReadCollection(request, shape, Rows(shape, request), setPath),
                "POST" when shape == shapes.Customer || shape == shapes.Contact => Create(request, shape, setPath),
                _ => throw BcErrors.MethodNotAllowed(request.Method, shape.EntitySet),
            };
        }

        var row = Find(shape, segments[0].Key!);
        if (segments.Count == 2) return Navigate(request, shape, row, segments[1], setPath);
        return request.Method switch
        {
            "GET" => ReadSingle(request, shape, row, setPath + "/$entity"),
            "PATCH" when shape == shapes.Customer || shape == shapes.Contact => Update(request, shape, (BcRecord)row, setPath),
            "DELETE" when shape == shapes.Customer || shape == shapes.Contact => Delete(request, (BcRecord)row),
            _ => throw BcErrors.MethodNotAllowed(request.Method, shape.EntitySet),
        };
    }

    private IEnumerable<object> Rows(EntityShape shape, BcRequest request)
    {
        if (shape == shapes.Customer) return VisibleCustomers();
        if (shape == shapes.Contact) return Store.Contacts.Select(Store.Visible).OfType<BcContact>();
        if (shape == shapes.Currency) return Store.Currencies;
        if (shapes.SetupRows(shape) is { } setup) return setup;
        if (shape == shapes.Financial) return VisibleCustomers().Select(shapes.FinancialsOf);
        if (shape == shapes.CustomerContact) return shapes.CustomerContacts();
        // contactsInformation is a temporary table filled from the filter; page 30072 refuses to run without it.
        var filter = request.Query.TryGetValue("$filter", out var text) ? ODataFilterParser.Parse(text, shape) : null;
        if (filter is null || filter.Equalities.GetValueOrDefault("relatedId") is not Guid relatedId || filter.Equalities.GetValueOrDefault("relatedType") is not string)
            throw BcErrors.ContactInformationNeedsFilter();
        return Store.Customer(relatedId) is { } customer ? shapes.ContactInformationOf(customer) : Array.Empty<object>();
    }

    private IEnumerable<BcCustomer> VisibleCustomers() => Store.Customers.Select(Store.Visible).OfType<BcCustomer>();

    private object Find(EntityShape shape, string key)
    {
        var id = ParseGuid(key);
        object? row = shape.EntitySet switch
        {
            "customers" => Store.Customer(id) is { } customer ? Store.Visible(customer) : null,
            "contacts" => Store.Contact(id) is { } contact ? Store.Visible(contact) : null,
            "currencies" => Store.Currency(id),
            _ when shapes.SetupRows(shape) is { } setup => setup.FirstOrDefault(r => r.Id == id),
            "customerFinancialDetails" => Store.Customer(id) is { } c ? shapes.FinancialsOf(c) : null,
            "contactsInformation" => Store.Contact(id) is { } contact ? shapes.ContactInformationOf(contact) : null,
            _ => shapes.CustomerContacts().FirstOrDefault(r => r.Id == id),
        };
        return row ?? throw BcErrors.RecordNotFound(shape.Table, $"Id='{id:D}'");
    }

    private BcResponse Navigate(BcRequest request, EntityShape shape, object row, Segment segment, string setPath)
    {
        if (segment.Key is not null || !shape.Navigation.TryGetValue(segment.Name, out var navigation))
            throw shape.Edm.Navigation.ContainsKey(segment.Name)
                ? new BcException(501, "BadRequest_NotImplemented", $"The sandbox does not simulate the navigation property '{segment.Name}'.")
                : BcErrors.SegmentNotFound(segment.Name);
        if (request.Method != "GET") throw BcErrors.MethodNotAllowed(request.Method, segment.Name);
        var target = shapes.BySet[navigation.TargetSet];
        var path = $"{setPath}({((BcRecord)row).Id:D})/{navigation.Name}";
        var value = navigation.Resolve(row);
        if (navigation.IsCollection) return ReadCollection(request, target, (IEnumerable<object>)value!, path);
        return value is null ? throw BcErrors.RecordNotFound(target.Table, "") : ReadSingle(request, target, value, path + "/$entity");
    }

    private BcResponse ReadCollection(BcRequest request, EntityShape shape, IEnumerable<object> rows, string contextPath)
    {
        var query = ODataQuery.Parse(request.Query, shape);
        var keys = query.SortKeys(shape);
        var preferred = PreferredPageSize(request.Prefer);
        var pageSize = Math.Min(preferred ?? options.DefaultPageSize, options.MaxPageSize);
        var (page, more) = _keyed.Serves(shape, query) ? _keyed.Page(shape, query, pageSize) : FilterAndSort(query, shape, rows, pageSize);
        var nextLink = more ? NextLink(request, ODataQuery.SkipTokenFor(page[^1], keys)) : null;

        var response = BcResponse.Json(200, writer =>
        {
            writer.WriteStartObject();
            writer.WriteString("@odata.context", request.MetadataRoot + contextPath + SelectSuffix(query));
            writer.WriteStartArray("value");
            foreach (var row in page) ODataWriter.WriteEntity(writer, shape, row, query.Select, query.Expand, shapes);
            writer.WriteEndArray();
            if (nextLink is not null) writer.WriteString("@odata.nextLink", nextLink);
            writer.WriteEndObject();
        }, page.Count);
        if (preferred is not null) response.Headers["Preference-Applied"] = "odata.maxpagesize=" + pageSize.ToString(CultureInfo.InvariantCulture);
        return response;
    }

    /// <summary>The general path: every row filtered and sorted, then the page cut out. $top switches server paging off (no next page).</summary>
    private static (List<object> Page, bool More) FilterAndSort(ODataQuery query, EntityShape shape, IEnumerable<object> rows, int pageSize)
    {
        var sorted = query.Apply(rows, shape);
        var start = query.SkipToken is { } token ? ODataQuery.IndexAfter(sorted, token, query.SortKeys(shape)) : Math.Min(query.Skip ?? 0, sorted.Count);
        var count = Math.Min(query.Top ?? pageSize, sorted.Count - start);
        return (sorted.GetRange(start, count), query.Top is null && start + count < sorted.Count);
    }

    private BcResponse ReadSingle(BcRequest request, EntityShape shape, object row, string contextPath, int status = 200)
    {
        var query = ODataQuery.Parse(request.Method == "GET" ? request.Query : new Dictionary<string, string>(), shape);
        return BcResponse.Json(status, writer => ODataWriter.WriteEntity(writer, shape, row, query.Select, query.Expand, shapes, request.MetadataRoot + contextPath), 1);
    }

    private BcResponse Create(BcRequest request, EntityShape shape, string setPath)
    {
        var body = RequireObject(request);
        var id = body.TryGetProperty("id", out var idValue) ? BcBodyReader.ReadGuid(idValue) : Guid.NewGuid();
        if (!body.TryGetProperty("displayName", out _)) throw BcErrors.Dialog("A \"displayName\" must be provided.");
        // Contact.Type is the enum "Contact Type", whose first member (the default of a new record) is Company.
        BcRecord record = shape == shapes.Customer ? new BcCustomer { Id = id } : new BcContact { Id = id, Type = "Company" };
        return Store.Atomically(() =>
        {
            BcBodyReader.Apply(shape, record, body, creating: true);
            if (record is BcCustomer customer)
            {
                foreach (var (name, value) in options.CustomerTemplate)
                    if (!body.TryGetProperty(name, out _) && shape.Find(name) is { Set: { } set } property) set(customer, BcBodyReader.Read(property, value));
                if (customer.Number.Length == 0) customer.Number = Store.NextCustomerNumber();
                Store.Stamp(customer);
                Store.AddCustomer(customer);
                BcCustomerContacts.CreateCompanyContact(Store, customer);
            }
            else
            {
                var contact = (BcContact)record;
                if (contact.Number.Length == 0) contact.Number = Store.NextContactNumber();
                if (contact.Type == "Company" && contact.CompanyNumber.Length == 0) { contact.CompanyNumber = contact.Number; contact.CompanyName = contact.DisplayName; }
                if (contact.SearchName.Length == 0) contact.SearchName = contact.DisplayName.ToUpperInvariant();
                if (contact.BusinessRelation == BcEnums.Blank) contact.BusinessRelation = "None";
                Store.Stamp(contact);
                Store.AddContact(contact);
            }
            var response = ReadSingle(request, shape, record, setPath + "/$entity", 201);
            response.Headers["Location"] = $"{request.ApiRoot}{setPath}({record.Id:D})";
            return response;
        }, r => r.Status >= 400);
    }

    private BcResponse Update(BcRequest request, EntityShape shape, BcRecord record, string setPath)
    {
        CheckETag(request, record);
        var body = RequireObject(request);
        return Store.Atomically(() =>
        {
            Store.Modify(record, r => BcBodyReader.Apply(shape, r, body, creating: false));
            if (record is BcCustomer customer) BcCustomerContacts.SyncCompanyContact(Store, customer);
            return ReadSingle(request, shape, record, setPath + "/$entity");
        }, r => r.Status >= 400);
    }

    private BcResponse Delete(BcRequest request, BcRecord record)
    {
        CheckETag(request, record);
        if (record is BcCustomer customer) Store.DeleteCustomer(customer);
        else Store.DeleteContact((BcContact)record);
        return BcResponse.NoContent();
    }

    /// <summary>If-Match is mandatory: "*" or the current etag; a well-formed but different etag means someone else changed the record.</summary>
    internal static void CheckETag(BcRequest request, BcRecord record)
    {
        var ifMatch = request.IfMatch?.Trim();
        if (string.IsNullOrEmpty(ifMatch)) throw BcErrors.MissingConcurrencyToken();
        if (ifMatch == "*" || ifMatch == ODataWriter.ETag(record)) return;
        if (!ETagPattern().IsMatch(ifMatch)) throw BcErrors.MissingConcurrencyToken();
        throw BcErrors.EntityChanged();
    }

    internal static JsonElement RequireObject(BcRequest request)
    {
        if (request.BodyIsInvalidJson || request.Body is not { ValueKind: JsonValueKind.Object } body) throw BcErrors.BadRequest("Invalid Request Body");
        return body;
    }

    private static int? PreferredPageSize(string? prefer)
    {
        if (prefer is null) return null;
        foreach (var part in prefer.Split([',', ';'], StringSplitOptions.TrimEntries))
            if (part.StartsWith("odata.maxpagesize=", StringComparison.OrdinalIgnoreCase)
                && int.TryParse(part["odata.maxpagesize=".Length..], NumberStyles.None, CultureInfo.InvariantCulture, out var size) && size > 0)
                return size;
        return null;
    }

    private static string NextLink(BcRequest request, string skipToken)
    {
        var builder = new StringBuilder(request.ApiRoot).Append(request.Path).Append('?');
        foreach (var (key, value) in request.QueryPairs.Where(p => p.Key is not ("$skip" or "$skiptoken")))
            builder.Append(Uri.EscapeDataString(key).Replace("%24", "$", StringComparison.Ordinal)).Append('=').Append(Uri.EscapeDataString(value)).Append('&');
        return builder.Append("$skiptoken=").Append(skipToken).ToString();
    }

    private static string SelectSuffix(ODataQuery query) => query.Select is null ? "" : "(" + string.Join(",", query.Select.Select(p => p.Name)) + ")";

    private static Guid ParseGuid(string key) => Guid.TryParseExact(key, "D", out var id) ? id : throw BcErrors.Syntax();

    private static Segment ParseSegment(string text)
    {
        var match = SegmentPattern().Match(Uri.UnescapeDataString(text));
        if (!match.Success) throw BcErrors.Syntax();
        return new Segment(match.Groups[1].Value, match.Groups[2].Success ? match.Groups[2].Value : null);
    }

    private sealed record Segment(string Name, string? Key);

    [GeneratedRegex(@"^([A-Za-z$][A-Za-z0-9_.$]*)(?:\(([^()]*)\))?$")]
    private static partial Regex SegmentPattern();

    [GeneratedRegex("^(W/)?\"[^\"]+\"$")]
    private static partial Regex ETagPattern();
}
