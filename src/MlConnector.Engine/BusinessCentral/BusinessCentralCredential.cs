using System.Security.Cryptography.X509Certificates;
using System.Text.RegularExpressions;
using Microsoft.Identity.Client;
using MlConnector.Engine.Security;

namespace MlConnector.Engine.BusinessCentral;

/// <summary>
/// How the app proves who it is to Entra ID: a client secret, or a certificate whose private key signs a client
/// assertion (what Microsoft recommends for app-only access). Neither the secret nor the key is ever shown.
/// </summary>
public sealed partial class BusinessCentralCredential
{
    private readonly SecretText? _secret;
    private readonly X509Certificate2? _certificate;

    private BusinessCentralCredential(SecretText? secret, X509Certificate2? certificate)
    {
        _secret = secret;
        _certificate = certificate;
    }

    /// <summary>The SHA-1 thumbprint of the sign-in certificate; null for a client secret.</summary>
    public string? CertificateThumbprint => _certificate?.Thumbprint;

    public static BusinessCentralCredential FromSecret(SecretText secret)
    {
        ArgumentNullException.ThrowIfNull(secret);
        return new BusinessCentralCredential(secret, null);
    }

    /// <summary>A certificate with its private key (Get-AutomationCertificate, the certificate store, a .pfx).</summary>
    public static BusinessCentralCredential FromCertificate(X509Certificate2 certificate, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        if (!certificate.HasPrivateKey)
            throw Unusable($"The certificate {certificate.Thumbprint} ('{certificate.Subject}') has no private key, so it cannot sign in; pass the certificate with its private key (a .pfx or the certificate store), not only its public part.");
        var now = (time ?? TimeProvider.System).GetUtcNow();
        if (certificate.NotAfter.ToUniversalTime() < now.UtcDateTime)
            throw Unusable($"The certificate {certificate.Thumbprint} ('{certificate.Subject}') expired on {certificate.NotAfter.ToUniversalTime():u}. Upload a new certificate to the app registration (Certificates & secrets) and connect with it.");
        return new BusinessCentralCredential(null, certificate);
    }

    /// <summary>The certificate with this SHA-1 thumbprint from the current user's personal store (Cert:\CurrentUser\My; on Linux and macOS .NET's own CurrentUser/My store).</summary>
    public static BusinessCentralCredential FromCurrentUserStore(string thumbprint, TimeProvider? time = null)
    {
        var wanted = NormalizeThumbprint(thumbprint);
        var certificate = FindInCurrentUserStore(wanted)
            ?? throw new BusinessCentralException("BusinessCentralCertificateNotFound", MlErrorCategory.NotFound,
                $"No certificate with thumbprint {wanted} is in the current user's certificate store (Cert:\\CurrentUser\\My). Import it there with its private key, or pass it with -ClientCertificate.");
        return FromCertificate(certificate, time);
    }

    /// <summary>Whether the current user's store holds the certificate with this thumbprint (where a saved profile looks for it).</summary>
    public static bool IsInCurrentUserStore(string thumbprint) => FindInCurrentUserStore(NormalizeThumbprint(thumbprint)) is not null;

    private static X509Certificate2? FindInCurrentUserStore(string thumbprint)
    {
        try
        {
            using var store = new X509Store(StoreName.My, StoreLocation.CurrentUser);
            store.Open(OpenFlags.ReadOnly);
            return store.Certificates.Find(X509FindType.FindByThumbprint, thumbprint, validOnly: false)
                .OfType<X509Certificate2>().OrderByDescending(c => c.HasPrivateKey).FirstOrDefault();
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            return null; // no store yet (a Linux or macOS user who never added a certificate)
        }
    }

    /// <summary>A SHA-1 thumbprint as 40 upper-case hex digits; spaces and colons (as some tools print them) are dropped.</summary>
    public static string NormalizeThumbprint(string thumbprint)
    {
        var hex = (thumbprint ?? "").Replace(" ", "", StringComparison.Ordinal).Replace(":", "", StringComparison.Ordinal).Trim().ToUpperInvariant();
        if (!Sha1Hex().IsMatch(hex))
            throw new BusinessCentralConfigurationException($"'{thumbprint}' is not a certificate thumbprint: expected the 40 hexadecimal digits of its SHA-1 thumbprint (Get-ChildItem Cert:\\CurrentUser\\My shows them).");
        return hex;
    }

    internal ConfidentialClientApplicationBuilder Apply(ConfidentialClientApplicationBuilder builder)
        => _certificate is not null ? builder.WithCertificate(_certificate) : builder.WithClientSecret(_secret!.Reveal());

    public override string ToString() => _certificate is not null ? $"certificate {_certificate.Thumbprint}" : "client secret";

    private static BusinessCentralException Unusable(string message) =>
        new("BusinessCentralCertificateUnusable", MlErrorCategory.InvalidConfiguration, message);

    [GeneratedRegex("^[0-9A-F]{40}$")]
    private static partial Regex Sha1Hex();
}
