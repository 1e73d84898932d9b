using System.Globalization;

namespace MlConnector.Sandbox.Marketo;

/// <summary>The datetime formats Marketo accepts and emits (shared/api/marketo.md §12: they vary).</summary>
public static class MarketoDates
{
    private static readonly string[] ZonedFormats =
    {
        "yyyy-MM-dd'T'HH:mm:ssK", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK", "yyyy-MM-dd'T'HH:mmK",
        "yyyy-MM-dd'T'HH:mm:sszzz", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFzzz",
        "yyyy-MM-dd HH:mm:ssK", "yyyy-MM-dd HH:mm:sszzz",
    };

    private static readonly string[] UnzonedFormats =
    {
        "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF", "yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd",
    };

    /// <summary>Emitted format: ISO-8601 UTC without fractions, e.g. 2016-05-17T22:11:45Z.</summary>
    public static string Format(DateTimeOffset value) => value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>
    /// Parses "2024-01-01T00:00:00-05:00", "...Z", "...+0000" (offset without colon), fractions, a space
    /// instead of 'T', and values without an offset, which are read at <paramref name="assumedOffset"/>.
    /// </summary>
    public static bool TryParse(string? text, TimeSpan assumedOffset, out DateTimeOffset value)
    {
        value = default;
        if (string.IsNullOrWhiteSpace(text)) return false;
        var trimmed = text.Trim();
        // "+0000" / "-0500": insert the colon so the standard zzz pattern reads it.
        if (trimmed.Length > 5 && (trimmed[^5] == '+' || trimmed[^5] == '-') && trimmed[^4..].All(char.IsAsciiDigit) && trimmed.Length >= 15)
            trimmed = trimmed[..^2] + ":" + trimmed[^2..];
        // Zone-less text first: the zoned formats' K also matches no zone at all, and then takes the machine's own offset.
        if (DateTime.TryParseExact(trimmed, UnzonedFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var local))
        {
            value = new DateTimeOffset(DateTime.SpecifyKind(local, DateTimeKind.Unspecified), assumedOffset);
            return true;
        }
        return DateTimeOffset.TryParseExact(trimmed, ZonedFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out value);
    }
}
