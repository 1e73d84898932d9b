using System.Text.Json;

namespace MlConnector.Engine.Marketo;

/// <summary>Reads describe answers: describe2 / company describe ({fields, searchableFields}) and the older lead describe ({rest:{name, readOnly}}).</summary>
internal static class MarketoDescribe
{
    public static IReadOnlyList<MarketoField> FromObjectDescribe(MarketoEnvelope envelope)
    {
        if (envelope.Result.Count == 0) return Array.Empty<MarketoField>();
        var meta = envelope.Result[0];
        var searchable = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        if (meta.TryGetProperty("searchableFields", out var groups) && groups.ValueKind == JsonValueKind.Array)
            foreach (var group in groups.EnumerateArray())
            {
                if (group.ValueKind == JsonValueKind.Array)
                    foreach (var name in group.EnumerateArray()) { if (name.GetString() is { } n) searchable.Add(n); }
                else if (group.ValueKind == JsonValueKind.String && group.GetString() is { } single) searchable.Add(single);
            }
        var fields = new List<MarketoField>();
        if (meta.TryGetProperty("fields", out var list) && list.ValueKind == JsonValueKind.Array)
            foreach (var field in list.EnumerateArray())
            {
                var name = MarketoEnvelope.Text(field, "name");
                if (string.IsNullOrEmpty(name)) continue;
                fields.Add(new MarketoField(name, MarketoEnvelope.Text(field, "displayName") ?? name, MarketoEnvelope.Text(field, "dataType") ?? "string",
                    (int?)MarketoEnvelope.Int64(field, "length"), !Flag(field, "updateable", true), searchable.Contains(name), Flag(field, "crmManaged", false)));
            }
        return fields;
    }

    public static IReadOnlyList<MarketoField> FromLeadDescribe(MarketoEnvelope envelope)
    {
        var fields = new List<MarketoField>();
        foreach (var field in envelope.Result)
        {
            if (!field.TryGetProperty("rest", out var rest)) continue;
            var name = MarketoEnvelope.Text(rest, "name");
            if (string.IsNullOrEmpty(name)) continue;
            // The old describe does not say which fields are searchable.
            fields.Add(new MarketoField(name, MarketoEnvelope.Text(field, "displayName") ?? name, MarketoEnvelope.Text(field, "dataType") ?? "string",
                (int?)MarketoEnvelope.Int64(field, "length"), Flag(rest, "readOnly", false), false));
        }
        return fields;
    }

    private static bool Flag(JsonElement owner, string name, bool fallback)
        => owner.TryGetProperty(name, out var value) && value.ValueKind is JsonValueKind.True or JsonValueKind.False ? value.GetBoolean() : fallback;
}
