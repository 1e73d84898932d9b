using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using MlConnector.Sandbox.BusinessCentral.Webhooks;
using MlConnector.Sandbox.Core;
using MlConnector.Sandbox.Entra;

namespace MlConnector.Sandbox.BusinessCentral;

/// <summary>
/// The HTTP face of /v2.0/{tenant}/{environment}/api/v2.0/...: bearer-token check against Entra and the
/// "Microsoft Entra Applications" list, per-user limits, then the resources (or $batch).
/// </summary>
internal sealed class BcHttpEndpoint(BusinessCentralOptions options, SandboxClock clock, EntraSimulator entra, BcRateLimiter limiter, BcCompanyRouter companies, BcBatch batch,
    BcWebhooks webhooks)
{
    private const string ApiMarker = "/api/v2.0/";

    public async Task HandleAsync(HttpContext context, string tenant, string environment, string apiMarker = ApiMarker)
    {
        // BC's own clock, as every origin server states it (RFC 9110 §6.6.1): here the sandbox clock, so a client can judge
        // a subscription's expiry as BC does after a test moved the clock.
        context.Response.Headers.Date = clock.GetUtcNow().ToString("R", CultureInfo.InvariantCulture);
        if (!string.Equals(environment, options.EnvironmentName, StringComparison.OrdinalIgnoreCase))
        {
            await WriteAsync(context, BcResponse.Error(404, "BadRequest_ResourceNotFound", $"Resource not found for the segment '{environment}'.")).ConfigureAwait(false);
            return;
        }
        var (appId, unauthorized) = Authenticate(context, tenant);
        if (unauthorized is not null)
        {
            await WriteAsync(context, unauthorized).ConfigureAwait(false);
            return;
        }

        using var throttle = await limiter.EnterAsync(appId!, context.RequestAborted).ConfigureAwait(false);
        if (throttle.IsRejected)
        {
            var rejected = BcResponse.Error(429, options.TooManyRequestsCode, $"Too many requests reached.  Actual ({throttle.Actual}).  Maximum ({throttle.Maximum}).");
            if (options.RetryAfterOn429) rejected.Headers["Retry-After"] = throttle.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
            await WriteAsync(context, rejected).ConfigureAwait(false);
            return;
        }
        if (options.ProcessingDelay > TimeSpan.Zero) await Task.Delay(options.ProcessingDelay, context.RequestAborted).ConfigureAwait(false);

        var request = await ReadRequestAsync(context, apiMarker).ConfigureAwait(false);
        var response = await webhooks.TryExecuteAsync(request, context.RequestAborted).ConfigureAwait(false)
            ?? (request.Path == "$batch" ? batch.Execute(request, context.Request.Headers["Isolation"].ToString()) : companies.Execute(request));
        await WriteAsync(context, response).ConfigureAwait(false);
    }

    /// <summary>The calling app id, or BC's 401 response.</summary>
    private (string? AppId, BcResponse? Unauthorized) Authenticate(HttpContext context, string tenant)
    {
        var header = context.Request.Headers.Authorization.ToString();
        string? failure = "The server has rejected the client credentials.";
        string? appId = null;
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) && entra.Tokens.Read(header[7..].Trim()) is { } claims)
        {
            var urlTenant = entra.ResolveTenant(tenant);
            var known = options.RegisteredAppIds.Contains(claims.AppId, StringComparer.OrdinalIgnoreCase);
            if (claims.ExpiresAt <= clock.GetUtcNow()) failure = "The credentials provided are incorrect";
            else if (urlTenant == entra.Options.TenantId && claims.TenantId == urlTenant && known && claims.Audience == EntraTokens.BusinessCentralResource && claims.Roles.Count > 0)
            {
                failure = null;
                appId = claims.AppId;
            }
        }
        if (failure is null) return (appId, null);
        var response = BcResponse.Error(401, "Authentication_InvalidCredentials", failure);
        response.Headers["WWW-Authenticate"] = "Bearer";
        return (null, response);
    }

    private static async Task<BcRequest> ReadRequestAsync(HttpContext context, string apiMarker)
    {
        var path = context.Request.Path.Value!;
        var marker = path.IndexOf(apiMarker, StringComparison.Ordinal);
        JsonElement? body = null;
        var invalid = false;
        if (context.Request.Method is "POST" or "PATCH" or "PUT")
        {
            try
            {
                using var doc = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted).ConfigureAwait(false);
                body = doc.RootElement.Clone();
            }
            catch (JsonException)
            {
                invalid = true;
            }
        }
        return new BcRequest
        {
            Method = context.Request.Method.ToUpperInvariant(),
            Path = path[(marker + apiMarker.Length)..],
            QueryPairs = ParseQuery(context.Request.QueryString.Value),
            ApiRoot = $"{context.Request.Scheme}://{context.Request.Host.Value}{path[..(marker + apiMarker.Length)]}",
            IfMatch = context.Request.Headers.IfMatch.Count > 0 ? context.Request.Headers.IfMatch.ToString() : null,
            Prefer = context.Request.Headers["Prefer"].Count > 0 ? context.Request.Headers["Prefer"].ToString() : null,
            CompanyHeader = context.Request.Headers["Company"].Count > 0 ? context.Request.Headers["Company"].ToString() : null,
            Body = body,
            BodyIsInvalidJson = invalid,
        };
    }

    public static List<KeyValuePair<string, string>> ParseQuery(string? query)
    {
        var pairs = new List<KeyValuePair<string, string>>();
        if (string.IsNullOrEmpty(query)) return pairs;
        foreach (var part in query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = part.IndexOf('=', StringComparison.Ordinal);
            var key = Decode(equals < 0 ? part : part[..equals]);
            pairs.Add(new(key, equals < 0 ? "" : Decode(part[(equals + 1)..])));
        }
        return pairs;

        static string Decode(string text) => Uri.UnescapeDataString(text.Replace('+', ' '));
    }

    public static async Task WriteAsync(HttpContext context, BcResponse response)
    {
        using var _ = response;
        if (response.ErrorCode is not null) JournalTags.SetErrorCode(context, response.ErrorCode);
        JournalTags.SetRecordCount(context, response.RecordCount);
        context.Response.StatusCode = response.Status;
        context.Response.Headers["OData-Version"] = "4.0";
        foreach (var (name, value) in response.Headers) context.Response.Headers[name] = value;
        if (response.Body is not { } body) return;
        context.Response.ContentType = response.ContentType;
        await context.Response.Body.WriteAsync(body, context.RequestAborted).ConfigureAwait(false);
    }
}
