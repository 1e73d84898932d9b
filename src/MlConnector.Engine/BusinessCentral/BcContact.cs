using MlConnector.Engine.State;

namespace MlConnector.Engine.BusinessCentral;

/// <summary>
/// A BC contact (API v2.0 contacts), flat for output. API v2.0 contacts carry only displayName; first and last
/// name come from customerContacts when BC has them there, else from splitting displayName. MiddleName is not
/// exposed by API v2.0 and stays empty.
/// </summary>
public sealed class BcContact
{
    public Guid Id { get; init; }
    public string Number { get; init; } = "";

    /// <summary>Company or Person.</summary>
    public string Type { get; init; } = "";

    public string DisplayName { get; init; } = "";
    public string FirstName { get; init; } = "";
    public string MiddleName { get; init; } = "";
    public string LastName { get; init; } = "";
    public string JobTitle { get; init; } = "";
    public string CompanyNumber { get; init; } = "";
    public string CompanyName { get; init; } = "";

    /// <summary>Blank, Customer, Vendor, Bank Account, Employee, None, Other or Multiple.</summary>
    public string ContactBusinessRelation { get; init; } = "";

    public string Email { get; init; } = "";
    public string PhoneNumber { get; init; } = "";
    public string MobilePhoneNumber { get; init; } = "";
    public string AddressLine1 { get; init; } = "";
    public string AddressLine2 { get; init; } = "";
    public string City { get; init; } = "";
    public string State { get; init; } = "";
    public string Country { get; init; } = "";
    public string PostalCode { get; init; } = "";
    public bool PrivacyBlocked { get; init; }
    public DateTimeOffset LastModifiedDateTime { get; init; }

    /// <summary>Number of the customer this contact belongs to, when BC links them.</summary>
    public string? CustomerNumber { get; init; }

    internal string? ETag { get; init; }

    /// <summary>The version read, for telling a record an incremental read already handled from a newer write.</summary>
    internal ReadVersion Version => ReadVersion.Of(LastModifiedDateTime, ETag);
}
