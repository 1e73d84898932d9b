using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace MlConnector.Engine.Mapping;

/// <summary>A SHA-256 over the mapped fields in a canonical, culture-invariant JSON form.</summary>
public static class ContentHash
{
    public static string Of(IReadOnlyDictionary<string, object?> fields)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            foreach (var (name, value) in fields.OrderBy(f => f.Key, StringComparer.Ordinal))
            {
                writer.WritePropertyName(name);
                JsonSerializer.Serialize(writer, value);
            }
            writer.WriteEndObject();
        }
        return Convert.ToHexString(SHA256.HashData(buffer.ToArray())).ToLowerInvariant();
    }

    public static string Canonical(IReadOnlyDictionary<string, object?> fields) =>
        Encoding.UTF8.GetString(JsonSerializer.SerializeToUtf8Bytes(fields.OrderBy(f => f.Key, StringComparer.Ordinal).ToDictionary(f => f.Key, f => f.Value)));
}
