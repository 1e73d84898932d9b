using System.Globalization;
using System.Text.RegularExpressions;

namespace MlConnector.Engine.Notifications;

/// <summary>
/// A Business Central resource as subscriptions and notifications carry it, in any of its forms: absolute, "/api/v2.0/…",
/// "api/v2.0/…" or bare "companies(…)/customers", with an optional entity key and, for collection notifications, a query.
/// </summary>
public sealed partial record BcResourcePath(Guid CompanyId, string EntitySet, string? EntityKey, string? Filter)
{
    private const int MaxLength = 4096;

    /// <summary>The key as a SystemId, when it is one (GUID keys are unquoted).</summary>
    public Guid? EntityId => EntityKey is not null && Guid.TryParseExact(EntityKey, "D", out var id) ? id : null;

    /// <summary>The instant of a "lastModifiedDateTime gt …" filter, the only filter Business Central puts on a collection notification.</summary>
    public DateTimeOffset? ModifiedAfter
    {
        get
        {
            if (Filter is null) return null;
            var match = ModifiedAfterPattern().Match(Filter);
            return match.Success && DateTimeOffset.TryParse(match.Groups["at"].Value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var at)
                ? at : null;
        }
    }

    /// <summary>Null when <paramref name="resource"/> does not name a company's entity set (or one entity of it).</summary>
    public static BcResourcePath? Parse(string? resource)
    {
        if (string.IsNullOrWhiteSpace(resource) || resource.Length > MaxLength) return null;
        var text = resource.Trim();
        string? query = null;
        var questionMark = text.IndexOf('?', StringComparison.Ordinal);
        if (questionMark >= 0)
        {
            query = text[(questionMark + 1)..];
            text = text[..questionMark];
        }
        // "/api/v2.0/…" is an absolute file URI on Unix: only a scheme-qualified resource is absolute here.
        if (text.Contains("://", StringComparison.Ordinal))
        {
            if (!Uri.TryCreate(text, UriKind.Absolute, out var absolute) || (absolute.Scheme != Uri.UriSchemeHttps && absolute.Scheme != Uri.UriSchemeHttp)) return null;
            text = absolute.AbsolutePath;
        }

        string[] segments;
        try
        {
            segments = Uri.UnescapeDataString(text).Split('/', StringSplitOptions.RemoveEmptyEntries);
        }
        catch (UriFormatException)
        {
            return null;
        }
        var companyAt = Array.FindLastIndex(segments, s => s.StartsWith("companies(", StringComparison.Ordinal));
        if (companyAt < 0 || companyAt != segments.Length - 2) return null;
        var company = CompanyPattern().Match(segments[companyAt]);
        var entity = EntityPattern().Match(segments[^1]);
        if (!company.Success || !entity.Success || !Guid.TryParseExact(company.Groups["id"].Value, "D", out var companyId)) return null;

        var filter = query is null ? null : ReadFilter(query);
        var key = entity.Groups["key"].Success ? Unquote(entity.Groups["key"].Value) : null;
        return new BcResourcePath(companyId, entity.Groups["set"].Value, key, filter);
    }

    private static string? ReadFilter(string query)
    {
        foreach (var part in query.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = part.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0 && Uri.UnescapeDataString(part[..equals]) == "$filter") return Uri.UnescapeDataString(part[(equals + 1)..].Replace('+', ' '));
        }
        return null;
    }

    private static string Unquote(string key)
        => key.Length >= 2 && key[0] == '\'' && key[^1] == '\'' ? key[1..^1].Replace("''", "'", StringComparison.Ordinal) : key;

    [GeneratedRegex(@"^companies\((?<id>[^()]+)\)$")]
    private static partial Regex CompanyPattern();

    [GeneratedRegex(@"^(?<set>[A-Za-z][A-Za-z0-9_]*)(?:\((?<key>[^()]+)\))?$")]
    private static partial Regex EntityPattern();

    [GeneratedRegex(@"^\s*lastModifiedDateTime\s+gt\s+(?<at>\d{4}-\d\d-\d\dT[0-9:.]+(?:Z|[+-]\d\d:\d\d))\s*$")]
    private static partial Regex ModifiedAfterPattern();
}
