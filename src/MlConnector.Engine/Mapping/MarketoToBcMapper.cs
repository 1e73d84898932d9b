using MlConnector.Engine.Marketo;

namespace MlConnector.Engine.Mapping;

/// <summary>What a lead's externalCompanyId says about the Business Central customer it belongs to.</summary>
/// <param name="Number">The customer number (the pair's company key prefix taken off), or null when the lead names none.</param>
/// <param name="OtherPair">Set when the key carries another pair's prefix (or not this pair's): the lead is not this pair's.</param>
public sealed record CompanyKey(string? Number, string? OtherPair);

/// <summary>
/// Turns Marketo leads into Business Central customer and person-contact field values by a <see cref="MarketoToBcMapping"/>:
/// which leads qualify, which customer a lead's externalCompanyId names (with the pair's company key prefix), and the
/// values to write — every mapped field on create, only the fields Marketo owns on update. A blank in Marketo never
/// clears a Business Central field.
/// </summary>
public sealed class MarketoToBcMapper
{
    private readonly string[] _otherPrefixes;

    public MarketoToBcMapper(MarketoToBcMapping mapping, string? companyKeyPrefix = null, IEnumerable<string>? otherPairPrefixes = null)
    {
        Mapping = mapping ?? throw new ArgumentNullException(nameof(mapping));
        CompanyKeyPrefix = companyKeyPrefix ?? "";
        _otherPrefixes = (otherPairPrefixes ?? []).Where(p => !string.IsNullOrEmpty(p) && !string.Equals(p, CompanyKeyPrefix, StringComparison.OrdinalIgnoreCase)).ToArray();
    }

    public MarketoToBcMapping Mapping { get; }

    public string CompanyKeyPrefix { get; }

    /// <summary>Null when the lead may become a customer, else the reason it may not ("NotQualified: ...").</summary>
    public string? NotQualified(MarketoLead lead)
    {
        ArgumentNullException.ThrowIfNull(lead);
        if (EmailRules.Problem(lead.Email) is { } email) return $"{LeadReasons.NotQualified}: {email}";
        var rule = Mapping.Qualification;
        if (rule.RequireCompany && lead["company"] is null) return $"{LeadReasons.NotQualified}: the lead has no company";
        if (rule.Field is not { } field) return null;
        var value = lead[field];
        if (rule.Values.Count == 0)
            return value is null or "false" or "0" ? $"{LeadReasons.NotQualified}: {field} is not set" : null;
        return value is not null && rule.Values.Any(v => string.Equals(v.Trim(), value, StringComparison.OrdinalIgnoreCase))
            ? null
            : $"{LeadReasons.NotQualified}: {field} is '{value ?? ""}', not {string.Join(" or ", rule.Values.Select(v => "'" + v + "'"))}";
    }

    public CompanyKey CompanyKeyOf(MarketoLead lead)
    {
        var key = lead["externalCompanyId"];
        if (key is null) return new CompanyKey(null, null);
        var other = _otherPrefixes.FirstOrDefault(p => key.StartsWith(p, StringComparison.OrdinalIgnoreCase) && p.Length > CompanyKeyPrefix.Length);
        if (other is not null) return new CompanyKey(null, $"{LeadReasons.OtherPair}: externalCompanyId {key} carries the company key prefix '{other}' of another sync pair");
        if (CompanyKeyPrefix.Length == 0) return new CompanyKey(key, null);
        return key.StartsWith(CompanyKeyPrefix, StringComparison.OrdinalIgnoreCase) && key.Length > CompanyKeyPrefix.Length
            ? new CompanyKey(key[CompanyKeyPrefix.Length..], null)
            : new CompanyKey(null, $"{LeadReasons.OtherPair}: externalCompanyId {key} does not carry this pair's company key prefix '{CompanyKeyPrefix}'");
    }

    /// <summary>The key Marketo should hold for a customer of this pair.</summary>
    public string CompanyKeyFor(string customerNumber) => CompanyKeyPrefix + customerNumber;

    /// <summary>
    /// BC field → value for one record: on create every mapped field with a value, on update only those Marketo owns.
    /// Blank Marketo values are left out (they never clear a BC field).
    /// </summary>
    public IReadOnlyDictionary<string, string> Values(MarketoLead lead, BcEntity entity, bool creating)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var field in Mapping.Fields(entity))
        {
            if (!creating && field.Owner != FieldOwner.Marketo) continue;
            if (Value(lead, field) is { } value) values[field.BcField] = value;
        }
        return values;
    }

    /// <summary>
    /// Whether Business Central's <paramref name="current"/> value already says what the lead says. A field joined from
    /// several lead fields (first and last name) also holds them when Business Central has more between them (a middle
    /// name the lead does not carry): such a value is not overwritten with less.
    /// </summary>
    public bool Holds(BcEntity entity, string bcField, string current, string desired, MarketoLead lead)
    {
        var comparison = BcWritableFields.IgnoresCase(bcField) ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
        if (string.Equals(current.Trim(), desired, comparison)) return true;
        var field = Mapping.Fields(entity).FirstOrDefault(f => f.BcField == bcField);
        if (field is not { Sources.Count: > 1 }) return false;
        var parts = field.Sources.Select(s => Part(lead, s)).OfType<string>().ToArray();
        if (parts.Length < 2) return false;
        var at = 0;
        var text = current.Trim();
        if (!text.StartsWith(parts[0] + " ", comparison) || !text.EndsWith(" " + parts[^1], comparison)) return false;
        foreach (var part in parts)
        {
            var found = text.IndexOf(part, at, comparison);
            if (found < 0) return false;
            at = found + part.Length;
        }
        return true;
    }

    /// <summary>The first value longer than Business Central holds, as a reason ("ValueTooLong: ..."), or null.</summary>
    public static string? TooLong(BcEntity entity, IReadOnlyDictionary<string, string> values)
    {
        foreach (var (field, value) in values)
        {
            var max = BcWritableFields.MaxLength(entity, field);
            if (value.Length > max)
                return $"{LeadReasons.ValueTooLong}: the {(entity == BcEntity.Customer ? "customer" : "contact")}'s {field} would be {value.Length} characters; Business Central holds at most {max}";
        }
        return null;
    }

    private static string? Value(MarketoLead lead, ReverseField field)
    {
        var parts = field.Sources.Select(s => Part(lead, s)).OfType<string>().ToArray();
        return parts.Length == 0 ? null : string.Join(' ', parts);
    }

    private static string? Part(MarketoLead lead, LeadSource source)
    {
        var value = lead[source.Field];
        if (value is null || source.Line is not { } line) return value;
        var lines = value.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (line > lines.Length) return null;
        // #1 is the first line; a higher number takes its line and every line after it, so nothing of an address is lost.
        return line == 1 ? lines[0] : string.Join(", ", lines[(line - 1)..]);
    }
}
