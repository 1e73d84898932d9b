using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace MlConnector.Sandbox.BusinessCentral;

/// <summary>Writes entities in BC's JSON (odata.metadata=minimal): @odata.etag first, then the $metadata properties in order.</summary>
public static class ODataWriter
{
    /// <summary>
    /// BC etags are W/"base64('44;&lt;base64 hash&gt;1;00;')" (shared/api/business-central.md §4.4); this one hashes SystemId and row version,
    /// once per version of a record: a page of a thousand rows does not hash a thousand times on every read.
    /// </summary>
    public static string ETag(BcRecord record)
    {
        if (record.ETagMemo is { } memo && memo.RowVersion == record.RowVersion && memo.Id == record.Id) return memo.Value;
        var value = ComputeETag(record);
        record.ETagMemo = new ETagMemo(record.Id, record.RowVersion, value);
        return value;
    }

    private static string ComputeETag(BcRecord record)
    {
        Span<byte> input = stackalloc byte[24];
        record.Id.TryWriteBytes(input);
        BitConverter.TryWriteBytes(input[16..], record.RowVersion);
        var hash = Convert.ToBase64String(SHA256.HashData(input));
        var inner = "'" + hash.Length.ToString(CultureInfo.InvariantCulture) + ";" + hash + "1;00;'";
        return "W/\"" + Convert.ToBase64String(Encoding.ASCII.GetBytes(inner)) + "\"";
    }

    public static void WriteEntity(Utf8JsonWriter writer, EntityShape shape, object row, IReadOnlyList<BcProperty>? select, IReadOnlyList<BcNavigation> expand, BcShapes shapes, string? context = null)
    {
        writer.WriteStartObject();
        if (context is not null) writer.WriteString("@odata.context", context);
        writer.WriteString("@odata.etag", ETag((BcRecord)row));
        foreach (var property in shape.Properties)
        {
            if (select is not null && !select.Contains(property)) continue;
            writer.WritePropertyName(property.Name);
            WriteValue(writer, property, property.Get(row));
        }
        foreach (var navigation in expand)
        {
            var target = shapes.BySet[navigation.TargetSet];
            var value = navigation.Resolve(row);
            writer.WritePropertyName(navigation.Name);
            if (navigation.IsCollection)
            {
                writer.WriteStartArray();
                foreach (var item in (IEnumerable<object>)value!) WriteEntity(writer, target, item, null, Array.Empty<BcNavigation>(), shapes);
                writer.WriteEndArray();
            }
            else if (value is null) writer.WriteNullValue();
            else WriteEntity(writer, target, value, null, Array.Empty<BcNavigation>(), shapes);
        }
        writer.WriteEndObject();
    }

    public static void WriteValue(Utf8JsonWriter writer, BcProperty property, object? value)
    {
        switch (value)
        {
            case null when property.Kind == EdmKind.String: writer.WriteStringValue(""); break;
            case null: writer.WriteNullValue(); break;
            case string s: writer.WriteStringValue(s); break;
            case Guid g: writer.WriteStringValue(g.ToString("D")); break;
            case decimal d: writer.WriteNumberValue(d / 1.000000000000000000000000000000000m); break; // 193795.00 → 193795, as BC writes it
            case bool b: writer.WriteBooleanValue(b); break;
            case long l: writer.WriteNumberValue(l); break;
            case int i: writer.WriteNumberValue(i); break;
            case DateTimeOffset t: writer.WriteStringValue(BcTime.Format(t)); break;
            case DateOnly d: writer.WriteStringValue(d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)); break;
            default: throw new InvalidOperationException($"Cannot write {value.GetType()} for {property.Name}.");
        }
    }

    /// <summary>A value as invariant text (skiptokens).</summary>
    public static string? Invariant(BcProperty property, object? value) => value switch
    {
        null => null,
        DateTimeOffset t => t.UtcDateTime.ToString("O", CultureInfo.InvariantCulture),
        DateOnly d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        bool b => b ? "true" : "false",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString(),
    };
}
