using MlConnector.Engine.Http;

namespace MlConnector.Engine.BusinessCentral;

/// <summary>
/// Checks settings against the endpoint policy and builds API v2.0 URLs:
/// {base}/v2.0/{tenant}/{environment}/api/v2.0/companies({id})/...
/// </summary>
internal sealed class BcEndpoints
{
    private BcEndpoints(Uri apiRoot, IReadOnlyList<string> untrusted)
    {
        ApiRoot = apiRoot;
        UntrustedWarnings = untrusted;
    }

    /// <summary>{base}/v2.0/{tenant}/{environment}/api/v2.0/ (with the trailing slash).</summary>
    public Uri ApiRoot { get; }

    public Guid CompanyId { get; set; }

    /// <summary>One warning per endpoint that only AllowUntrustedEndpoint let through; to be shown on every connect.</summary>
    public IReadOnlyList<string> UntrustedWarnings { get; }

    /// <summary>Validates <paramref name="settings"/>; every failure is a <see cref="BusinessCentralConfigurationException"/>.</summary>
    public static BcEndpoints From(BusinessCentralSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        Require(settings.TenantId, nameof(settings.TenantId));
        Require(settings.ClientId, nameof(settings.ClientId));
        Require(settings.Environment, nameof(settings.Environment));
        Require(settings.Company, nameof(settings.Company));
        if (settings.PageSize is < 1 or > 20000)
            throw new BusinessCentralConfigurationException($"PageSize must be between 1 and 20000 (BC online's maximum page size); it is {settings.PageSize}.");
        if (settings.ModifiedSinceOverlap < TimeSpan.Zero)
            throw new BusinessCentralConfigurationException("ModifiedSinceOverlap cannot be negative.");
        if (settings.Retry.MaxAttempts < 1)
            throw new BusinessCentralConfigurationException("Retry.MaxAttempts must be at least 1.");

        Uri baseUri;
        try
        {
            baseUri = EndpointPolicy.RequireSecure(settings.BaseUri, "The Business Central base URI");
            EndpointPolicy.RequireSecure(settings.AuthorityHost, "The Entra authority host");
        }
        catch (ArgumentException e)
        {
            throw new BusinessCentralConfigurationException(e.Message, e);
        }

        var authority = settings.AuthorityHost;
        var hasThumbprint = !string.IsNullOrWhiteSpace(settings.SandboxTlsThumbprint);
        if (EndpointPolicy.IsLoopback(authority) && (authority.Scheme != Uri.UriSchemeHttps || !hasThumbprint))
            throw new BusinessCentralConfigurationException(
                $"A loopback Entra authority ('{TrustedHosts.Show(authority)}') is only accepted over https together with a pinned SandboxTlsThumbprint (the sandbox). Leave AuthorityHost at its default for Microsoft Entra ID.");
        if (hasThumbprint && !EndpointPolicy.IsLoopback(authority) && !EndpointPolicy.IsLoopback(baseUri))
            throw new BusinessCentralConfigurationException("SandboxTlsThumbprint is only accepted for loopback hosts (the sandbox); real endpoints are validated by the platform.");

        var untrusted = new List<string>();
        if (!EndpointPolicy.IsLoopback(authority) && !TrustedHosts.IsEntraAuthority(authority))
            untrusted.Add(Untrusted(settings, "Entra authority host", authority, "the client secret", "Microsoft's sign-in hosts (" + string.Join(", ", TrustedHosts.EntraAuthorities) + ")"));
        if (!EndpointPolicy.IsLoopback(baseUri) && !TrustedHosts.IsBusinessCentral(baseUri))
            untrusted.Add(Untrusted(settings, "Business Central base URI", baseUri, "the access token and your data", "Business Central's API host (" + string.Join(", ", TrustedHosts.BusinessCentral) + ")"));

        var root = baseUri.AbsoluteUri.TrimEnd('/') + "/v2.0/" + Uri.EscapeDataString(settings.TenantId) + "/" + Uri.EscapeDataString(settings.Environment) + "/api/v2.0/";
        return new BcEndpoints(new Uri(root), untrusted);
    }

    /// <summary>Refuses an off-list endpoint, or — with AllowUntrustedEndpoint — returns the warning that says where the secret goes.</summary>
    private static string Untrusted(BusinessCentralSettings settings, string what, Uri uri, string carried, string expected)
    {
        if (!settings.AllowUntrustedEndpoint)
            throw new BusinessCentralConfigurationException(
                $"The {what} '{TrustedHosts.Show(uri)}' is not {expected} nor the loopback sandbox, so {carried} would go to a host Microsoft does not document. " +
                "Correct it (or leave it out for the default). Only for an endpoint you run and trust, connect with -AllowUntrustedEndpoint.",
                errorId: "BusinessCentralUntrustedEndpoint");
        return $"AllowUntrustedEndpoint: the {what} '{TrustedHosts.Show(uri)}' is not {expected}; {carried} will be sent to it. Use this only for an endpoint you run and trust.";
    }

    public Uri Companies() => new(ApiRoot, "companies");

    /// <summary>companies({id})/{relative}[?query]</summary>
    public Uri Company(string relative, string? query = null)
        => new(ApiRoot, $"companies({CompanyId:D})/{relative}" + (string.IsNullOrEmpty(query) ? "" : "?" + query));

    public Uri Batch() => new(ApiRoot, "$batch");

    /// <summary>A nextLink is followed only when it stays on the API host: the bearer token goes with it.</summary>
    public Uri NextLink(string link)
    {
        var uri = new Uri(ApiRoot, link);
        if (!string.Equals(uri.GetLeftPart(UriPartial.Authority), ApiRoot.GetLeftPart(UriPartial.Authority), StringComparison.OrdinalIgnoreCase))
            throw new BusinessCentralException("BusinessCentralUnexpectedNextLink", MlErrorCategory.InvalidData,
                $"Business Central returned a next-page link to another host ('{uri.GetLeftPart(UriPartial.Authority)}'); refusing to follow it.");
        return uri;
    }

    private static void Require(string value, string name)
    {
        if (string.IsNullOrWhiteSpace(value)) throw new BusinessCentralConfigurationException($"{name} is required.");
    }
}
