namespace MlConnector.Sandbox.BusinessCentral;

/// <summary>What every stored BC record has: a SystemId, a row version (drives the etag) and SystemModifiedAt.</summary>
public abstract class BcRecord
{
    public Guid Id { get; set; }
    public long RowVersion { get; set; }
    public DateTimeOffset LastModified { get; set; }

    /// <summary>When the write that stamped this version commits (with <see cref="BusinessCentralOptions.CommitLag"/>); readers see it from then on.</summary>
    public DateTimeOffset VisibleFrom { get; set; } = DateTimeOffset.MinValue;

    /// <summary>The version readers see until <see cref="VisibleFrom"/>; null for a row whose insert has not committed yet.</summary>
    public BcRecord? Committed { get; set; }

    /// <summary>The etag last written for this record and the id and version it was computed from (<see cref="ODataWriter.ETag"/>).</summary>
    internal ETagMemo? ETagMemo;

    internal BcRecord ShallowCopy() => (BcRecord)MemberwiseClone();
}

internal sealed record ETagMemo(Guid Id, long RowVersion, string Value);

public sealed class BcCompany : BcRecord
{
    public string Name { get; set; } = "";
    public string DisplayName { get; set; } = "";
    public string SystemVersion { get; set; } = "26.3.36158.38244";
    public DateTimeOffset CreatedAt { get; set; }
    public Guid CreatedBy { get; set; }
}

public sealed class BcCurrency : BcRecord
{
    public string Code { get; set; } = "";
    public string DisplayName { get; set; } = "";
    public string Symbol { get; set; } = "";
    public string AmountDecimalPlaces { get; set; } = "2:2";
    public decimal AmountRoundingPrecision { get; set; } = 0.01m;

    /// <summary>LCY per one unit of this currency (not exposed by the API; used to compute LCY totals).</summary>
    public decimal ExchangeRate { get; set; } = 1m;
}

/// <summary>Table 18 Customer, with the fields API v2.0 exposes plus the flow-field inputs.</summary>
public sealed class BcCustomer : BcRecord
{
    public string Number { get; set; } = "";
    public string DisplayName { get; set; } = "";
    public string Type { get; set; } = "Company";
    public string AddressLine1 { get; set; } = "";
    public string AddressLine2 { get; set; } = "";
    public string City { get; set; } = "";
    public string State { get; set; } = "";
    public string Country { get; set; } = "";
    public string PostalCode { get; set; } = "";
    public string PhoneNumber { get; set; } = "";
    public string Email { get; set; } = "";
    public string Website { get; set; } = "";
    public string SalespersonCode { get; set; } = "";
    public decimal CreditLimit { get; set; }
    public bool TaxLiable { get; set; }
    public Guid TaxAreaId { get; set; }
    public string TaxRegistrationNumber { get; set; } = "";
    public Guid CurrencyId { get; set; }
    public Guid PaymentTermsId { get; set; }
    public Guid ShipmentMethodId { get; set; }
    public Guid PaymentMethodId { get; set; }
    public string Blocked { get; set; } = BcEnums.Blank;

    /// <summary>The company contact linked by a Contact Business Relation (Link to Table = Customer), if any.</summary>
    public BcContact? CompanyContact { get; set; }

    public BcCustomerLedger Ledger { get; set; } = new();
}

/// <summary>Table 5050 Contact (company or person).</summary>
public sealed class BcContact : BcRecord
{
    public string Number { get; set; } = "";
    public string Type { get; set; } = "Person";
    public string DisplayName { get; set; } = "";

    /// <summary>"First Name", "Middle Name" and "Surname": the breakdown BC makes of a person's name (none for a company).</summary>
    public string FirstName => Type == "Person" ? BcNames.Breakdown(DisplayName).First : "";
    public string MiddleName => Type == "Person" ? BcNames.Breakdown(DisplayName).Middle : "";
    public string Surname => Type == "Person" ? BcNames.Breakdown(DisplayName).Surname : "";

    public string JobTitle { get; set; } = "";
    public string CompanyNumber { get; set; } = "";
    public string CompanyName { get; set; } = "";
    public string BusinessRelation { get; set; } = BcEnums.Blank;
    public string AddressLine1 { get; set; } = "";
    public string AddressLine2 { get; set; } = "";
    public string City { get; set; } = "";
    public string State { get; set; } = "";
    public string Country { get; set; } = "";
    public string PostalCode { get; set; } = "";
    public string PhoneNumber { get; set; } = "";
    public string MobilePhoneNumber { get; set; } = "";
    public string Email { get; set; } = "";
    public string Website { get; set; } = "";
    public string SearchName { get; set; } = "";
    public bool PrivacyBlocked { get; set; }
    public string TaxRegistrationNumber { get; set; } = "";
    public DateOnly LastInteractionDate { get; set; }

    /// <summary>For a company contact: the customer it is related to (the business relation), if any.</summary>
    public BcCustomer? LinkedCustomer { get; set; }
}

/// <summary>
/// Customer ledger, compacted: seeded totals plus the entries posted during the session. Totals are in LCY.
/// Posting never touches the customer row, so its SystemModifiedAt and etag stay as they were.
/// </summary>
public sealed class BcCustomerLedger
{
    public decimal OpeningBalance { get; set; }
    public decimal OpeningSales { get; set; }
    public decimal OpeningOverdue { get; set; }
    public List<BcLedgerEntry>? Entries { get; set; }

    public BcCustomerLedger Copy() => new() { OpeningBalance = OpeningBalance, OpeningSales = OpeningSales, OpeningOverdue = OpeningOverdue, Entries = Entries?.Select(e => e with { }).ToList() };
}

/// <summary>A posted invoice (positive) or payment (negative) with what is still open of it.</summary>
public sealed record BcLedgerEntry(DateOnly PostingDate, DateOnly DueDate, decimal AmountLcy, decimal SalesLcy)
{
    public decimal RemainingLcy { get; set; } = AmountLcy;
}

/// <summary>Enum member names as the $metadata spells them (what JSON carries).</summary>
public static class BcEnums
{
    /// <summary>A blank option value: BC serialises it as "_x0020_" (the XML-escaped space), not " " as older docs show.</summary>
    public const string Blank = "_x0020_";

    public static readonly string[] ContactType = ["Company", "Person"];
    public static readonly string[] CustomerBlocked = [Blank, "Ship", "Invoice", "All"];
    public static readonly string[] ContactBusinessRelation = [Blank, "Customer", "Vendor", "Bank_x0020_Account", "Employee", "None", "Other", "Multiple"];
    public static readonly string[] LinkToTable = [Blank, "Customer", "Vendor", "Bank_x0020_Account", "Employee"];
    public static readonly string[] CountryAddressFormat = ["Post_x0020_Code_x002B_City", "City_x002B_Post_x0020_Code", "City_x002B_County_x002B_Post_x0020_Code", "Blank_x0020_Line_x002B_Post_x0020_Code_x002B_City", "Custom"];

    public static string[]? Members(string edmType) => edmType switch
    {
        "Microsoft.NAV.contactType" => ContactType,
        "Microsoft.NAV.customerBlocked" => CustomerBlocked,
        "Microsoft.NAV.contactBusinessRelation" => ContactBusinessRelation,
        "Microsoft.NAV.contactBusinessRelationLinkToTable" => LinkToTable,
        "Microsoft.NAV.countryRegionAddressFormat" => CountryAddressFormat,
        _ => null,
    };
}
