using System.Text.Json;

namespace MlConnector.Engine.Marketo;

/// <summary>Reads one leadchanges.json item.</summary>
internal static class MarketoLeadChanges
{
    public static MarketoLeadChange From(JsonElement item)
    {
        var fields = new List<MarketoFieldChange>();
        if (item.TryGetProperty("fields", out var changes) && changes.ValueKind == JsonValueKind.Array)
            foreach (var change in changes.EnumerateArray())
                fields.Add(new MarketoFieldChange(MarketoEnvelope.Int64(change, "id"), MarketoEnvelope.Text(change, "name") ?? "",
                    MarketoEnvelope.Text(change, "newValue"), MarketoEnvelope.Text(change, "oldValue")));
        var attributes = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        if (item.TryGetProperty("attributes", out var list) && list.ValueKind == JsonValueKind.Array)
            foreach (var attribute in list.EnumerateArray())
                if (MarketoEnvelope.Text(attribute, "name") is { } name) attributes[name] = MarketoEnvelope.Text(attribute, "value");
        return new MarketoLeadChange(
            MarketoEnvelope.Int64(item, "id"),
            MarketoEnvelope.Text(item, "marketoGUID"),
            MarketoEnvelope.Int64(item, "leadId") ?? 0,
            MarketoDates.Parse(MarketoEnvelope.Text(item, "activityDate")),
            (int)(MarketoEnvelope.Int64(item, "activityTypeId") ?? 0),
            fields,
            attributes);
    }
}
