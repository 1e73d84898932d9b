using System.Globalization;
using System.Management.Automation;
using MlConnector.Engine.Marketo;

namespace MlConnector.Output;

/// <summary>
/// A Marketo lead as flat pipeline output (Receive-MlMarketoLeads): its id, the standard fields the reverse mapping reads,
/// and how it was read; any other field read (-Fields, custom fields of a mapping) rides along as a note property under its
/// REST name. Export-Csv writes it as it is, and Import-Csv rows of it bind back to Sync-MlLeadToBusinessCentral.
/// </summary>
public sealed class MarketoLeadRow
{
    private static readonly string[] Typed =
    [
        "id", "email", "firstName", "lastName", "company", "externalCompanyId", "title", "phone", "mobilePhone", "address", "city", "state",
        "postalCode", "country", "website", "createdAt", "updatedAt",
    ];

    public long MarketoId { get; init; }
    public string? Email { get; init; }
    public string? FirstName { get; init; }
    public string? LastName { get; init; }
    public string? Company { get; init; }
    public string? ExternalCompanyId { get; init; }
    public string? Title { get; init; }
    public string? Phone { get; init; }
    public string? MobilePhone { get; init; }
    public string? Address { get; init; }
    public string? City { get; init; }
    public string? State { get; init; }
    public string? PostalCode { get; init; }
    public string? Country { get; init; }
    public string? Website { get; init; }
    public string? CreatedAt { get; init; }
    public string? UpdatedAt { get; init; }

    /// <summary>ChangeFeed, BulkExtract:updatedAt, or BulkExtract:createdAt (the subscription lacks the updatedAt filter).</summary>
    public string ReadBy { get; init; } = MarketoLead.ByInput;

    internal static PSObject ToObject(MarketoLead lead)
    {
        string? F(string name) => lead.Fields.GetValueOrDefault(name);
        var row = PSObject.AsPSObject(new MarketoLeadRow
        {
            MarketoId = lead.Id, Email = F("email"), FirstName = F("firstName"), LastName = F("lastName"), Company = F("company"),
            ExternalCompanyId = F("externalCompanyId"), Title = F("title"), Phone = F("phone"), MobilePhone = F("mobilePhone"), Address = F("address"),
            City = F("city"), State = F("state"), PostalCode = F("postalCode"), Country = F("country"), Website = F("website"),
            CreatedAt = F("createdAt"), UpdatedAt = F("updatedAt"), ReadBy = lead.ReadBy,
        });
        foreach (var (name, value) in lead.Fields.Where(f => !Typed.Contains(f.Key, StringComparer.OrdinalIgnoreCase)))
            row.Properties.Add(new PSNoteProperty(name, value));
        return row;
    }

    /// <summary>A lead from any object with the lead's fields as properties: this row, an Import-Csv row, a hashtable.</summary>
    internal static MarketoLead FromObject(PSObject input)
    {
        var fields = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        IEnumerable<(string Name, object? Value)> properties = input.BaseObject is System.Collections.IDictionary table
            ? table.Keys.Cast<object>().Select(k => (k.ToString() ?? "", table[k]))
            : input.Properties.Select(p => (p.Name, SafeValue(p)));
        long id = 0;
        var readBy = MarketoLead.ByInput;
        foreach (var (name, value) in properties)
        {
            var text = Text(value);
            if (name.Equals(nameof(MarketoId), StringComparison.OrdinalIgnoreCase) || name.Equals("id", StringComparison.OrdinalIgnoreCase))
            {
                if (id == 0 && long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed)) id = parsed;
                continue;
            }
            if (name.Equals(nameof(ReadBy), StringComparison.OrdinalIgnoreCase))
            {
                if (text is { Length: > 0 }) readBy = text;
                continue;
            }
            fields[name] = text;
        }
        return new MarketoLead { Id = id, Fields = fields, ReadBy = readBy };
    }

    private static object? SafeValue(PSPropertyInfo property)
    {
        try { return property.Value; }
        catch (GetValueException) { return null; }
    }

    private static string? Text(object? value) => value switch
    {
        null => null,
        PSObject wrapped => Text(wrapped.BaseObject),
        _ => MarketoLead.Text(value),
    };
}
