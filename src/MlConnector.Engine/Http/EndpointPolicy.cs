using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace MlConnector.Engine.Http;

/// <summary>
/// Which endpoints the connector will talk to and how it trusts them. Plain http:// only for a loopback
/// host (the sandbox); a pinned certificate thumbprint only for a loopback host; certificate validation
/// is otherwise never relaxed.
/// </summary>
public static class EndpointPolicy
{
    public static bool IsLoopback(Uri uri) =>
        uri.IsLoopback || (IPAddress.TryParse(uri.Host, out var address) && IPAddress.IsLoopback(address));

    /// <summary>Throws when <paramref name="uri"/> is not absolute https, or http on loopback.</summary>
    public static Uri RequireSecure(Uri uri, string what)
    {
        ArgumentNullException.ThrowIfNull(uri);
        if (!uri.IsAbsoluteUri) throw new ArgumentException($"{what} must be an absolute URI: '{uri}'.", nameof(uri));
        if (uri.Scheme == Uri.UriSchemeHttps) return uri;
        if (uri.Scheme == Uri.UriSchemeHttp && IsLoopback(uri)) return uri;
        throw new ArgumentException($"{what} '{uri.GetLeftPart(UriPartial.Authority)}' must use https:// (plain http:// is only accepted for a loopback host).", nameof(uri));
    }

    /// <summary>
    /// A handler for <paramref name="endpoint"/>: the platform's validation, or — only when a thumbprint is
    /// given and the host is loopback — exactly the certificate with that SHA-1 or SHA-256 thumbprint. It never
    /// follows a redirect (every call it makes carries a secret, a token or personal data) and bounds each
    /// response body, both as <paramref name="guard"/> says.
    /// </summary>
    public static HttpMessageHandler CreateHandler(Uri endpoint, string? pinnedThumbprint, ResponseGuard guard)
    {
        ArgumentNullException.ThrowIfNull(guard);
        return new GuardedHandler(guard, CreateSocketsHandler(endpoint, pinnedThumbprint));
    }

    private static SocketsHttpHandler CreateSocketsHandler(Uri endpoint, string? pinnedThumbprint)
    {
        var handler = new SocketsHttpHandler
        {
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            ConnectTimeout = TimeSpan.FromSeconds(30),
            AutomaticDecompression = DecompressionMethods.GZip | DecompressionMethods.Deflate,
            AllowAutoRedirect = false,
        };
        if (string.IsNullOrWhiteSpace(pinnedThumbprint)) return handler;
        if (!IsLoopback(endpoint))
            throw new ArgumentException($"A pinned certificate thumbprint is only accepted for a loopback host, not '{endpoint.Host}'.", nameof(pinnedThumbprint));

        var pinned = Normalize(pinnedThumbprint);
        handler.SslOptions = new SslClientAuthenticationOptions
        {
            RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
                certificate is not null && Matches(certificate, pinned),
        };
        return handler;
    }

    private static bool Matches(X509Certificate certificate, string pinned)
    {
        using var cert = new X509Certificate2(certificate);
        return string.Equals(cert.Thumbprint, pinned, StringComparison.OrdinalIgnoreCase)
            || string.Equals(cert.GetCertHashString(System.Security.Cryptography.HashAlgorithmName.SHA256), pinned, StringComparison.OrdinalIgnoreCase);
    }

    private static string Normalize(string thumbprint) => thumbprint.Replace(":", "", StringComparison.Ordinal).Replace(" ", "", StringComparison.Ordinal).Trim();
}
