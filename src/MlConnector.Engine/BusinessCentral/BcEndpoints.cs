using MlConnector.Engine.Http;

namespace MlConnector.Engine.BusinessCentral;

/// <summary>
/// Checks settings against the endpoint policy and builds API v2.0 URLs:
/// {base}/v2.0/{tenant}/{environment}/api/v2.0/companies({id})/...
/// </summary>
internal sealed class BcEndpoints
{
    private BcEndpoints(Uri apiRoot) => ApiRoot = apiRoot;

    /// <summary>{base}/v2.0/{tenant}/{environment}/api/v2.0/ (with the trailing slash).</summary>
    public Uri ApiRoot { get; }

    public Guid CompanyId { get; set; }

    public static bool IsDefaultAuthority(Uri host)
        => host.Scheme == Uri.UriSchemeHttps && string.Equals(host.Host, BusinessCentralSettings.DefaultAuthorityHost.Host, StringComparison.OrdinalIgnoreCase) && host.IsDefaultPort;

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

        var hasThumbprint = !string.IsNullOrWhiteSpace(settings.SandboxTlsThumbprint);
        if (!IsDefaultAuthority(settings.AuthorityHost))
        {
            if (settings.AuthorityHost.Scheme != Uri.UriSchemeHttps || !EndpointPolicy.IsLoopback(settings.AuthorityHost) || !hasThumbprint)
                throw new BusinessCentralConfigurationException(
                    $"A custom Entra authority ('{settings.AuthorityHost.GetLeftPart(UriPartial.Authority)}') is only accepted for an https loopback host together with a pinned SandboxTlsThumbprint (the sandbox). Leave AuthorityHost at its default for Microsoft Entra ID.");
        }
        else if (hasThumbprint && !EndpointPolicy.IsLoopback(settings.BaseUri))
        {
            throw new BusinessCentralConfigurationException("SandboxTlsThumbprint is only accepted for loopback hosts (the sandbox); real endpoints are validated by the platform.");
        }

        var root = baseUri.AbsoluteUri.TrimEnd('/') + "/v2.0/" + Uri.EscapeDataString(settings.TenantId) + "/" + Uri.EscapeDataString(settings.Environment) + "/api/v2.0/";
        return new BcEndpoints(new Uri(root));
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
