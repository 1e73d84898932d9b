using System.Net;
using System.Text.Json;
using MlConnector.Engine.Diagnostics;
using MlConnector.Engine.Http;

namespace MlConnector.Engine.BusinessCentral;

/// <summary>BC's {"error":{"code","message"}} answer as an engine exception with a stable id and category.</summary>
internal static class BcErrorTranslator
{
    public static BusinessCentralException Translate(BcRequest request, HttpResponseMessage response, string body, int attempts)
    {
        var status = (int)response.StatusCode;
        var (code, text) = Parse(body);
        var what = $"{request.Method} {BcHttp.Describe(request.Uri)}";
        var detail = Redactor.Redact(text ?? GatewayDetail(response, body));
        var label = code is null ? status.ToString(System.Globalization.CultureInfo.InvariantCulture) : $"{status} {code}";

        if (response.StatusCode == HttpStatusCode.Unauthorized)
            return new BusinessCentralAuthenticationException(
                $"Business Central rejected the app's token ({label}): {detail} Check that the app is listed and Enabled on BC's 'Microsoft Entra Applications' page with permission sets, and that API.ReadWrite.All is consented.",
                code, status);
        if (response.StatusCode == HttpStatusCode.Forbidden)
            return new BusinessCentralException("BusinessCentralForbidden", MlErrorCategory.Authentication,
                $"Business Central refused {what} ({label}): {detail} Assign the app's BC user a permission set that covers this data.", status, code);
        if (BcResilience.IsRetryableStatus(response.StatusCode))
        {
            var throttled = BcResilience.IsThrottling(response.StatusCode);
            return new BusinessCentralException(throttled ? "BusinessCentralThrottled" : "BusinessCentralUnavailable", throttled ? MlErrorCategory.Throttled : MlErrorCategory.Connection,
                $"Business Central kept answering {label} to {what}; gave up after {attempts} attempt(s). {detail}", status, code);
        }

        var (id, category) = status switch
        {
            404 => ("BusinessCentralNotFound", MlErrorCategory.NotFound),
            409 or 412 => ("BusinessCentralConflict", MlErrorCategory.InvalidData),
            >= 500 => ("BusinessCentralServerError", MlErrorCategory.Connection),
            _ => ("BusinessCentralRequestRejected", MlErrorCategory.InvalidData),
        };
        return new BusinessCentralException(id, category, $"Business Central answered {label} to {what}: {detail}", status, code);
    }

    /// <summary>The API host does not resolve or refuses connections: the base URI is wrong (or the network path is).</summary>
    public static BusinessCentralException Unreachable(UnreachableReason reason, Exception failure)
    {
        var said = Http.Unreachable.Describe(failure);
        return reason == UnreachableReason.HostNotFound
            ? new BusinessCentralException("BusinessCentralHostNotFound", MlErrorCategory.Connection, Redactor.Redact(
                $"Business Central was not found: the API host name does not resolve ({said}). Check -BaseUri (leave it out for Business Central online, https://api.businesscentral.dynamics.com/)."),
                innerException: failure)
            : new BusinessCentralException("BusinessCentralHostRefused", MlErrorCategory.Connection, Redactor.Redact(
                $"Business Central's API host refused the connection ({said}). Check -BaseUri and that the service is running there."),
                innerException: failure);
    }

    /// <summary>BC's {"error":{"code","message"}}; (null, null) for anything else (a gateway's HTML page, an empty body).</summary>
    private static (string? Code, string? Message) Parse(string body)
    {
        if (body.Length == 0) return (null, null);
        try
        {
            using var doc = JsonDocument.Parse(body);
            if (doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.Object)
                return (error.TryGetProperty("code", out var c) ? c.GetString() : null, error.TryGetProperty("message", out var m) ? m.GetString() : null);
        }
        catch (JsonException)
        {
            // Not JSON: a gateway answered, not BC.
        }
        return (null, null);
    }

    /// <summary>What can be said of an answer without BC's error body; the page itself is markup, not a message.</summary>
    private static string GatewayDetail(HttpResponseMessage response, string body)
    {
        var phrase = string.IsNullOrEmpty(response.ReasonPhrase) ? "" : response.ReasonPhrase + " ";
        var shape = body.Length == 0 ? "an empty body" : $"a {response.Content.Headers.ContentType?.MediaType ?? "non-JSON"} body";
        return $"{phrase}({shape}, not Business Central's error: a gateway in front of it answered).";
    }
}
