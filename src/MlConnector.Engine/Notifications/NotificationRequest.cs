using System.Text;

namespace MlConnector.Engine.Notifications;

/// <summary>
/// One HTTP request to the notification endpoint, whatever hosts it (HttpListener, an Azure Functions trigger, ASP.NET):
/// method, decoded query parameters, headers and the raw body. Keys are matched case-insensitively.
/// </summary>
public sealed class NotificationRequest
{
    public NotificationRequest(string method, IEnumerable<KeyValuePair<string, string>>? query, IEnumerable<KeyValuePair<string, string>>? headers, Stream? body)
    {
        ArgumentException.ThrowIfNullOrEmpty(method);
        Method = method.ToUpperInvariant();
        Query = ToDictionary(query);
        Headers = ToDictionary(headers);
        Body = body;
    }

    public string Method { get; }

    public IReadOnlyDictionary<string, string> Query { get; }

    public IReadOnlyDictionary<string, string> Headers { get; }

    /// <summary>The raw body; the handler reads at most its size limit from it and does not dispose it.</summary>
    public Stream? Body { get; }

    /// <summary>For hosts that hand over the query as one string ("?a=1&amp;b=2") and the body as text (an Azure Functions RawBody).</summary>
    public static NotificationRequest FromText(string method, string? rawQuery, IEnumerable<KeyValuePair<string, string>>? headers, string? body)
        => FromParts(method, ParseQuery(rawQuery), headers, body);

    /// <summary>For hosts that hand over the query already decoded and the body as text.</summary>
    public static NotificationRequest FromParts(string method, IEnumerable<KeyValuePair<string, string>>? query, IEnumerable<KeyValuePair<string, string>>? headers, string? body)
        => new(method, query, headers, body is null ? null : new MemoryStream(Encoding.UTF8.GetBytes(body), writable: false));

    /// <summary>Splits and URL-decodes a query string; a repeated key keeps its last value.</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> ParseQuery(string? rawQuery)
    {
        var pairs = new List<KeyValuePair<string, string>>();
        if (string.IsNullOrEmpty(rawQuery)) return pairs;
        foreach (var part in rawQuery.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = part.IndexOf('=', StringComparison.Ordinal);
            pairs.Add(new(Decode(equals < 0 ? part : part[..equals]), equals < 0 ? "" : Decode(part[(equals + 1)..])));
        }
        return pairs;

        static string Decode(string text) => Uri.UnescapeDataString(text.Replace('+', ' '));
    }

    private static Dictionary<string, string> ToDictionary(IEnumerable<KeyValuePair<string, string>>? pairs)
    {
        var dictionary = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (pairs is null) return dictionary;
        foreach (var (key, value) in pairs) dictionary[key] = value;
        return dictionary;
    }
}
