using System.Management.Automation;
using MlConnector.Engine.BusinessCentral;
using MlConnector.Engine.Mapping;

namespace MlConnector.Infrastructure;

/// <summary>
/// Sorts loosely typed pipeline input into what may cross to Marketo: BC customers, customer numbers (from a
/// CustomerNumber, Number or No property, BC's export headers 'Customer No.' and 'No.', or a plain string) and
/// contacts (by their customer). Everything else
/// (finance documents, ledger entries, vendors, rows without a number) is rejected with the classifier's reason.
/// </summary>
internal static class SyncInput
{
    public static (SourceKind Kind, string? Reason) Classify(PSObject input)
    {
        if (input.BaseObject is string) return (SourceKind.CustomerNumber, null);
        if (input.BaseObject is BcCustomer) return (SourceKind.Customer, null);
        if (input.BaseObject is BcContact) return (SourceKind.Contact, null);
        var names = input.Properties.Select(p => p.Name).ToArray();
        var context = input.Properties["@odata.context"]?.Value as string
            ?? input.Properties["@odata.type"]?.Value as string
            ?? (input.TypeNames.Count > 0 && !input.TypeNames[0].EndsWith("PSCustomObject", StringComparison.Ordinal) ? input.TypeNames[0] : null);
        return SourceClassifier.Classify(names, context);
    }

    /// <summary>The customer number an accepted input stands for, or null when it has none.</summary>
    public static string? CustomerNumberOf(PSObject input, SourceKind kind)
    {
        if (input.BaseObject is string text) return Blank(text);
        if (input.BaseObject is BcCustomer customer) return Blank(customer.Number);
        if (input.BaseObject is BcContact contact) return Blank(contact.CustomerNumber);
        return CustomerNumberInput.NumberProperty(input, kind == SourceKind.Contact ? ["CustomerNumber"] : SourceClassifier.CustomerNumberProperties);
    }

    private static string? Blank(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();
}
