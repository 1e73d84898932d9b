namespace MlConnector.Sandbox.BusinessCentral;

/// <summary>A row of a setup table the customer card points at (Payment Terms, Shipment Method, Payment Method, Country/Region).</summary>
public abstract class BcSetupRecord : BcRecord
{
    public string Code { get; set; } = "";
    public string DisplayName { get; set; } = "";
}

public sealed class BcPaymentTerm : BcSetupRecord
{
    public string DueDateCalculation { get; set; } = "";
    public string DiscountDateCalculation { get; set; } = "";
    public decimal DiscountPercent { get; set; }
    public bool CalculateDiscountOnCreditMemos { get; set; }
}

public sealed class BcShipmentMethod : BcSetupRecord;

public sealed class BcPaymentMethod : BcSetupRecord;

public sealed class BcCountryRegion : BcSetupRecord
{
    public string AddressFormat { get; set; } = "City_x002B_Post_x0020_Code";
}

/// <summary>
/// The setup tables of the company, which the customer and contact writes are checked against: an id or code that names
/// no row is refused the way page 30009 "APIV2 - Customers" and table 18 do (shared/api/business-central.md §3.2).
/// </summary>
public sealed class BcSetupTables
{
    public List<BcPaymentTerm> PaymentTerms { get; } = new();
    public List<BcShipmentMethod> ShipmentMethods { get; } = new();
    public List<BcPaymentMethod> PaymentMethods { get; } = new();
    public List<BcCountryRegion> CountriesRegions { get; } = new();

    public static readonly string[] CountryCodes = ["AT", "AU", "BE", "CA", "CH", "CN", "CZ", "DE", "DK", "ES", "FI", "FR", "GB", "IE", "IN", "IS", "IT", "JP", "MX", "NL", "NO", "NZ", "PL", "PT", "SE", "US", "ZA"];

    /// <summary>Fills the tables (ids drawn by the seeder, so one seed gives the same ids) with CRONUS-like codes.</summary>
    public void Seed(IReadOnlyList<Guid> paymentTerms, IReadOnlyList<Guid> shipmentMethods, IReadOnlyList<Guid> paymentMethods, DateTimeOffset stamp, Func<long> rowVersion)
    {
        (string Code, string Name, string Due)[] terms = [("1M(8D)", "1 Month/2% 8 days", "1M"), ("14 DAYS", "Net 14 days", "14D"), ("30 DAYS", "Net 30 days", "30D"), ("CM", "Current month", "CM")];
        (string Code, string Name)[] shipments = [("EXW", "Ex warehouse"), ("CIF", "Cost Insurance and Freight"), ("PICKUP", "Pickup at location")];
        (string Code, string Name)[] payments = [("BANK", "Bank Transfer"), ("CASH", "Cash"), ("CHECK", "Check")];
        for (var i = 0; i < paymentTerms.Count; i++)
            PaymentTerms.Add(new BcPaymentTerm { Id = paymentTerms[i], Code = terms[i % terms.Length].Code, DisplayName = terms[i % terms.Length].Name, DueDateCalculation = terms[i % terms.Length].Due, LastModified = stamp, RowVersion = rowVersion() });
        for (var i = 0; i < shipmentMethods.Count; i++)
            ShipmentMethods.Add(new BcShipmentMethod { Id = shipmentMethods[i], Code = shipments[i % shipments.Length].Code, DisplayName = shipments[i % shipments.Length].Name, LastModified = stamp, RowVersion = rowVersion() });
        for (var i = 0; i < paymentMethods.Count; i++)
            PaymentMethods.Add(new BcPaymentMethod { Id = paymentMethods[i], Code = payments[i % payments.Length].Code, DisplayName = payments[i % payments.Length].Name, LastModified = stamp, RowVersion = rowVersion() });
        foreach (var code in CountryCodes)
            CountriesRegions.Add(new BcCountryRegion { Id = DerivedId("country", code), Code = code, DisplayName = code, LastModified = stamp, RowVersion = rowVersion() });
    }

    public Guid PaymentTerm(Guid id) => Check(id, PaymentTerms, "paymentTermsId", "a Payment Terms");
    public Guid ShipmentMethod(Guid id) => Check(id, ShipmentMethods, "shipmentMethodId", "a Shipment Method");
    public Guid PaymentMethod(Guid id) => Check(id, PaymentMethods, "paymentMethodId", "a Payment Method");

    /// <summary>"Country/Region Code" has a table relation to Country/Region: a code that names no row is refused.</summary>
    public string Country(string code, string table)
    {
        if (code.Length == 0 || CountriesRegions.Count == 0 || CountriesRegions.Any(c => string.Equals(c.Code, code, StringComparison.OrdinalIgnoreCase))) return code;
        throw new BcException(400, "Internal_InvalidTableRelation",
            $"The field Country/Region Code of table {table} contains a value ({code}) that cannot be found in the related table (Country/Region).");
    }

    private static Guid Check<T>(Guid id, List<T> rows, string property, string what) where T : BcSetupRecord
        => id == Guid.Empty || rows.Count == 0 || rows.Any(r => r.Id == id) ? id : throw BcErrors.Dialog($"The \"{property}\" does not match to {what}.");

    private static Guid DerivedId(string kind, string code)
    {
        var bytes = System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(kind + ":" + code));
        bytes[7] = (byte)((bytes[7] & 0x0F) | 0x40);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes.AsSpan(0, 16));
    }
}
