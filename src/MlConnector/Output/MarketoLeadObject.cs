using System.Globalization;
using System.Management.Automation;
using MlConnector.Engine.Marketo;

namespace MlConnector.Output;

/// <summary>
/// A Marketo lead as flat pipeline output (type name MlConnector.MarketoLead): MarketoId, then its fields under their
/// REST names, then ReadBy. Export-Csv writes it as it is, and Import-Csv rows of it bind back to Sync-MlLeadToBusinessCentral.
/// </summary>
internal static class MarketoLeadObject
{
    public const string TypeName = "MlConnector.MarketoLead";
    private const string IdProperty = "MarketoId";
    private const string ReadByProperty = "ReadBy";
    private static readonly string[] First = ["email", "firstName", "lastName", "company", "externalCompanyId", "title", "phone"];

    public static PSObject ToObject(MarketoLead lead)
    {
        var row = new PSObject();
        row.TypeNames.Insert(0, TypeName);
        row.Properties.Add(new PSNoteProperty(IdProperty, lead.Id));
        var names = First.Where(lead.Fields.ContainsKey)
            .Concat(lead.Fields.Keys.Where(k => !First.Contains(k, StringComparer.OrdinalIgnoreCase) && !string.Equals(k, "id", StringComparison.OrdinalIgnoreCase)));
        foreach (var name in names) row.Properties.Add(new PSNoteProperty(name, lead.Fields[name]));
        row.Properties.Add(new PSNoteProperty(ReadByProperty, lead.ReadBy));
        return row;
    }

    /// <summary>A lead from any object with the lead's fields as properties: Receive-MlMarketoLeads output, an Import-Csv row, a hashtable.</summary>
    public static MarketoLead FromObject(PSObject input)
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
            if (name.Equals(IdProperty, StringComparison.OrdinalIgnoreCase) || name.Equals("id", StringComparison.OrdinalIgnoreCase))
            {
                if (id == 0 && long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed)) id = parsed;
                continue;
            }
            if (name.Equals(ReadByProperty, StringComparison.OrdinalIgnoreCase))
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
