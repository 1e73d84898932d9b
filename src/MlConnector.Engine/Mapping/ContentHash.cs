using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace MlConnector.Engine.Mapping;

/// <summary>A SHA-256 over the mapped fields in a canonical, culture-invariant JSON form.</summary>
public static class ContentHash
{
    /// <summary>
    /// Per field, the first 4 bytes (8 hex digits) of a SHA-256 over the record's key, the field name and the value's
    /// canonical JSON. Enough to tell which fields a write changes (two values of one field collide once in about four
    /// billion); keyed on the record and field, so equal values of different records or fields do not look alike, and
    /// short, so it is no full hash of a personal value kept at rest.
    /// </summary>
    public static IReadOnlyDictionary<string, string> FieldDigests(string recordKey, IReadOnlyDictionary<string, object?> fields)
    {
        var digests = new Dictionary<string, string>(fields.Count, StringComparer.Ordinal);
        // One buffer and writer for every field of the record: the digest is all that is kept of each.
        var input = new ArrayBufferWriter<byte>(256);
        using var writer = new Utf8JsonWriter(input);
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        foreach (var (name, value) in fields)
        {
            // The bytes of recordKey + "\n" + name + "\n" + the value's JSON, as digests have always been taken.
            input.ResetWrittenCount();
            writer.Reset(input);
            WriteUtf8(input, recordKey);
            WriteUtf8(input, "\n");
            WriteUtf8(input, name);
            WriteUtf8(input, "\n");
            Write(writer, value);
            writer.Flush();
            SHA256.HashData(input.WrittenSpan, hash);
            digests[name] = LowerHex(hash[..4]);
        }
        return digests;
    }

    private static void WriteUtf8(ArrayBufferWriter<byte> buffer, string text)
    {
        var written = Encoding.UTF8.GetBytes(text, buffer.GetSpan(Encoding.UTF8.GetMaxByteCount(text.Length)));
        buffer.Advance(written);
    }

    private static string LowerHex(ReadOnlySpan<byte> bytes)
    {
        Span<char> text = stackalloc char[bytes.Length * 2];
        for (var i = 0; i < bytes.Length; i++)
        {
            text[2 * i] = "0123456789abcdef"[bytes[i] >> 4];
            text[(2 * i) + 1] = "0123456789abcdef"[bytes[i] & 0xF];
        }
        return new string(text);
    }

    /// <summary>The fields whose digest differs from <paramref name="previous"/> (all of them when nothing was kept), in the fields' order.</summary>
    public static IReadOnlyList<string> ChangedFields(IReadOnlyDictionary<string, string> current, IReadOnlyDictionary<string, string>? previous)
        => previous is null ? current.Keys.ToArray()
            : current.Where(f => !previous.TryGetValue(f.Key, out var before) || !string.Equals(before, f.Value, StringComparison.Ordinal)).Select(f => f.Key).ToArray();

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
        return LowerHex(hash);
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
