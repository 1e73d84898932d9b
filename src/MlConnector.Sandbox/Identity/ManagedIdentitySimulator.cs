using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Primitives;
using MlConnector.Sandbox.Core;
using MlConnector.Sandbox.Entra;

namespace MlConnector.Sandbox.Identity;

/// <summary>
/// The managed-identity endpoint Azure Automation gives a job (IDENTITY_ENDPOINT, checked with the
/// IDENTITY_HEADER value in X-IDENTITY-HEADER): GET with resource in the query or POST with resource as
/// form data, api-version 2019-08-01 (or none, as Automation's own samples send), client_id, principal_id
/// / object_id or mi_res_id for a user-assigned identity. Answers {access_token, expires_on (epoch seconds,
/// as a string), resource, token_type, client_id}; errors are {"Message": ...} with 400, the shape
/// Automation documents for a missing identity. Tokens are Entra v1 app tokens for the requested resource,
/// signed with the sandbox tenant's key.
/// </summary>
public sealed class ManagedIdentitySimulator : IServiceSimulator
{
    public const string TokenPath = "/msi/token";
    private const string FirstApiVersion = "2019-08-01";
    private static readonly string[] IdentitySelectors = ["client_id", "principal_id", "object_id", "mi_res_id"];

    private readonly EntraSimulator _entra;

    public ManagedIdentitySimulator(ManagedIdentityOptions options, SandboxClock clock, EntraSimulator entra)
    {
        Options = options;
        Clock = clock;
        _entra = entra;
    }

    public ManagedIdentityOptions Options { get; }
    public SandboxClock Clock { get; }

    public void MapEndpoints(IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet(TokenPath, (HttpContext context) => TokenAsync(context, context.Request.Query));
        endpoints.MapPost(TokenPath, async (HttpContext context) =>
        {
            if (!context.Request.HasFormContentType)
            {
                await ErrorAsync(context, 400, "Content-Type must be application/x-www-form-urlencoded.").ConfigureAwait(false);
                return;
            }
            var form = await context.Request.ReadFormAsync(context.RequestAborted).ConfigureAwait(false);
            await TokenAsync(context, new MergedParameters(form, context.Request.Query)).ConfigureAwait(false);
        });
    }

    public void MapAdminEndpoints(IEndpointRouteBuilder admin)
    {
        admin.MapGet("/identity", () => Results.Ok(Settings()));
        admin.MapPost("/identity/settings", (IdentitySettings body) =>
        {
            if (body.SystemAssigned is bool enabled) Options.SystemAssigned = enabled;
            if (body.TokenLifetimeMinutes is double minutes && minutes > 0) Options.TokenLifetime = TimeSpan.FromMinutes(minutes);
            if (body.IdentityHeader is { Length: > 0 } header) Options.IdentityHeader = header;
            return Results.Ok(Settings());
        });
        admin.MapPost("/identity/user-assigned", (AutomationIdentity identity) =>
        {
            lock (Options.UserAssigned) Options.UserAssigned.Add(identity);
            return Results.Ok(identity);
        });
    }

    public Task WriteFaultAsync(HttpContext context, FaultRule rule)
        => ErrorAsync(context, rule.HttpStatus ?? 500, rule.ErrorCode ?? "The request was rejected by the sandbox fault injector.");

    private async Task TokenAsync(HttpContext context, IQueryCollection parameters)
    {
        var request = context.Request;
        if (!string.Equals(request.Headers["X-IDENTITY-HEADER"].ToString(), Options.IdentityHeader, StringComparison.Ordinal))
        {
            await ErrorAsync(context, Options.IdentityHeaderRejectionStatus, "The X-IDENTITY-HEADER header is missing or does not carry the IDENTITY_HEADER value.").ConfigureAwait(false);
            return;
        }
        if (Options.RequireMetadataHeader && !string.Equals(request.Headers["Metadata"].ToString(), "true", StringComparison.OrdinalIgnoreCase))
        {
            await ErrorAsync(context, 400, "Required metadata header not specified.").ConfigureAwait(false);
            return;
        }
        var apiVersion = parameters["api-version"].ToString();
        if (apiVersion.Length > 0 && (!DateOnly.TryParseExact(apiVersion, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)
                                      || date < DateOnly.ParseExact(FirstApiVersion, "yyyy-MM-dd", CultureInfo.InvariantCulture)))
        {
            await ErrorAsync(context, 400, $"api-version '{apiVersion}' is not supported: use {FirstApiVersion} or later.").ConfigureAwait(false);
            return;
        }
        var resource = parameters["resource"].ToString().Trim();
        if (resource.Length == 0 || !(Uri.TryCreate(resource, UriKind.Absolute, out _) || Guid.TryParse(resource, out _)))
        {
            await ErrorAsync(context, 400, "A resource (an absolute URI or an application id) is required.").ConfigureAwait(false);
            return;
        }
        var selectors = IdentitySelectors.Where(name => parameters[name].ToString().Length > 0).ToArray();
        if (selectors.Length > 1)
        {
            await ErrorAsync(context, 400, $"Only one of client_id, principal_id, object_id and mi_res_id may be given, not {string.Join(" and ", selectors)}.").ConfigureAwait(false);
            return;
        }

        var identity = selectors.Length == 0 ? SystemIdentity() : FindUserAssigned(selectors[0], parameters[selectors[0]].ToString());
        if (identity is null)
        {
            await ErrorAsync(context, 400, $"No managed identity was found for Automation account {Options.AutomationAccount}").ConfigureAwait(false);
            return;
        }

        var now = Clock.GetUtcNow();
        var expiresOn = now + Options.TokenLifetime;
        var token = IssueToken(identity, resource, now, expiresOn);
        context.Response.Headers.CacheControl = "no-store, no-cache";
        await Results.Json(new Dictionary<string, string>
        {
            ["access_token"] = token,
            ["expires_on"] = expiresOn.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture),
            ["resource"] = resource,
            ["token_type"] = "Bearer",
            ["client_id"] = identity.ClientId,
        }).ExecuteAsync(context).ConfigureAwait(false);
    }

    /// <summary>An Entra v1 app-only token as a managed identity gets it: aud is the resource, oid/sub the identity's principal.</summary>
    private string IssueToken(AutomationIdentity identity, string resource, DateTimeOffset now, DateTimeOffset expiresOn)
    {
        var claims = EntraTokens.AppClaims(_entra.Options.TenantId, identity.ClientId, identity.PrincipalId, resource.TrimEnd('/'), now, expiresOn);
        claims["appidacr"] = "2";
        claims["xms_mirid"] = identity.ResourceId;
        return _entra.Tokens.Sign(claims);
    }

    private AutomationIdentity? SystemIdentity()
        => Options.SystemAssigned ? new AutomationIdentity(Options.SystemClientId, Options.SystemPrincipalId, Options.AccountResourceId) : null;

    private AutomationIdentity? FindUserAssigned(string selector, string value)
    {
        lock (Options.UserAssigned)
        {
            return Options.UserAssigned.FirstOrDefault(identity => selector switch
            {
                "client_id" => string.Equals(identity.ClientId, value, StringComparison.OrdinalIgnoreCase),
                "mi_res_id" => string.Equals(identity.ResourceId, value, StringComparison.OrdinalIgnoreCase),
                _ => string.Equals(identity.PrincipalId, value, StringComparison.OrdinalIgnoreCase),
            });
        }
    }

    private static async Task ErrorAsync(HttpContext context, int status, string message)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json; charset=utf-8";
        await context.Response.WriteAsync(JsonSerializer.Serialize(new { Message = message })).ConfigureAwait(false);
    }

    private IdentitySettings Settings() => new(Options.SystemAssigned, Options.TokenLifetime.TotalMinutes, Options.IdentityHeader);

    public sealed record IdentitySettings(bool? SystemAssigned, double? TokenLifetimeMinutes, string? IdentityHeader);

    /// <summary>POST parameters: the form first, then the query string (api-version usually rides in the query).</summary>
    private sealed class MergedParameters(IFormCollection form, IQueryCollection query) : IQueryCollection
    {
        public StringValues this[string key] => form.TryGetValue(key, out var value) && value.Count > 0 ? value : query[key];
        public int Count => Keys.Count;
        public ICollection<string> Keys => form.Keys.Union(query.Keys, StringComparer.OrdinalIgnoreCase).ToArray();
        public bool ContainsKey(string key) => form.ContainsKey(key) || query.ContainsKey(key);
        public bool TryGetValue(string key, out StringValues value)
        {
            value = this[key];
            return ContainsKey(key);
        }
        public IEnumerator<KeyValuePair<string, StringValues>> GetEnumerator() => Keys.Select(k => new KeyValuePair<string, StringValues>(k, this[k])).GetEnumerator();
        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
