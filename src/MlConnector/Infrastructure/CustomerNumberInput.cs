using System.Management.Automation;
using MlConnector.Engine.BusinessCentral;
using MlConnector.Engine.Mapping;

namespace MlConnector.Infrastructure;

/// <summary>
/// The customer numbers a read cmdlet was given: -Number values and piped input (plain strings, BC customers and
/// contacts, or rows with a customer number column, including BC's own export headers 'Customer No.' and 'No.').
/// Numbers are BC Code values, compared in upper case; PowerShell wildcards (* ?) make a pattern. Piped objects that
/// carry no customer number are refused, never turned into text and looked up.
/// </summary>
internal sealed class CustomerNumberInput
{
    /// <summary>Where a row's customer number is looked for, most specific first.</summary>
    public static IReadOnlyList<string> PropertyNames => SourceClassifier.CustomerNumberProperties;

    private readonly List<string> _numbers = new();
    private readonly List<BcNumberPattern> _patterns = new();

    public bool IsEmpty => _numbers.Count == 0 && _patterns.Count == 0;

    /// <summary>Exact numbers, upper case and distinct; null when none were given.</summary>
    public IReadOnlyCollection<string>? Numbers => _numbers.Count == 0 ? null : _numbers.Distinct(StringComparer.Ordinal).ToArray();

    public IReadOnlyCollection<BcNumberPattern>? Patterns => _patterns.Count == 0 ? null : _patterns.DistinctBy(p => p.Pattern).ToArray();

    public void Add(string number)
    {
        if (string.IsNullOrWhiteSpace(number)) return;
        if (BcNumberPattern.HasWildcard(number)) _patterns.Add(new BcNumberPattern(number));
        else _numbers.Add(BcNumberPattern.Normalize(number));
    }

    /// <summary>Adds the customer number <paramref name="input"/> stands for; false when it carries none.</summary>
    public bool TryAdd(PSObject input)
    {
        if (NumberOf(input) is not { } number) return false;
        Add(number);
        return true;
    }

    /// <summary>The exact numbers that none of <paramref name="found"/> has.</summary>
    public IEnumerable<string> Missing(IEnumerable<string> found)
    {
        var seen = new HashSet<string>(found.Select(BcNumberPattern.Normalize), StringComparer.Ordinal);
        return (Numbers ?? []).Where(n => !seen.Contains(n));
    }

    private static string? NumberOf(PSObject input)
    {
        switch (input.BaseObject)
        {
            case string text: return Blank(text);
            case BcCustomer customer: return Blank(customer.Number);
            case BcContact contact: return Blank(contact.CustomerNumber);
        }
        return NumberProperty(input, PropertyNames);
    }

    /// <summary>The first of <paramref name="names"/> that holds a number (text or a whole number; never another object turned into text).</summary>
    public static string? NumberProperty(PSObject input, IEnumerable<string> names)
    {
        foreach (var name in names)
        {
            var value = input.Properties[name]?.Value;
            if (value is PSObject wrapped) value = wrapped.BaseObject;
            if (value is string or int or long && Blank(Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture)) is { } number) return number;
        }
        return null;
    }

    private static string? Blank(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();

    /// <summary>The error for piped input without a customer number.</summary>
    public static ErrorRecord NoNumber(PSObject input, string errorIdPrefix)
    {
        var what = input.BaseObject is { } o ? o.GetType().FullName : "The input";
        return ErrorRecords.Create(
            new ArgumentException($"The input ({what}) has no customer number: pipe customer numbers, Business Central customers or contacts, or rows with a {string.Join(", ", PropertyNames.Select(n => "'" + n + "'"))} column."),
            errorIdPrefix + "NoCustomerNumber", ErrorCategory.InvalidArgument, input,
            "Pipe customer numbers or objects that carry one, or pass the numbers with -Number.");
    }
}
