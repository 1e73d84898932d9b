using System.Text.Json;
using MlConnector.Engine.BusinessCentral;
using MlConnector.Engine.Mapping;

namespace MlConnector.Engine.Sync.MarketoToBc;

/// <summary>A Business Central customer or contact as read: its JSON (every API field, and the etag to write with).</summary>
internal sealed record BcRow(JsonElement Raw)
{
    public Guid Id => BcJson.Guid(Raw, "id");
    public string Number => BcJson.Str(Raw, "number");
    public string? ETag => Raw.TryGetProperty("@odata.etag", out var tag) ? tag.GetString() : null;
    public string Type => BcJson.Enum(BcJson.Str(Raw, "type"));
    public string CompanyNumber => BcJson.Str(Raw, "companyNumber");
    public string Value(string field) => BcJson.Str(Raw, field);
}

/// <summary>What a batch of leads is matched against: the reads, sent as $batch GETs (100 a call).</summary>
internal sealed record BcLookupRequest(IReadOnlyCollection<string> CustomerNumbers, IReadOnlyCollection<Guid> CustomerIds, IReadOnlyCollection<Guid> ContactIds,
    IReadOnlyCollection<string> Emails, bool Countries);

/// <summary>
/// The Business Central records a batch of leads may be: customers by number (externalCompanyId) and by id (links, and the
/// ids new customers get), contacts by id (links) and person contacts by email, and the country/region table.
/// </summary>
internal sealed class BcLookup
{
    public Dictionary<string, BcRow> CustomersByNumber { get; } = new(StringComparer.OrdinalIgnoreCase);
    public Dictionary<Guid, BcRow> CustomersById { get; } = new();
    public Dictionary<Guid, BcRow> ContactsById { get; } = new();
    public Dictionary<string, List<BcRow>> PersonsByEmail { get; } = new(StringComparer.Ordinal);

    /// <summary>Country/region code or name (upper case) → code; empty when not read.</summary>
    public Dictionary<string, string> Countries { get; } = new(StringComparer.OrdinalIgnoreCase);

    public static async Task<BcLookup> ReadAsync(BusinessCentralClient bc, BcLookupRequest request, CancellationToken cancellationToken)
    {
        var reads = new List<(BcBatchOperation Read, Action<BcLookup, JsonElement> Keep)>();
        foreach (var chunk in BcFilter.AnyOf("number", request.CustomerNumbers.Select(BcNumberPattern.Normalize)))
            reads.Add((BcBatchOperation.Get("customers", BcFilter.Query(chunk)), KeepCustomer));
        foreach (var chunk in ById(request.CustomerIds))
            reads.Add((BcBatchOperation.Get("customers", BcFilter.Query(chunk)), KeepCustomer));
        foreach (var chunk in ById(request.ContactIds))
            reads.Add((BcBatchOperation.Get("contacts", BcFilter.Query(chunk)), KeepContact));
        foreach (var chunk in request.Emails.Select(EmailRules.Normalize).Distinct(StringComparer.Ordinal).Chunk(BcFilter.ChunkSize))
        {
            var anyOf = string.Join(" or ", chunk.Select(e => "tolower(email) eq " + BcFilter.Quote(e)));
            reads.Add((BcBatchOperation.Get("contacts", BcFilter.Query(BcFilter.And("type eq 'Person'", anyOf))), KeepContact));
        }
        if (request.Countries) reads.Add((BcBatchOperation.Get("countriesRegions", BcFilter.Query(null, select: "code,displayName")), KeepCountry));

        var lookup = new BcLookup();
        if (reads.Count == 0) return lookup;
        var answers = await bc.ReadBatchAsync(reads.Select(r => r.Read).ToArray(), cancellationToken).ConfigureAwait(false);
        for (var i = 0; i < reads.Count; i++)
            foreach (var entity in answers[i]) reads[i].Keep(lookup, entity);
        return lookup;
    }

    /// <summary>Each customer's company contact number (contactsInformation, which BC serves only per customer: one GET each, in $batch).</summary>
    public static async Task<Dictionary<Guid, string>> CompanyContactsAsync(BusinessCentralClient bc, IReadOnlyCollection<Guid> customerIds, CancellationToken cancellationToken)
    {
        var ids = customerIds.Distinct().ToArray();
        var found = new Dictionary<Guid, string>();
        if (ids.Length == 0) return found;
        var reads = ids.Select(id => BcBatchOperation.Get("contactsInformation",
            BcFilter.Query(BcFilter.And(BcFilter.Guid("relatedId", id), "relatedType eq 'Customer'")))).ToArray();
        var answers = await bc.ReadBatchAsync(reads, cancellationToken).ConfigureAwait(false);
        for (var i = 0; i < ids.Length; i++)
        {
            var company = answers[i].FirstOrDefault(e => BcJson.Enum(BcJson.Str(e, "contactType")) == "Company");
            if (company.ValueKind == JsonValueKind.Object) found[ids[i]] = BcJson.Str(company, "contactNumber");
        }
        return found;
    }

    private static IEnumerable<string> ById(IEnumerable<Guid> ids)
        => ids.Distinct().Chunk(BcFilter.ChunkSize).Select(chunk => string.Join(" or ", chunk.Select(id => BcFilter.Guid("id", id))));

    private static void KeepCustomer(BcLookup lookup, JsonElement entity)
    {
        var row = new BcRow(entity.Clone());
        lookup.CustomersById[row.Id] = row;
        lookup.CustomersByNumber[row.Number] = row;
    }

    private static void KeepContact(BcLookup lookup, JsonElement entity)
    {
        var row = new BcRow(entity.Clone());
        if (!lookup.ContactsById.TryAdd(row.Id, row)) return;
        if (row.Type != "Person" || EmailRules.Problem(row.Value("email")) is not null) return;
        var email = EmailRules.Normalize(row.Value("email"));
        if (!lookup.PersonsByEmail.TryGetValue(email, out var list)) lookup.PersonsByEmail[email] = list = new List<BcRow>(1);
        list.Add(row);
    }

    private static void KeepCountry(BcLookup lookup, JsonElement entity)
    {
        var code = BcJson.Str(entity, "code");
        if (code.Length == 0) return;
        lookup.Countries[code] = code;
        var name = BcJson.Str(entity, "displayName");
        if (name.Length > 0) lookup.Countries.TryAdd(name, code);
    }
}
