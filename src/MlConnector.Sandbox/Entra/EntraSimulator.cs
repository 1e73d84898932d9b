using System.Globalization;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using MlConnector.Sandbox.Core;

namespace MlConnector.Sandbox.Entra;

/// <summary>
/// Microsoft Entra ID's client-credentials token endpoint (v2.0) for one tenant, plus the discovery documents MSAL may ask for.
/// Tokens are only good for Business Central's .default scope.
/// </summary>
public sealed class EntraSimulator : IServiceSimulator
{
    public const string BusinessCentralScope = EntraTokens.BusinessCentralResource + "/.default";
    private readonly Random _lifetimes = new(7);

    public EntraSimulator(EntraOptions options, SandboxClock clock)
    {
        Options = options;
        Clock = clock;
    }

    public EntraOptions Options { get; }
    public SandboxClock Clock { get; }
    public EntraTokens Tokens { get; } = new();

    /// <summary>Canonical tenant id when <paramref name="tenant"/> names a known tenant (by GUID or domain), else null.</summary>
    public string? ResolveTenant(string tenant)
    {
        if (string.Equals(tenant, Options.TenantId, StringComparison.OrdinalIgnoreCase) || string.Equals(tenant, Options.TenantDomain, StringComparison.OrdinalIgnoreCase))
            return Options.TenantId;
        return Options.AdditionalApps.FirstOrDefault(a => string.Equals(a.TenantId, tenant, StringComparison.OrdinalIgnoreCase))?.TenantId;
    }

    /// <summary>Issues a token directly (tests and tools that need one without a round trip).</summary>
    public string IssueToken(string? appId = null, string? tenantId = null, TimeSpan? lifetime = null)
        => Tokens.Issue(tenantId ?? Options.TenantId, appId ?? Options.ClientId, Clock.GetUtcNow(), lifetime ?? NextLifetime());

    public void MapEndpoints(IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/{tenant}/oauth2/v2.0/token", TokenAsync);
        endpoints.MapGet("/{tenant}/v2.0/.well-known/openid-configuration", (HttpContext c, string tenant) => OpenIdConfiguration(c, tenant));
        endpoints.MapGet("/{tenant}/.well-known/openid-configuration", (HttpContext c, string tenant) => OpenIdConfiguration(c, tenant));
        endpoints.MapGet("/{tenant}/discovery/v2.0/keys", () => Results.Json(Tokens.Jwks()));
        endpoints.MapGet("/common/discovery/instance", (HttpContext c) =>
        {
            var host = c.Request.Host.Value;
            return Results.Json(new Dictionary<string, object>
            {
                ["tenant_discovery_endpoint"] = $"{c.Request.Scheme}://{host}/{Options.TenantId}/v2.0/.well-known/openid-configuration",
                ["api-version"] = "1.1",
                ["metadata"] = new[] { new { preferred_network = host, preferred_cache = host, aliases = new[] { host } } },
            });
        });
    }

    public void MapAdminEndpoints(IEndpointRouteBuilder admin)
    {
        admin.MapGet("/entra", () => Results.Ok(Settings()));
        admin.MapGet("/entra/tokens", () => Results.Ok(new { tokens = Tokens.Issued() }));
        admin.MapPost("/entra/settings", (EntraSettings body) =>
        {
            if (body.ClientSecret is not null) Options.ClientSecret = body.ClientSecret;
            if (body.SecretExpired is bool expired) Options.SecretExpired = expired;
            if (body.TokenLifetimeMinutes is double minutes) Options.TokenLifetime = minutes > 0 ? TimeSpan.FromMinutes(minutes) : null;
            return Results.Ok(Settings());
        });
        // Upload (or clear) the app registration's certificates, as Certificates & secrets > Upload certificate does: public part only.
        admin.MapPost("/entra/certificates", (CertificateUpload body) =>
        {
            X509Certificate2 certificate;
            try { certificate = X509CertificateLoader.LoadCertificate(Convert.FromBase64String(body.Certificate)); }
            catch (Exception e) when (e is FormatException or System.Security.Cryptography.CryptographicException)
            {
                return Results.BadRequest(new { error = "certificate must be the base64 of a DER (.cer) certificate" });
            }
            lock (Options.ClientCertificates) Options.ClientCertificates.Add(certificate);
            return Results.Ok(Settings());
        });
        admin.MapDelete("/entra/certificates", () =>
        {
            lock (Options.ClientCertificates) Options.ClientCertificates.Clear();
            return Results.Ok(Settings());
        });
        admin.MapPost("/entra/apps", (EntraApp app) =>
        {
            lock (Options.AdditionalApps) Options.AdditionalApps.Add(app);
            return Results.Ok(app);
        });
    }

    public Task WriteFaultAsync(HttpContext context, FaultRule rule)
    {
        var status = rule.HttpStatus ?? 500;
        var code = int.TryParse(rule.ErrorCode?.Replace("AADSTS", "", StringComparison.OrdinalIgnoreCase), NumberStyles.Integer, CultureInfo.InvariantCulture, out var c) ? c : status >= 500 ? 90033 : 900144;
        var error = status >= 500 ? "temporarily_unavailable" : status == 401 ? "invalid_client" : "invalid_request";
        var description = status >= 500 ? "A transient error has occurred. Please try again." : "The request was rejected by the sandbox fault injector.";
        var retryAfter = rule.RetryAfterSeconds is int s && status is 429 or 503 or 504 ? s : (int?)null;
        return EntraErrors.WriteAsync(context, Clock, status, error, code, description, retryAfter);
    }

    private EntraSettings Settings()
    {
        string[] thumbprints;
        lock (Options.ClientCertificates) thumbprints = Options.ClientCertificates.Select(c => c.Thumbprint).ToArray();
        return new(Options.ClientSecret, Options.SecretExpired, Options.TokenLifetime?.TotalMinutes, thumbprints);
    }

    private TimeSpan NextLifetime()
    {
        if (Options.TokenLifetime is TimeSpan fixedLifetime) return fixedLifetime;
        lock (_lifetimes) return TimeSpan.FromSeconds(_lifetimes.Next(60 * 60, 90 * 60 + 1));
    }

    private async Task TokenAsync(HttpContext context, string tenant)
    {
        var tenantId = ResolveTenant(tenant);
        if (tenantId is null)
        {
            var plausible = Guid.TryParse(tenant, out _) || tenant.Contains('.', StringComparison.Ordinal);
            await EntraErrors.WriteAsync(context, Clock, plausible ? EntraErrors.UnknownTenant : EntraErrors.InvalidTenantFormat, tenant: tenant).ConfigureAwait(false);
            return;
        }

        var form = context.Request.HasFormContentType ? await context.Request.ReadFormAsync(context.RequestAborted).ConfigureAwait(false) : FormCollection.Empty;
        var grantType = form["grant_type"].ToString();
        if (grantType.Length == 0) { await EntraErrors.WriteAsync(context, Clock, EntraErrors.MissingGrantType).ConfigureAwait(false); return; }
        if (grantType != "client_credentials") { await EntraErrors.WriteAsync(context, Clock, EntraErrors.UnsupportedGrantType, detail: grantType).ConfigureAwait(false); return; }

        var (clientId, secret) = ClientCredentials(context, form);
        if (clientId.Length == 0) { await EntraErrors.WriteAsync(context, Clock, EntraErrors.MissingClientId).ConfigureAwait(false); return; }

        var app = FindApp(tenantId, clientId);
        if (app is null) { await EntraErrors.WriteAsync(context, Clock, EntraErrors.UnknownApp, clientId, tenant).ConfigureAwait(false); return; }
        var assertion = form["client_assertion"].ToString();
        if (assertion.Length > 0)
        {
            // A certificate credential: a JWT signed with a certificate registered on the app (private_key_jwt).
            if (form["client_assertion_type"].ToString() != EntraClientAssertion.JwtBearerType)
            {
                await EntraErrors.WriteAsync(context, Clock, EntraErrors.MissingAssertionType, clientId, tenant).ConfigureAwait(false);
                return;
            }
            var endpoint = $"{context.Request.Scheme}://{context.Request.Host.Value}{context.Request.Path.Value}";
            if (EntraClientAssertion.Check(assertion, app.ClientId, endpoint, RegisteredCertificates(app), Clock.GetUtcNow()) is { } refusal)
            {
                await EntraErrors.WriteAsync(context, Clock, refusal.Error, clientId, tenant, refusal.Detail).ConfigureAwait(false);
                return;
            }
        }
        else
        {
            if (secret.Length == 0) { await EntraErrors.WriteAsync(context, Clock, EntraErrors.MissingCredential, clientId, tenant).ConfigureAwait(false); return; }
            if (!string.Equals(secret, app.ClientSecret, StringComparison.Ordinal)) { await EntraErrors.WriteAsync(context, Clock, EntraErrors.InvalidSecret, clientId, tenant).ConfigureAwait(false); return; }
            if (app.SecretExpired) { await EntraErrors.WriteAsync(context, Clock, EntraErrors.ExpiredSecret, clientId, tenant).ConfigureAwait(false); return; }
        }

        var scope = form["scope"].ToString().Trim();
        if (!string.Equals(scope, BusinessCentralScope, StringComparison.OrdinalIgnoreCase) && !string.Equals(scope, EntraTokens.BusinessCentralResource + "//.default", StringComparison.OrdinalIgnoreCase))
        {
            var wrongResource = scope.EndsWith("/.default", StringComparison.OrdinalIgnoreCase) && !scope.Contains(' ', StringComparison.Ordinal);
            await EntraErrors.WriteAsync(context, Clock, wrongResource ? EntraErrors.UnknownResource : EntraErrors.InvalidScope, clientId, tenant,
                wrongResource ? scope[..^"/.default".Length] : scope).ConfigureAwait(false);
            return;
        }

        var lifetime = NextLifetime();
        var token = Tokens.Issue(tenantId, app.ClientId, Clock.GetUtcNow(), lifetime);
        context.Response.Headers.CacheControl = "no-store, no-cache";
        await Results.Json(new Dictionary<string, object>
        {
            ["token_type"] = "Bearer",
            ["expires_in"] = (int)lifetime.TotalSeconds,
            ["ext_expires_in"] = (int)lifetime.TotalSeconds,
            ["access_token"] = token,
        }).ExecuteAsync(context).ConfigureAwait(false);
    }

    private IReadOnlyList<X509Certificate2> RegisteredCertificates(EntraApp app)
    {
        // Only the connector's own registration carries certificates here; further apps sign in with secrets.
        if (app.TenantId != Options.TenantId || !string.Equals(app.ClientId, Options.ClientId, StringComparison.OrdinalIgnoreCase)) return [];
        lock (Options.ClientCertificates) return Options.ClientCertificates.ToArray();
    }

    private EntraApp? FindApp(string tenantId, string clientId)
    {
        if (tenantId == Options.TenantId && string.Equals(clientId, Options.ClientId, StringComparison.OrdinalIgnoreCase))
            return new EntraApp(Options.TenantId, Options.ClientId, Options.ClientSecret, Options.SecretExpired);
        lock (Options.AdditionalApps)
            return Options.AdditionalApps.FirstOrDefault(a => a.TenantId == tenantId && string.Equals(a.ClientId, clientId, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>client_id/client_secret from the form, or from HTTP Basic auth (both are accepted by Entra).</summary>
    private static (string ClientId, string Secret) ClientCredentials(HttpContext context, IFormCollection form)
    {
        var clientId = form["client_id"].ToString();
        var secret = form["client_secret"].ToString();
        var authorization = context.Request.Headers.Authorization.ToString();
        if (authorization.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            try
            {
                var pair = Encoding.UTF8.GetString(Convert.FromBase64String(authorization[6..].Trim()));
                var colon = pair.IndexOf(':', StringComparison.Ordinal);
                if (colon > 0)
                {
                    clientId = Uri.UnescapeDataString(pair[..colon]);
                    secret = Uri.UnescapeDataString(pair[(colon + 1)..]);
                }
            }
            catch (FormatException)
            {
                // Malformed basic auth: fall through to the form fields, as if it were absent.
            }
        }
        return (clientId, secret);
    }

    private IResult OpenIdConfiguration(HttpContext context, string tenant)
    {
        var tenantId = ResolveTenant(tenant);
        if (tenantId is null) return Results.Json(new { error = "invalid_tenant", error_description = $"AADSTS90002: Tenant '{tenant}' not found." }, statusCode: 400);
        var authority = $"{context.Request.Scheme}://{context.Request.Host.Value}/{tenantId}";
        return Results.Json(new Dictionary<string, object>
        {
            ["token_endpoint"] = authority + "/oauth2/v2.0/token",
            ["token_endpoint_auth_methods_supported"] = new[] { "client_secret_post", "private_key_jwt", "client_secret_basic" },
            ["jwks_uri"] = authority + "/discovery/v2.0/keys",
            ["response_modes_supported"] = new[] { "query", "fragment", "form_post" },
            ["subject_types_supported"] = new[] { "pairwise" },
            ["id_token_signing_alg_values_supported"] = new[] { "RS256" },
            ["response_types_supported"] = new[] { "code", "id_token", "code id_token", "id_token token" },
            ["scopes_supported"] = new[] { "openid", "profile", "email", "offline_access" },
            ["issuer"] = $"https://login.microsoftonline.com/{tenantId}/v2.0",
            ["request_uri_parameter_supported"] = false,
            ["authorization_endpoint"] = authority + "/oauth2/v2.0/authorize",
            ["device_authorization_endpoint"] = authority + "/oauth2/v2.0/devicecode",
            ["end_session_endpoint"] = authority + "/oauth2/v2.0/logout",
            ["tenant_region_scope"] = "EU",
            ["cloud_instance_name"] = "microsoftonline.com",
        });
    }

    public sealed record EntraSettings(string? ClientSecret, bool? SecretExpired, double? TokenLifetimeMinutes, string[]? CertificateThumbprints = null);

    public sealed record CertificateUpload(string Certificate);
}
