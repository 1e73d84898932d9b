using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace MlConnector.Sandbox.Marketo;

/// <summary>
/// The REST envelope {requestId, success, result, errors, warnings, moreResult, nextPageToken}.
/// Marketo answers business failures with HTTP 200 and success:false (vendor note §3), so every
/// helper here defaults to 200.
/// </summary>
public static class MarketoEnvelope
{
    private static long _sequence = 0x18c0ffee000;
    private static readonly JsonSerializerOptions Compact = new() { WriteIndented = false };

    /// <summary>Request ids look like "e42b#14272d07d78": two hex parts joined by '#'.</summary>
    public static string NewRequestId()
    {
        var next = Interlocked.Increment(ref _sequence);
        return $"{(next * 2654435761L & 0xffff):x4}#{next:x}";
    }

    /// <summary>What a handler returns when it wrote the response itself (a bulk file): the gate writes nothing more.</summary>
    public static readonly JsonObject Written = new();

    public static JsonObject Success(JsonArray? result = null)
    {
        var body = new JsonObject { ["requestId"] = NewRequestId(), ["success"] = true };
        if (result is not null) body["result"] = result;
        return body;
    }

    public static JsonObject Failure(string code, string message) => new()
    {
        ["requestId"] = NewRequestId(),
        ["success"] = false,
        ["errors"] = new JsonArray(new JsonObject { ["code"] = code, ["message"] = message }),
    };

    public static JsonObject Failure(string code) => Failure(code, MarketoErrors.Message(code));

    /// <summary>A record-level reasons array: [{code, message}].</summary>
    public static JsonArray Reasons(string code, string message) => new(new JsonObject { ["code"] = code, ["message"] = message });

    public static async Task WriteAsync(HttpContext context, JsonObject body, int status = StatusCodes.Status200OK)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json;charset=UTF-8";
        await context.Response.WriteAsync(body.ToJsonString(Compact), context.RequestAborted).ConfigureAwait(false);
    }
}
