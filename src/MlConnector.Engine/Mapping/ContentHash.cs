using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace MlConnector.Engine.Mapping;

/// <summary>A SHA-256 over the mapped fields in a canonical, culture-invariant JSON form.</summary>
public static class ContentHash
{
    public static string Of(IReadOnlyDictionary<string, object?> fields)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            foreach (var (name, value) in fields.OrderBy(f => f.Key, StringComparer.Ordinal))
            {
                writer.WritePropertyName(name);
                Write(writer, value);
            }
            writer.WriteEndObject();
        }
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(buffer.WrittenSpan, hash);
        return Convert.ToHexString(hash).ToLowerInvariant();
    }

    /// <summary>What JsonSerializer writes for the value, without its per-call machinery for the common kinds.</summary>
    private static void Write(Utf8JsonWriter writer, object? value)
    {
        switch (value)
        {
            case null: writer.WriteNullValue(); break;
            case string text: writer.WriteStringValue(text); break;
            case decimal number: writer.WriteNumberValue(number); break;
            case bool flag: writer.WriteBooleanValue(flag); break;
            default: JsonSerializer.Serialize(writer, value); break;
        }
    }

    public static string Canonical(IReadOnlyDictionary<string, object?> fields) =>
        Encoding.UTF8.GetString(JsonSerializer.SerializeToUtf8Bytes(fields.OrderBy(f => f.Key, StringComparer.Ordinal).ToDictionary(f => f.Key, f => f.Value)));
}
