using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace MlConnector.Engine.State.Tables;

/// <summary>
/// Row keys from values. Table Storage refuses '/', '\', '#', '?' and control characters in keys; the store also
/// reserves '|' (between key parts), '~' (a hashed part) and '%' (its escape). Those are written as %XX. A part that
/// would still be too long for a key (1 KiB) is replaced by "~" and its SHA-256, the value itself then kept in a column.
/// </summary>
internal static class TableKeys
{
    public const char Separator = '|';

    /// <summary>Part lengths above this are hashed: a row key holds at most 1 KiB, and a part shares it with a prefix.</summary>
    private const int MaxPartChars = 400;

    public static string Part(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var escaped = Escape(value);
        return escaped.Length <= MaxPartChars ? escaped : "~" + Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(value)));
    }

    /// <summary>Whether <see cref="Part"/> replaced the value by its hash (the value must then be read from a column).</summary>
    public static bool IsHashed(string part) => part.StartsWith('~');

    public static string Unescape(string part)
    {
        if (!part.Contains('%', StringComparison.Ordinal)) return part;
        var text = new StringBuilder(part.Length);
        for (var i = 0; i < part.Length; i++)
        {
            if (part[i] == '%' && i + 2 < part.Length)
            {
                text.Append((char)int.Parse(part.AsSpan(i + 1, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture));
                i += 2;
            }
            else text.Append(part[i]);
        }
        return text.ToString();
    }

    /// <summary>Key parts joined with the separator and ending with it: the prefix of a range.</summary>
    public static string Prefix(params string[] parts) => string.Join(Separator, parts) + Separator;

    /// <summary>The first key after every key starting with <paramref name="prefix"/> (which ends with the separator).</summary>
    public static string PrefixEnd(string prefix) => prefix[..^1] + (char)(Separator + 1);

    /// <summary>The last part of a key (after the last separator).</summary>
    public static string LastPart(string key) => key[(key.LastIndexOf(Separator) + 1)..];

    private static string Escape(string value)
    {
        StringBuilder? text = null;
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (c is '%' or '/' or '\\' or '#' or '?' or '|' or '~' || char.IsControl(c))
            {
                text ??= new StringBuilder(value, 0, i, value.Length + 8);
                text.Append('%').Append(((int)c).ToString("X2", CultureInfo.InvariantCulture));
            }
            else text?.Append(c);
        }
        return text?.ToString() ?? value;
    }
}
