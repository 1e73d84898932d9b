using System.Globalization;
using System.Text.Json;
using System.Xml;
using MlConnector.Engine.State;

namespace MlConnector.Engine.BusinessCentral;

/// <summary>Reads BC API v2.0 JSON (exact $metadata property names) into the flat DTOs, culture-invariant.</summary>
internal static class BcJson
{
    public static BcCustomer Customer(JsonElement e)
    {
        var financial = e.TryGetProperty("customerFinancialDetail", out var f) && f.ValueKind == JsonValueKind.Object ? f : (JsonElement?)null;
        return new BcCustomer
        {
            Id = Guid(e, "id"),
            Number = Str(e, "number"),
            DisplayName = Str(e, "displayName"),
            Type = Enum(Str(e, "type")),
            AddressLine1 = Str(e, "addressLine1"),
            AddressLine2 = Str(e, "addressLine2"),
            City = Str(e, "city"),
            State = Str(e, "state"),
            Country = Str(e, "country"),
            PostalCode = Str(e, "postalCode"),
            PhoneNumber = Str(e, "phoneNumber"),
            Email = Str(e, "email"),
            Website = Str(e, "website"),
            SalespersonCode = Str(e, "salespersonCode"),
            CurrencyCode = Str(e, "currencyCode"),
            CreditLimit = Dec(e, "creditLimit") ?? 0m,
            Blocked = Enum(Str(e, "blocked")),
            LastModifiedDateTime = Time(e, "lastModifiedDateTime"),
            Balance = financial is { } b ? Dec(b, "balance") : null,
            TotalSalesExcludingTax = financial is { } s ? Dec(s, "totalSalesExcludingTax") : null,
            OverdueAmount = financial is { } o ? Dec(o, "overdueAmount") : null,
            ETag = e.TryGetProperty("@odata.etag", out var tag) ? tag.GetString() : null,
        };
    }

    public static BcContact Contact(JsonElement e, string? customerNumber, (string First, string Last)? names)
    {
        var type = Enum(Str(e, "type"));
        var displayName = Str(e, "displayName");
        var (first, last) = names ?? (type == "Person" ? SplitName(displayName) : ("", ""));
        return new BcContact
        {
            Id = Guid(e, "id"),
            Number = Str(e, "number"),
            Type = type,
            DisplayName = displayName,
            FirstName = first,
            LastName = last,
            JobTitle = Str(e, "jobTitle"),
            CompanyNumber = Str(e, "companyNumber"),
            CompanyName = Str(e, "companyName"),
            ContactBusinessRelation = Enum(Str(e, "contactBusinessRelation")),
            Email = Str(e, "email"),
            PhoneNumber = Str(e, "phoneNumber"),
            MobilePhoneNumber = Str(e, "mobilePhoneNumber"),
            AddressLine1 = Str(e, "addressLine1"),
            AddressLine2 = Str(e, "addressLine2"),
            City = Str(e, "city"),
            State = Str(e, "state"),
            Country = Str(e, "country"),
            PostalCode = Str(e, "postalCode"),
            PrivacyBlocked = e.TryGetProperty("privacyBlocked", out var p) && p.ValueKind == JsonValueKind.True,
            LastModifiedDateTime = Time(e, "lastModifiedDateTime"),
            CustomerNumber = customerNumber,
            ETag = e.TryGetProperty("@odata.etag", out var tag) ? tag.GetString() : null,
        };
    }

    public static string Str(JsonElement e, string name)
        => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString()! : "";

    public static Guid Guid(JsonElement e, string name)
        => System.Guid.TryParse(Str(e, name), out var g) ? g : System.Guid.Empty;

    public static decimal? Dec(JsonElement e, string name)
        => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDecimal() : null;

    public static DateTimeOffset Time(JsonElement e, string name)
        => DateTimeOffset.TryParse(Str(e, name), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var t) ? t : default;

    /// <summary>The version of the record <paramref name="e"/> holds: its lastModifiedDateTime and ETag.</summary>
    public static ReadVersion Version(JsonElement e) => ReadVersion.Of(Time(e, "lastModifiedDateTime"), Str(e, "@odata.etag"));

    /// <summary>Enum members arrive XML-escaped: "_x0020_" is blank, "Bank_x0020_Account" is "Bank Account".</summary>
    public static string Enum(string member) => member is "_x0020_" or " " ? "" : XmlConvert.DecodeName(member);

    /// <summary>API v2.0 contacts carry only a display name: first word, and the rest as the surname.</summary>
    private static (string First, string Last) SplitName(string displayName)
    {
        var trimmed = displayName.Trim();
        var space = trimmed.IndexOf(' ', StringComparison.Ordinal);
        return space < 0 ? (trimmed, "") : (trimmed[..space], trimmed[(space + 1)..].Trim());
    }
}
