using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace MlConnector.Sandbox.Entra;

/// <summary>What a relying party (the BC simulator) learns from a valid-looking access token.</summary>
public sealed record EntraTokenClaims(string AppId, string TenantId, string Audience, DateTimeOffset IssuedAt, DateTimeOffset ExpiresAt, IReadOnlyList<string> Roles);

/// <summary>
/// Issues RS256 JWTs shaped like Entra's v1 app-only tokens for Business Central (aud, iss, tid, appid, roles, exp...)
/// and verifies the ones it issued. RSA key generation is slow, so one key per process is made in the background
/// and each sandbox signs with its own key id: a token from another sandbox fails verification here.
/// </summary>
public sealed class EntraTokens
{
    public const string BusinessCentralResource = "https://api.businesscentral.dynamics.com";
    private static readonly Task<RSA> SharedKey = Task.Run(() =>
    {
        var key = RSA.Create(2048);
        key.ExportParameters(false); // forces generation now rather than at the first token
        return key;
    });

    private static RSA Key => SharedKey.GetAwaiter().GetResult();

    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _issued = new();

    public string KeyId { get; } = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(20));

    /// <summary>Every token this sandbox signed (Entra and managed identity), oldest first: leak tests look for them by value.</summary>
    public IReadOnlyList<string> Issued() => _issued.ToArray();

    public string Issue(string tenantId, string appId, DateTimeOffset now, TimeSpan lifetime)
    {
        var claims = AppClaims(tenantId, appId, ObjectIdFor(tenantId, appId), BusinessCentralResource, now, now + lifetime);
        claims["appidacr"] = "1";
        claims["rh"] = "0.AAAA" + Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(16)) + ".";
        claims["roles"] = new[] { "API.ReadWrite.All" };
        return Sign(claims);
    }

    /// <summary>The claims of an Entra v1 app-only token (aud, iss, tid, appid, oid/sub, lifetime...); issuers add their own.</summary>
    public static Dictionary<string, object> AppClaims(string tenantId, string appId, string objectId, string audience, DateTimeOffset issuedAt, DateTimeOffset expiresAt)
    {
        var iat = issuedAt.ToUnixTimeSeconds();
        return new Dictionary<string, object>
        {
            ["aud"] = audience,
            ["iss"] = $"https://sts.windows.net/{tenantId}/",
            ["iat"] = iat,
            ["nbf"] = iat,
            ["exp"] = expiresAt.ToUnixTimeSeconds(),
            ["aio"] = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(24)),
            ["appid"] = appId,
            ["idp"] = $"https://sts.windows.net/{tenantId}/",
            ["idtyp"] = "app",
            ["oid"] = objectId,
            ["sub"] = objectId,
            ["tid"] = tenantId,
            ["uti"] = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(16)),
            ["ver"] = "1.0",
        };
    }

    /// <summary>Signs a claim set with this tenant's key (RS256, kid = <see cref="KeyId"/>): other token issuers of the sandbox use it too.</summary>
    public string Sign(IReadOnlyDictionary<string, object> claims)
    {
        var header = JsonSerializer.SerializeToUtf8Bytes(new { typ = "JWT", alg = "RS256", x5t = KeyId, kid = KeyId });
        var payload = JsonSerializer.SerializeToUtf8Bytes(claims);
        var signingInput = Base64Url.EncodeToString(header) + "." + Base64Url.EncodeToString(payload);
        var signature = Key.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var token = signingInput + "." + Base64Url.EncodeToString(signature);
        _issued.Enqueue(token);
        return token;
    }

    /// <summary>Returns the claims of a token this sandbox signed (expired or not), or null for anything else.</summary>
    public EntraTokenClaims? Read(string token)
    {
        var parts = token.Split('.');
        if (parts.Length != 3) return null;
        try
        {
            var signature = Base64Url.DecodeFromChars(parts[2]);
            using (var header = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[0])))
                if (!header.RootElement.TryGetProperty("kid", out var kid) || kid.GetString() != KeyId) return null;
            if (!Key.VerifyData(Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]), signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)) return null;
            using var doc = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[1]));
            var root = doc.RootElement;
            var roles = root.TryGetProperty("roles", out var r) ? r.EnumerateArray().Select(e => e.GetString() ?? "").ToArray() : Array.Empty<string>();
            return new EntraTokenClaims(root.GetProperty("appid").GetString()!, root.GetProperty("tid").GetString()!, root.GetProperty("aud").GetString()!,
                DateTimeOffset.FromUnixTimeSeconds(root.GetProperty("iat").GetInt64()), DateTimeOffset.FromUnixTimeSeconds(root.GetProperty("exp").GetInt64()), roles);
        }
        catch (Exception e) when (e is FormatException or JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>The public key as a JWKS document, for clients that want to look.</summary>
    public object Jwks()
    {
        var p = Key.ExportParameters(false);
        return new { keys = new[] { new { kty = "RSA", use = "sig", kid = KeyId, x5t = KeyId, n = Base64Url.EncodeToString(p.Modulus), e = Base64Url.EncodeToString(p.Exponent) } } };
    }

    private static string ObjectIdFor(string tenantId, string appId)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(tenantId + "/" + appId));
        return new Guid(hash.AsSpan(0, 16)).ToString();
    }
}
