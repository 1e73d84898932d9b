using System.Globalization;

namespace MlConnector.Engine.Marketo;

/// <summary>
/// Marketo emits several datetime shapes (shared/api/marketo.md §12): 2016-05-17T22:11:45Z,
/// 2014-09-17T22:31:49+0000 (offset without colon), 2014-11-13 12:43:04 (no zone), and the Asset API's
/// 2015-06-24T01:11:43Z+0000. Values without a zone are read as UTC.
/// </summary>
public static class MarketoDates
{
    private static readonly string[] ZonedFormats =
    {
        "yyyy-MM-dd'T'HH:mm:ssK", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK", "yyyy-MM-dd'T'HH:mmK",
        "yyyy-MM-dd HH:mm:ssK", "yyyy-MM-dd HH:mm:ss.FFFFFFFK",
    };

    private static readonly string[] UnzonedFormats =
    {
        "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF", "yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd HH:mm:ss.FFFFFFF", "yyyy-MM-dd",
    };

    public static bool TryParse(string? text, out DateTimeOffset value)
    {
        value = default;
        if (string.IsNullOrWhiteSpace(text)) return false;
        var s = text.Trim();
        // Asset API: "...Z+0000" — the Z already says UTC.
        if (s.Length > 6 && s[^6] == 'Z' && (s[^5] == '+' || s[^5] == '-')) s = s[..^5];
        // "+0000" / "-0500": add the colon the K specifier wants.
        if (s.Length > 15 && (s[^5] == '+' || s[^5] == '-') && s[^4..].All(char.IsAsciiDigit)) s = s[..^2] + ":" + s[^2..];
        if (DateTimeOffset.TryParseExact(s, ZonedFormats, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out value)) return true;
        if (DateTime.TryParseExact(s, UnzonedFormats, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var utc))
        {
            value = new DateTimeOffset(utc, TimeSpan.Zero);
            return true;
        }
        return false;
    }

    public static DateTimeOffset? Parse(string? text) => TryParse(text, out var value) ? value : null;

    /// <summary>ISO-8601 with an explicit offset, as sinceDatetime and datetime fields want it.</summary>
    public static string Format(DateTimeOffset value) => value.ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture);
}
