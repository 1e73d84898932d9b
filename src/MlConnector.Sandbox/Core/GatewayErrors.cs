using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;

namespace MlConnector.Sandbox.Core;

/// <summary>
/// Errors as the front end of a vendor (nginx, Azure Front Door) sends them, not as the vendor's API does: no JSON
/// envelope. 413, 414, 502 and 504 carry an nginx-style HTML page (text/html); 503 carries an empty body, as a load
/// balancer without a healthy backend answers, with Retry-After when one is given. Both vendors' clients must
/// classify these by status alone. Entra's token endpoint keeps its own OAuth error body for every status.
/// </summary>
public static class GatewayErrors
{
    /// <summary>The status a gateway answers for this injected fault, or null when the vendor itself answers (an error code is set, or Entra).</summary>
    public static int? Answers(SandboxService service, FaultRule rule)
        => service != SandboxService.Entra && rule.ErrorCode is null && rule.HttpStatus is int status && IsGatewayStatus(status) ? status : null;

    public static bool IsGatewayStatus(int status) => status is 413 or 414 or 502 or 503 or 504;

    public static async Task WriteAsync(HttpContext context, int status, int? retryAfterSeconds = null)
    {
        context.Response.StatusCode = status;
        if (retryAfterSeconds is { } seconds) context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        if (status == StatusCodes.Status503ServiceUnavailable)
        {
            context.Response.ContentLength = 0;
            return;
        }
        var title = status.ToString(CultureInfo.InvariantCulture) + " " + Phrase(status);
        context.Response.ContentType = "text/html";
        await context.Response.WriteAsync(
            $"<html>\r\n<head><title>{title}</title></head>\r\n<body>\r\n<center><h1>{title}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n",
            context.RequestAborted).ConfigureAwait(false);
    }

    private static string Phrase(int status) => status switch
    {
        414 => "Request-URI Too Large",
        504 => "Gateway Time-out",
        _ => ReasonPhrases.GetReasonPhrase(status),
    };
}
