using System.Buffers.Text;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;

namespace MlConnector.Sandbox.Entra;

/// <summary>
/// Checks a certificate credential the way Entra does (entra-docs certificate-credentials.md): a JWT with header
/// alg RS256 or PS256 and x5t (SHA-1) or x5t#S256 naming the certificate; claims aud = this token endpoint,
/// iss = sub = client_id, exp and nbf around now (5 minutes of skew), jti; signed by a certificate registered on
/// the app. Each failure gets the AADSTS code Entra answers with (reference-error-codes.md and observed responses).
/// </summary>
internal static class EntraClientAssertion
{
    public const string JwtBearerType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
    private static readonly TimeSpan Skew = TimeSpan.FromMinutes(5);

    /// <summary>Null when the assertion proves the app; otherwise the error and the detail to format it with.</summary>
    public static (EntraError Error, string Detail)? Check(string assertion, string clientId, string tokenEndpoint, IReadOnlyList<X509Certificate2> registered, DateTimeOffset now)
    {
        var parts = assertion.Split('.');
        if (parts.Length != 3) return (EntraErrors.InvalidAssertion, "The token is not a JWS compact JWT.");
        JsonElement header, claims;
        byte[] signature;
        try
        {
            header = Parse(parts[0]);
            claims = Parse(parts[1]);
            signature = Base64Url.DecodeFromChars(parts[2]);
        }
        catch (Exception e) when (e is FormatException or JsonException)
        {
            return (EntraErrors.InvalidAssertion, "The token could not be decoded.");
        }

        var alg = Text(header, "alg");
        if (alg is not ("RS256" or "PS256")) return (EntraErrors.InvalidAssertion, $"Unsupported signing algorithm '{alg}'.");
        var sha1 = Text(header, "x5t");
        var sha256 = Text(header, "x5t#S256");
        if (sha1 is null && sha256 is null) return (EntraErrors.InvalidAssertion, "No certificate thumbprint specified in token header.");

        if (Text(claims, "iss") is not { } issuer || Text(claims, "sub") is not { } subject) return (EntraErrors.InvalidAssertion, "The token lacks an iss or sub claim.");
        if (!string.Equals(issuer, subject, StringComparison.Ordinal)) return (EntraErrors.AssertionSubjectMismatch, "");
        if (!string.Equals(subject, clientId, StringComparison.OrdinalIgnoreCase)) return (EntraErrors.AssertionWrongApp, "");
        if (!string.Equals(Text(claims, "aud"), tokenEndpoint, StringComparison.OrdinalIgnoreCase)) return (EntraErrors.AssertionWrongAudience, "");
        if (string.IsNullOrEmpty(Text(claims, "jti"))) return (EntraErrors.InvalidAssertion, "The token lacks a jti claim.");
        if (Seconds(claims, "exp") is not { } exp) return (EntraErrors.InvalidAssertion, "The token lacks an exp claim.");
        var nbf = Seconds(claims, "nbf") ?? exp - 600;
        if (now > DateTimeOffset.FromUnixTimeSeconds(exp) + Skew || now < DateTimeOffset.FromUnixTimeSeconds(nbf) - Skew)
            return (EntraErrors.AssertionOutsideTimeRange, "");

        var thumbprint = sha1 is not null ? Convert.ToHexString(Base64Url.DecodeFromChars(sha1)) : Convert.ToHexString(Base64Url.DecodeFromChars(sha256));
        var certificate = registered.FirstOrDefault(c => sha1 is not null
            ? string.Equals(c.Thumbprint, thumbprint, StringComparison.OrdinalIgnoreCase)
            : string.Equals(c.GetCertHashString(HashAlgorithmName.SHA256), thumbprint, StringComparison.OrdinalIgnoreCase));
        if (certificate is null) return (EntraErrors.CertificateNotRegistered, thumbprint);
        if (certificate.NotAfter.ToUniversalTime() < now.UtcDateTime) return (EntraErrors.CertificateExpired, thumbprint);

        using var key = certificate.GetRSAPublicKey();
        var padding = alg == "PS256" ? RSASignaturePadding.Pss : RSASignaturePadding.Pkcs1;
        var signed = key is not null && key.VerifyData(Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]), signature, HashAlgorithmName.SHA256, padding);
        return signed ? null : (EntraErrors.AssertionSignatureInvalid, thumbprint);
    }

    private static JsonElement Parse(string part)
    {
        using var doc = JsonDocument.Parse(Base64Url.DecodeFromChars(part));
        return doc.RootElement.Clone();
    }

    private static string? Text(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    /// <summary>A NumericDate claim; MSAL.NET writes them as JSON strings, which Entra accepts as well.</summary>
    private static long? Seconds(JsonElement element, string name)
    {
        if (!element.TryGetProperty(name, out var value)) return null;
        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var seconds)) return seconds;
        return value.ValueKind == JsonValueKind.String && long.TryParse(value.GetString(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out seconds)
            ? seconds : null;
    }
}
