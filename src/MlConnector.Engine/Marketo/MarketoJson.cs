using System.Buffers;
using System.Globalization;
using System.Text.Json;

namespace MlConnector.Engine.Marketo;

/// <summary>Record values between .NET and Marketo JSON: ids and integers as long, other numbers as decimal, dates in ISO-8601.</summary>
internal static class MarketoJson
{
    public static IReadOnlyDictionary<string, object?> ToRecord(JsonElement item)
    {
        var record = new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase);
        if (item.ValueKind != JsonValueKind.Object) return record;
        foreach (var property in item.EnumerateObject()) record[property.Name] = ToValue(property.Value);
        return record;
    }

    public static object? ToValue(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString(),
        JsonValueKind.Number when value.TryGetInt64(out var l) => l,
        JsonValueKind.Number when value.TryGetDecimal(out var d) => d,
        JsonValueKind.Number => value.GetDouble(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.Array or JsonValueKind.Object => value.GetRawText(),
        _ => null,
    };

    /// <summary>{"input":[{"id":1},...]}: the body of Delete Leads.</summary>
    public static byte[] IdsBody(IEnumerable<long> ids)
    {
        var buffer = new ArrayBufferWriter<byte>(4 * 1024);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteStartArray("input");
            foreach (var id in ids)
            {
                writer.WriteStartObject();
                writer.WriteNumber("id", id);
                writer.WriteEndObject();
            }
            writer.WriteEndArray();
            writer.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>{"action":..., "lookupField"/"dedupeBy":..., "input":[...]} for a sync call.</summary>
    /// <summary>The body of a sync call as UTF-8 bytes, written once (no intermediate string: 300 records are a large object).</summary>
    public static Http.SegmentedBuffer SyncBody(string action, string keyName, string keyValue, IEnumerable<IReadOnlyDictionary<string, object?>> input)
    {
        var buffer = new Http.SegmentedBuffer();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("action", action);
            writer.WriteString(keyName, keyValue);
            writer.WriteStartArray("input");
            foreach (var record in input)
            {
                writer.WriteStartObject();
                foreach (var (name, value) in record)
                {
                    writer.WritePropertyName(name);
                    WriteValue(writer, value);
                }
                writer.WriteEndObject();
            }
            writer.WriteEndArray();
            writer.WriteEndObject();
        }
        return buffer;
    }

    private static void WriteValue(Utf8JsonWriter writer, object? value)
    {
        switch (value)
        {
            case null: writer.WriteNullValue(); break;
            case string s: writer.WriteStringValue(s); break;
            case bool b: writer.WriteBooleanValue(b); break;
            case int or long or short or byte or sbyte or ushort or uint or ulong:
                writer.WriteRawValue(Convert.ToString(value, CultureInfo.InvariantCulture)!); break;
            case decimal m: writer.WriteNumberValue(m); break;
            case double d when double.IsFinite(d): writer.WriteNumberValue(d); break;
            case float f when float.IsFinite(f): writer.WriteNumberValue(f); break;
            case DateTimeOffset at: writer.WriteStringValue(MarketoDates.Format(at)); break;
            case DateTime at: writer.WriteStringValue(MarketoDates.Format(at.Kind == DateTimeKind.Unspecified ? new DateTimeOffset(at, TimeSpan.Zero) : new DateTimeOffset(at))); break;
            case DateOnly date: writer.WriteStringValue(date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)); break;
            case Guid g: writer.WriteStringValue(g.ToString("D")); break;
            case IFormattable formattable: writer.WriteStringValue(formattable.ToString(null, CultureInfo.InvariantCulture)); break;
            default: writer.WriteStringValue(value.ToString()); break;
        }
    }
}
