using System.Text.RegularExpressions;

namespace MlConnector.Sandbox.BusinessCentral.Webhooks;

/// <summary>
/// Reads a subscription's <c>resource</c>: absolute (…/api/v2.0/companies(…)/customers), relative with or without a leading
/// "/api/v2.0/", or bare "companies(…)/customers" (shared/api/business-central.md §5.1). Only API v2.0 collections qualify.
/// </summary>
internal static partial class SubscriptionResource
{
    private const string ApiPrefix = "api/v2.0/";

    public static (Guid CompanyId, string EntitySet) Parse(string resource)
    {
        var path = resource.Trim();
        if (Uri.TryCreate(path, UriKind.Absolute, out var absolute) && absolute.Scheme is "http" or "https")
        {
            if (absolute.Query.Length > 0) throw Invalid(resource);
            var marker = absolute.AbsolutePath.IndexOf("/" + ApiPrefix, StringComparison.OrdinalIgnoreCase);
            if (marker < 0) throw Invalid(resource);
            path = absolute.AbsolutePath[(marker + 1)..];
        }
        path = Uri.UnescapeDataString(path).TrimStart('/');
        if (path.StartsWith(ApiPrefix, StringComparison.OrdinalIgnoreCase)) path = path[ApiPrefix.Length..];
        else if (path.StartsWith("api/", StringComparison.OrdinalIgnoreCase)) throw Invalid(resource);

        var match = CollectionPattern().Match(path);
        if (!match.Success || !Guid.TryParseExact(match.Groups["company"].Value, "D", out var company)) throw Invalid(resource);
        return (company, match.Groups["set"].Value);
    }

    private static BcException Invalid(string resource)
        => BcErrors.BadRequest($"The resource '{resource}' is not a collection of API v2.0 that can be subscribed to.");

    [GeneratedRegex(@"^companies\((?<company>[^()/]+)\)/(?<set>[A-Za-z][A-Za-z0-9]*)/?$")]
    private static partial Regex CollectionPattern();
}
