using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using MlConnector.Sandbox.Core;

namespace MlConnector.Sandbox.Marketo;

/// <summary>
/// GET/POST /identity/oauth/token (client credentials in the query, or a form body as some clients send).
/// Identity calls are never counted against the limits. Failures are OAuth-style {error, error_description},
/// not the REST envelope: 401 for bad credentials (the only documented status); 400 for a missing or
/// unsupported grant_type (assumption: Spring Security OAuth2 defaults).
/// </summary>
public sealed class IdentityEndpoints(MarketoOptions options, MarketoTokens tokens)
{
    public void Map(IEndpointRouteBuilder endpoints)
    {
        endpoints.MapMethods("/identity/oauth/token", new[] { "GET", "POST" }, TokenAsync);
    }

    private async Task TokenAsync(HttpContext context)
    {
        JournalTags.SetNotCounted(context);
        var request = context.Request;
        var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in request.Query) parameters[key] = value.ToString();
        if (HttpMethods.IsPost(request.Method) && request.HasFormContentType)
            foreach (var (key, value) in await request.ReadFormAsync(context.RequestAborted).ConfigureAwait(false)) parameters[key] = value.ToString();

        var grant = parameters.GetValueOrDefault("grant_type");
        var clientId = parameters.GetValueOrDefault("client_id");
        var secret = parameters.GetValueOrDefault("client_secret");
        if (string.IsNullOrEmpty(grant))
        {
            await ErrorAsync(context, 400, "invalid_request", "Missing grant type").ConfigureAwait(false);
            return;
        }
        if (grant != "client_credentials")
        {
            await ErrorAsync(context, 400, "unsupported_grant_type", "Unsupported grant type: " + grant).ConfigureAwait(false);
            return;
        }
        if (!string.Equals(clientId, options.ClientId, StringComparison.Ordinal))
        {
            await ErrorAsync(context, 401, "invalid_client", "No client with requested id: " + clientId).ConfigureAwait(false);
            return;
        }
        if (!string.Equals(secret, options.ClientSecret, StringComparison.Ordinal))
        {
            await ErrorAsync(context, 401, "unauthorized", "Bad client credentials").ConfigureAwait(false);
            return;
        }

        var (token, expiresIn) = tokens.Issue();
        context.Response.Headers.CacheControl = "no-store";
        await WriteAsync(context, 200, new JsonObject
        {
            ["access_token"] = token,
            ["token_type"] = "bearer",
            ["expires_in"] = expiresIn,
            ["scope"] = options.ApiUser,
        }).ConfigureAwait(false);
    }

    public static Task ErrorAsync(HttpContext context, int status, string error, string description)
    {
        JournalTags.SetErrorCode(context, error);
        return WriteAsync(context, status, new JsonObject { ["error"] = error, ["error_description"] = description });
    }

    private static async Task WriteAsync(HttpContext context, int status, JsonObject body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json;charset=UTF-8";
        await context.Response.WriteAsync(body.ToJsonString(), context.RequestAborted).ConfigureAwait(false);
    }
}
