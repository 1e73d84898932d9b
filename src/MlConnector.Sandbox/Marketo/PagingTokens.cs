using System.Globalization;
using System.Text;

namespace MlConnector.Sandbox.Marketo;

/// <summary>
/// Opaque base32 paging tokens ("GIYDAOBN...===" like the real ones). Position tokens carry the last id
/// returned by a record read; date-based (activity) tokens carry the key of the last activity scanned and a page
/// counter that makes each page's token distinct even when the page did not advance.
/// </summary>
public static class PagingTokens
{
    private const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

    public static string Records(long lastId) => Encode("R:" + lastId.ToString(CultureInfo.InvariantCulture));

    /// <summary>A date-based token: the key (activity date ticks, id) of the last activity scanned, and a page counter.</summary>
    public static string Activities((long Ticks, long Id) after, long page) => Encode(string.Create(CultureInfo.InvariantCulture, $"A:{after.Ticks}:{after.Id}:{page}"));

    public static long ReadRecords(string token)
    {
        var parts = Decode(token).Split(':');
        return parts.Length == 2 && parts[0] == "R" && long.TryParse(parts[1], CultureInfo.InvariantCulture, out var id) ? id : throw Invalid();
    }

    public static ((long Ticks, long Id) After, long Page) ReadActivities(string token)
    {
        var parts = Decode(token).Split(':');
        return parts.Length == 4 && parts[0] == "A" && long.TryParse(parts[1], CultureInfo.InvariantCulture, out var ticks)
            && long.TryParse(parts[2], CultureInfo.InvariantCulture, out var id) && long.TryParse(parts[3], CultureInfo.InvariantCulture, out var page) && ticks >= 0
            ? ((ticks, id), page) : throw Invalid();
    }

    private static MarketoException Invalid() => new("1003", "Invalid next page token");

    private static string Encode(string text)
    {
        var bytes = Encoding.ASCII.GetBytes(text);
        var output = new StringBuilder((bytes.Length + 4) / 5 * 8);
        for (var i = 0; i < bytes.Length; i += 5)
        {
            ulong block = 0;
            var count = Math.Min(5, bytes.Length - i);
            for (var j = 0; j < 5; j++) block = (block << 8) | (j < count ? bytes[i + j] : (byte)0);
            var chars = (count * 8 + 4) / 5;
            for (var j = 0; j < 8; j++) output.Append(j < chars ? Alphabet[(int)((block >> (35 - j * 5)) & 31)] : '=');
        }
        return output.ToString();
    }

    private static string Decode(string token)
    {
        var trimmed = token.Trim().TrimEnd('=');
        var bytes = new List<byte>();
        int buffer = 0, bits = 0;
        foreach (var c in trimmed)
        {
            var value = Alphabet.IndexOf(char.ToUpperInvariant(c));
            if (value < 0) throw Invalid();
            buffer = (buffer << 5) | value;
            bits += 5;
            if (bits >= 8) { bits -= 8; bytes.Add((byte)((buffer >> bits) & 0xff)); }
        }
        return Encoding.ASCII.GetString(bytes.ToArray());
    }
}
