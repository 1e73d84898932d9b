using System.Globalization;

namespace MlConnector.Engine.Marketo;

/// <summary>
/// A Marketo lead as the reverse flow reads it: its id and field values (REST names; text, invariant culture) and how it
/// was read. Names are matched case-insensitively, so a row of Import-Csv binds as well as a lead read from Marketo.
/// </summary>
public sealed class MarketoLead
{
    public const string ByChangeFeed = "ChangeFeed";
    public const string ByInput = "Input";

    public static string ByBulkExtract(string filter) => "BulkExtract:" + filter;

    public required long Id { get; init; }

    public required IReadOnlyDictionary<string, string?> Fields { get; init; }

    /// <summary>ChangeFeed, BulkExtract:updatedAt, BulkExtract:createdAt (updatedAt was not available), or Input.</summary>
    public string ReadBy { get; init; } = ByInput;

    /// <summary>The trimmed value of a field; null when absent or blank.</summary>
    public string? this[string field] => Fields.TryGetValue(field, out var value) && !string.IsNullOrWhiteSpace(value) ? value.Trim() : null;

    public string? Email => this["email"];

    /// <summary>From a Get Leads record: ids and numbers as invariant text.</summary>
    public static MarketoLead From(IReadOnlyDictionary<string, object?> record, string readBy)
    {
        ArgumentNullException.ThrowIfNull(record);
        var fields = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, value) in record) fields[name] = Text(value);
        var id = long.TryParse(fields.GetValueOrDefault("id"), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var parsed) ? parsed : 0;
        return new MarketoLead { Id = id, Fields = fields, ReadBy = readBy };
    }

    public static string? Text(object? value) => value switch
    {
        null => null,
        string s => s,
        bool b => b ? "true" : "false",
        decimal d => d.ToString("0.############################", CultureInfo.InvariantCulture),
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString(),
    };
}
