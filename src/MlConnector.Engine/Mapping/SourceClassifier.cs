namespace MlConnector.Engine.Mapping;

public enum SourceKind { Customer, Contact, CustomerNumber, Rejected }

/// <summary>
/// Decides whether a loosely typed input (a CSV row, a deserialised BC entity) is something that may
/// cross to Marketo. Only people and account records cross; finance documents, ledger entries and
/// vendors are rejected with a reason that says what they look like.
/// </summary>
public static class SourceClassifier
{
    private static readonly (string Marker, string Looks)[] FinanceMarkers =
    [
        ("salesInvoices", "a sales invoice"), ("salesOrders", "a sales order"), ("salesQuotes", "a sales quote"),
        ("salesCreditMemos", "a sales credit memo"), ("purchaseInvoices", "a purchase invoice"), ("customerPayments", "a customer payment"),
        ("generalLedgerEntries", "a general ledger entry"), ("customerLedgerEntries", "a customer ledger entry"),
        ("vendorLedgerEntries", "a vendor ledger entry"), ("vendors", "a vendor"), ("journals", "a journal"), ("employees", "an employee"),
        ("bankAccounts", "a bank account"),
    ];

    private static readonly (string Property, string Looks)[] FinanceProperties =
    [
        ("invoiceDate", "a sales or purchase document"), ("postingDate", "a posted entry"), ("documentNumber", "a posted entry"),
        ("totalAmountIncludingTax", "a sales or purchase document"), ("debitAmount", "a ledger entry"), ("creditAmount", "a ledger entry"),
        ("vendorNumber", "a vendor document"), ("accountNumber", "a ledger entry"), ("orderNumber", "a sales order"),
    ];

    /// <summary>Classifies by the entity's OData context or type name, then by the properties it carries.</summary>
    public static (SourceKind Kind, string? Reason) Classify(IReadOnlyCollection<string> propertyNames, string? typeOrContext)
    {
        var context = typeOrContext ?? "";
        foreach (var (marker, looks) in FinanceMarkers)
        {
            if (context.Contains(marker, StringComparison.OrdinalIgnoreCase) || context.Contains(marker.TrimEnd('s'), StringComparison.OrdinalIgnoreCase))
                return (SourceKind.Rejected, Rejection(looks));
        }
        var names = new HashSet<string>(propertyNames, StringComparer.OrdinalIgnoreCase);
        foreach (var (property, looks) in FinanceProperties)
        {
            if (names.Contains(property)) return (SourceKind.Rejected, Rejection(looks));
        }
        if (context.Contains("contact", StringComparison.OrdinalIgnoreCase)) return (SourceKind.Contact, null);
        if (context.Contains("customer", StringComparison.OrdinalIgnoreCase)) return (SourceKind.Customer, null);
        if (names.Contains("Number") || names.Contains("CustomerNumber") || names.Contains("No")) return (SourceKind.CustomerNumber, null);
        return (SourceKind.Rejected, "It has no customer number (a Number, CustomerNumber or No property).");
    }

    private static string Rejection(string looks) =>
        $"It looks like {looks}. Only Business Central customers and contacts cross to Marketo; finance documents never do.";
}
