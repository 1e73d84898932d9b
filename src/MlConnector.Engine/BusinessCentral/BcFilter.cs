using System.Globalization;

namespace MlConnector.Engine.BusinessCentral;

/// <summary>
/// OData $filter text as BC accepts it: DateTimeOffset literals unquoted in UTC, strings in single quotes,
/// 'or' only between terms on the same field, long value lists split so URLs stay short.
/// </summary>
internal static class BcFilter
{
    /// <summary>Values per request in an "x eq a or x eq b" chain.</summary>
    public const int ChunkSize = 20;

    /// <summary>Upper bound on one chunk's filter text, before URL escaping.</summary>
    public const int MaxChunkChars = 1200;

    public static string ModifiedAfter(DateTimeOffset since)
        => "lastModifiedDateTime gt " + since.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    public static string Quote(string value) => "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'";

    public static string Guid(string field, Guid value) => field + " eq " + value.ToString("D");

    public static string And(params string?[] terms)
    {
        var present = terms.Where(t => !string.IsNullOrEmpty(t)).ToArray();
        return present.Length switch { 0 => "", 1 => present[0]!, _ => string.Join(" and ", present.Select(t => t!.Contains(" or ", StringComparison.Ordinal) ? "(" + t + ")" : t)) };
    }

    /// <summary>"field eq 'a' or field eq 'b' ..." in chunks; distinct, blanks dropped.</summary>
    public static IEnumerable<string> AnyOf(string field, IEnumerable<string> values)
    {
        var chunk = new List<string>();
        var length = 0;
        foreach (var value in values.Where(v => !string.IsNullOrWhiteSpace(v)).Select(v => v.Trim()).Distinct(StringComparer.OrdinalIgnoreCase))
        {
            var term = field + " eq " + Quote(value);
            if (chunk.Count > 0 && (chunk.Count == ChunkSize || length + term.Length + 4 > MaxChunkChars))
            {
                yield return string.Join(" or ", chunk);
                chunk.Clear();
                length = 0;
            }
            chunk.Add(term);
            length += term.Length + 4;
        }
        if (chunk.Count > 0) yield return string.Join(" or ", chunk);
    }

    /// <summary>The query string for a read: $filter and $expand/$select, escaped; never $top or $skip.</summary>
    public static string Query(string? filter, string? expand = null, string? select = null)
    {
        var parts = new List<string>();
        if (!string.IsNullOrEmpty(filter)) parts.Add("$filter=" + Uri.EscapeDataString(filter));
        if (!string.IsNullOrEmpty(expand)) parts.Add("$expand=" + Uri.EscapeDataString(expand));
        if (!string.IsNullOrEmpty(select)) parts.Add("$select=" + Uri.EscapeDataString(select));
        return string.Join("&", parts);
    }
}
