using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace MlConnector.Sandbox.Marketo;

/// <summary>One field of the lead or company schema as describe reports it.</summary>
public sealed record FieldDef(int Id, string Name, string DisplayName, string DataType, int? Length, bool Updateable, bool Searchable, bool Custom)
{
    /// <summary>For lead fields that live on the linked company: the company field's name.</summary>
    public string? CompanyField { get; init; }
}

/// <summary>Outcome of validating one input value: the canonical stored text, or a record-level reason.</summary>
public readonly record struct FieldValue(bool Ok, string? Value, string? Code, string? Message);

/// <summary>The lead and company field schemas (standard fields per shared/api/marketo.md §5.5/§7 plus configured custom fields) and value validation.</summary>
public sealed partial class FieldSchema
{
    private readonly Dictionary<string, FieldDef> _byName;

    private FieldSchema(IReadOnlyList<FieldDef> fields)
    {
        Fields = fields;
        _byName = fields.ToDictionary(f => f.Name, StringComparer.Ordinal);
    }

    public IReadOnlyList<FieldDef> Fields { get; }

    /// <summary>The field with exactly this REST name: Marketo field names are case-sensitive ("FirstName" is not "firstName").</summary>
    public FieldDef? Find(string name) => _byName.GetValueOrDefault(name);

    public static FieldSchema ForLeads(MarketoOptions options)
    {
        var list = new List<FieldDef>();
        void Add(string name, string type, int? length = null, bool updateable = true, bool searchable = false, string? company = null, string? display = null)
            => list.Add(new FieldDef(list.Count + 1, name, display ?? Display(name), type, length, updateable, searchable, false) { CompanyField = company });

        Add("id", "integer", updateable: false, searchable: true, display: "Id");
        Add("email", "email", 255, searchable: true);
        Add("firstName", "string", 255); Add("middleName", "string", 255); Add("lastName", "string", 255);
        Add("salutation", "string", 255); Add("title", "string", 255); Add("department", "string", 255);
        Add("phone", "phone", 255); Add("mobilePhone", "phone", 255); Add("fax", "phone", 255);
        Add("address", "text"); Add("city", "string", 255); Add("state", "string", 255);
        Add("postalCode", "string", 255); Add("country", "string", 255);
        Add("dateOfBirth", "date"); Add("doNotCall", "boolean"); Add("doNotCallReason", "string", 255);
        Add("unsubscribed", "boolean"); Add("unsubscribedReason", "text");
        Add("emailInvalid", "boolean"); Add("emailInvalidCause", "string", 255);
        Add("leadRole", "string", 255); Add("leadSource", "string", 255); Add("leadStatus", "string", 255);
        Add("leadScore", "score"); Add("rating", "string", 255);
        Add("priority", "integer", updateable: false); Add("relativeScore", "integer", updateable: false); Add("urgency", "float", updateable: false);
        Add("anonymousIP", "string", 255, updateable: false); Add("isAnonymous", "boolean", updateable: false);
        foreach (var inferred in new[] { "inferredCompany", "inferredCountry", "inferredCity", "inferredMetropolitanArea", "inferredPhoneAreaCode", "inferredPostalCode", "inferredStateRegion" })
            Add(inferred, "string", 255, updateable: false);
        Add("jigsawContactId", "string", 255, updateable: false); Add("jigsawContactStatus", "string", 255, updateable: false);
        Add("personTimeZone", "string", 255, updateable: false);
        Add("externalCompanyId", "string", 100); Add("externalSalesPersonId", "string", 255);
        Add("leadPartitionId", "integer", updateable: false, searchable: true);
        Add("cookies", "string", 255, updateable: false, searchable: true);
        foreach (var sfdc in new[] { "sfdcAccountId", "sfdcContactId", "sfdcLeadId", "sfdcLeadOwnerId", "sfdcOpptyId" })
            Add(sfdc, "string", 255, updateable: false, searchable: true);
        Add("createdAt", "datetime", updateable: false); Add("updatedAt", "datetime", updateable: false);
        // Company fields: on a lead linked through externalCompanyId they read through from the company.
        Add("company", "string", 255, company: "company", display: "Company Name");
        Add("site", "string", 255, company: "site"); Add("website", "url", 255, company: "website");
        Add("mainPhone", "phone", 255, company: "mainPhone"); Add("annualRevenue", "currency", company: "annualRevenue");
        Add("numberOfEmployees", "integer", company: "numberOfEmployees"); Add("industry", "string", 255, company: "industry");
        Add("sicCode", "string", 40, company: "sicCode");
        foreach (var billing in new[] { "billingStreet", "billingCity", "billingState", "billingPostalCode", "billingCountry" })
            Add(billing, billing == "billingStreet" ? "text" : "string", billing == "billingStreet" ? null : 255, company: billing);
        Add("mktoCompanyNotes", "text", company: "companyNotes", display: "Company Notes");

        foreach (var custom in options.CustomFields)
        {
            var searchable = custom.Searchable && custom.DataType is "string" or "email" or "integer";
            list.Add(new FieldDef(list.Count + 1000, custom.Name, custom.DisplayName ?? Display(custom.Name), custom.DataType,
                custom.Length ?? (custom.DataType is "string" or "email" or "phone" or "url" ? 255 : null), !custom.ReadOnly, searchable, true));
        }
        return new FieldSchema(list);
    }

    public static FieldSchema ForCompanies(MarketoOptions options)
    {
        var list = new List<FieldDef>();
        void Add(string name, string type, int? length = null, bool updateable = true, bool searchable = false, string? display = null)
            => list.Add(new FieldDef(list.Count + 1, name, display ?? Display(name), type, length, updateable, searchable, false));
        Add("externalCompanyId", "string", 100, updateable: false, searchable: true, display: "External Company Id");
        Add("id", "integer", updateable: false, searchable: true, display: "Id");
        Add("createdAt", "datetime", updateable: false); Add("updatedAt", "datetime", updateable: false);
        Add("company", "string", 255, searchable: true, display: "Company Name");
        Add("site", "string", 255); Add("website", "url", 255); Add("mainPhone", "phone", 255);
        Add("annualRevenue", "currency"); Add("numberOfEmployees", "integer"); Add("industry", "string", 255);
        Add("sicCode", "string", 40); Add("billingStreet", "text");
        Add("billingCity", "string", 255); Add("billingState", "string", 255); Add("billingPostalCode", "string", 255); Add("billingCountry", "string", 255);
        Add("companyNotes", "text"); Add("externalSalesPersonId", "string", 255);
        foreach (var custom in options.CompanyCustomFields)
            list.Add(new FieldDef(list.Count + 1000, custom.Name, custom.DisplayName ?? Display(custom.Name), custom.DataType,
                custom.Length ?? (custom.DataType is "string" or "email" or "phone" or "url" ? 255 : null), !custom.ReadOnly, false, true));
        return new FieldSchema(list);
    }

    private static string Display(string name)
    {
        var text = new StringBuilder(name.Length + 4);
        foreach (var c in name)
        {
            if (char.IsUpper(c) && text.Length > 0) text.Append(' ');
            text.Append(text.Length == 0 ? char.ToUpperInvariant(c) : c);
        }
        return text.ToString();
    }

    /// <summary>Validates an input value against the field's type and length. Null and "" are stored as null.</summary>
    public static FieldValue Validate(FieldDef field, JsonNode? node)
    {
        if (node is null) return new FieldValue(true, null, null, null);
        if (node is not JsonValue value) return Invalid(node.ToJsonString(), field.DataType);
        var kind = value.GetValueKind();
        var raw = kind == JsonValueKind.String ? value.GetValue<string>() : value.ToJsonString();
        if (raw.Length == 0) return new FieldValue(true, null, null, null);

        switch (field.DataType)
        {
            case "integer" or "score":
                return long.TryParse(raw, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l) && l is >= int.MinValue and <= int.MaxValue
                    ? new FieldValue(true, l.ToString(CultureInfo.InvariantCulture), null, null) : Invalid(raw, field.DataType);
            case "float" or "currency" or "percent":
                return double.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d)
                    ? new FieldValue(true, d.ToString("R", CultureInfo.InvariantCulture), null, null) : Invalid(raw, field.DataType);
            case "boolean":
                return raw.ToLowerInvariant() switch
                {
                    "true" or "1" or "yes" => new FieldValue(true, "true", null, null),
                    "false" or "0" or "no" => new FieldValue(true, "false", null, null),
                    _ => Invalid(raw, field.DataType),
                };
            case "date":
                return DateOnly.TryParseExact(raw, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)
                    ? new FieldValue(true, date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), null, null) : Invalid(raw, field.DataType);
            case "datetime":
                return MarketoDates.TryParse(raw, TimeSpan.Zero, out var at)
                    ? new FieldValue(true, MarketoDates.Format(at), null, null) : Invalid(raw, field.DataType);
            case "email":
                if (kind != JsonValueKind.String || raw.Length > (field.Length ?? 255) || !Ascii(raw) || !EmailPattern().IsMatch(raw)) return Invalid(raw, field.DataType);
                return new FieldValue(true, raw, null, null);
            case "text":
                return Encoding.UTF8.GetByteCount(raw) > 30_000 ? Invalid(raw, field.DataType) : new FieldValue(true, raw, null, null);
            default:
                if (kind is JsonValueKind.Object or JsonValueKind.Array) return Invalid(raw, field.DataType);
                return raw.Length > (field.Length ?? 255) ? Invalid(raw, field.DataType) : new FieldValue(true, raw, null, null);
        }
    }

    private static FieldValue Invalid(string raw, string type)
    {
        var shown = raw.Length > 60 ? raw[..60] + "..." : raw;
        return new FieldValue(false, null, "1001", MarketoErrors.Message("1001", shown, type));
    }

    private static bool Ascii(string text)
    {
        foreach (var c in text) if (c > 127) return false;
        return true;
    }

    /// <summary>The stored text as a typed JSON value for responses.</summary>
    public static JsonNode? ToJson(FieldDef? field, string? stored)
    {
        if (stored is null) return null;
        switch (field?.DataType)
        {
            case "integer" or "score" when long.TryParse(stored, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l):
                return JsonValue.Create(l);
            case "float" or "currency" or "percent" when double.TryParse(stored, NumberStyles.Float, CultureInfo.InvariantCulture, out var d):
                return JsonValue.Create(d);
            case "boolean":
                return JsonValue.Create(stored == "true");
            default:
                return JsonValue.Create(stored);
        }
    }

    [GeneratedRegex(@"^[^@\s]+@[^@\s]+\.[^@\s]+$")]
    private static partial Regex EmailPattern();
}
