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
        // The same as BC's Export to Excel writes them.
        ("Posting Date", "a posted entry"), ("Document No.", "a posted entry"), ("Document Date", "a sales or purchase document"),
        ("Vendor No.", "a vendor document"),
    ];

    /// <summary>
    /// Where a row's customer number is, most specific first: the module's own property names and BC's export headers
    /// ('Customer No.' and 'No.', as Export to Excel writes them).
    /// </summary>
    public static readonly IReadOnlyList<string> CustomerNumberProperties = ["CustomerNumber", "Customer No.", "Number", "No", "No."];

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
        if (CustomerNumberProperties.Any(names.Contains)) return (SourceKind.CustomerNumber, null);
        return (SourceKind.Rejected, $"It has no customer number (a {string.Join(", ", CustomerNumberProperties.Select(p => "'" + p + "'"))} property).");
    }

    private static string Rejection(string looks) =>
        $"It looks like {looks}. Only Business Central customers and contacts cross to Marketo; finance documents never do.";
}
