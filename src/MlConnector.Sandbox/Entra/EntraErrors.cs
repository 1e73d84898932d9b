using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using MlConnector.Sandbox.Core;

namespace MlConnector.Sandbox.Entra;

/// <summary>Entra's OAuth error body: error, error_description "AADSTSnnn: ...", error_codes, timestamp, trace_id, correlation_id.</summary>
internal static class EntraErrors
{
    private static readonly JsonSerializerOptions Relaxed = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static readonly EntraError InvalidSecret = new(401, "invalid_client", 7000215,
        "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '{0}'.");
    public static readonly EntraError ExpiredSecret = new(401, "invalid_client", 7000222,
        "The provided client secret keys for app '{0}' are expired. Visit the Azure portal to create new keys for your app or consider using certificate credentials for added security.");
    public static readonly EntraError MissingCredential = new(401, "invalid_client", 7000218,
        "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.");
    public static readonly EntraError MissingAssertionType = new(400, "invalid_request", 900144,
        "The request body must contain the following parameter: 'client_assertion_type'.");
    public static readonly EntraError InvalidAssertion = new(401, "invalid_client", 50027,
        "Invalid JWT token. {2}");
    public static readonly EntraError AssertionSubjectMismatch = new(401, "invalid_client", 50048,
        "Subject mismatches Issuer claim in the client assertion. Contact the tenant admin.");
    public static readonly EntraError AssertionWrongApp = new(401, "invalid_client", 700021,
        "Client assertion application identifier doesn't match 'client_id' parameter. Review the documentation at https://learn.microsoft.com/entra/identity-platform/certificate-credentials.");
    public static readonly EntraError AssertionWrongAudience = new(401, "invalid_client", 700023,
        "Client assertion audience claim does not match Realm issuer. Review the documentation at https://learn.microsoft.com/entra/identity-platform/certificate-credentials.");
    public static readonly EntraError AssertionOutsideTimeRange = new(401, "invalid_client", 700024,
        "Client assertion is not within its valid time range. Ensure that the client assertion is within the time range specified by its nbf and exp claims.");
    public static readonly EntraError CertificateNotRegistered = new(401, "invalid_client", 700027,
        "The certificate with identifier used to sign the client assertion is not registered on application. [Reason - The key was not found., Thumbprint of key used by client: '{2}', Please visit the Azure Portal, Graph Explorer or directly use MS Graph to see configured keys for app Id '{0}'.]");
    public static readonly EntraError CertificateExpired = new(401, "invalid_client", 700027,
        "Client assertion contains an invalid signature. [Reason - The key used is expired., Thumbprint of key used by client: '{2}', Please visit the Azure Portal, Graph Explorer or directly use MS Graph to see configured keys for app Id '{0}'.]");
    public static readonly EntraError AssertionSignatureInvalid = new(401, "invalid_client", 700027,
        "Client assertion failed signature validation. [Reason - Key was found, but use of the key to verify the signature failed., Thumbprint of key used by client: '{2}', Please visit the Azure Portal, Graph Explorer or directly use MS Graph to see configured keys for app Id '{0}'.]");
    public static readonly EntraError UnknownApp = new(400, "unauthorized_client", 700016,
        "Application with identifier '{0}' was not found in the directory '{1}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.");
    public static readonly EntraError UnknownTenant = new(400, "invalid_request", 90002,
        "Tenant '{1}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.");
    public static readonly EntraError InvalidTenantFormat = new(400, "invalid_request", 900023,
        "Specified tenant identifier '{1}' is neither a valid DNS name, nor a valid external domain.");
    public static readonly EntraError InvalidScope = new(400, "invalid_scope", 1002012,
        "The provided value for scope {2} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).");
    public static readonly EntraError UnknownResource = new(400, "invalid_resource", 500011,
        "The resource principal named {2} was not found in the tenant named {1}. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant.");
    public static readonly EntraError MissingGrantType = new(400, "invalid_request", 900144,
        "The request body must contain the following parameter: 'grant_type'.");
    public static readonly EntraError UnsupportedGrantType = new(400, "unsupported_grant_type", 70003,
        "The app requested an unsupported grant type '{2}'.");
    public static readonly EntraError MissingClientId = new(400, "invalid_request", 900144,
        "The request body must contain the following parameter: 'client_id'.");

    public static Task WriteAsync(HttpContext context, SandboxClock clock, EntraError error, string clientId = "", string tenant = "", string detail = "")
        => WriteAsync(context, clock, error.Status, error.Error, error.Code, string.Format(CultureInfo.InvariantCulture, error.Description, clientId, tenant, detail), null);

    public static async Task WriteAsync(HttpContext context, SandboxClock clock, int status, string error, int code, string description, int? retryAfterSeconds)
    {
        var now = clock.GetUtcNow();
        var traceId = Guid.NewGuid().ToString();
        var correlationId = Guid.NewGuid().ToString();
        var timestamp = now.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + "Z";
        JournalTags.SetErrorCode(context, "AADSTS" + code.ToString(CultureInfo.InvariantCulture));
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json; charset=utf-8";
        context.Response.Headers.CacheControl = "no-store, no-cache";
        if (retryAfterSeconds is int seconds) context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        var body = new Dictionary<string, object>
        {
            ["error"] = error,
            ["error_description"] = $"AADSTS{code}: {description}\r\nTrace ID: {traceId}\r\nCorrelation ID: {correlationId}\r\nTimestamp: {now.UtcDateTime:yyyy-MM-dd HH:mm:ss.fff}Z",
            ["error_codes"] = new[] { code },
            ["timestamp"] = timestamp,
            ["trace_id"] = traceId,
            ["correlation_id"] = correlationId,
            ["error_uri"] = $"https://login.microsoftonline.com/error?code={code}",
        };
        await context.Response.WriteAsync(JsonSerializer.Serialize(body, Relaxed)).ConfigureAwait(false);
    }
}

internal sealed record EntraError(int Status, string Error, int Code, string Description);
