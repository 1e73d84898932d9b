using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using MlConnector.Sandbox.Core;

namespace MlConnector.Sandbox.Marketo;

/// <summary>One REST call after the gate: merged parameters (query, or the form body of a POST ?_method=GET) and the JSON body.</summary>
public sealed class MarketoRequest(HttpContext context, Dictionary<string, string> parameters, JsonNode? body, DateTimeOffset now)
{
    public HttpContext Context { get; } = context;
    public JsonNode? Body { get; } = body;
    public DateTimeOffset Now { get; } = now;

    /// <summary>When the request reached the gate, before its body was read (clock time and position in the write log's event order).</summary>
    public DateTimeOffset ReceivedAt { get; init; } = now;
    public long ReceivedOrder { get; init; }

    /// <summary>The requestId the answer carries (activities the call makes show it as "request id").</summary>
    public string RequestId { get; init; } = MarketoEnvelope.NewRequestId();

    /// <summary>The raw body of a request the route reads as multipart (bulk import); null otherwise.</summary>
    public byte[]? RawBody { get; init; }

    public string? Param(string name) => parameters.TryGetValue(name, out var v) && v.Length > 0 ? v : null;

    public string[] ListParam(string name)
        => Param(name)?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? Array.Empty<string>();

    /// <summary>batchSize: default and maximum 300; anything else answers 1003.</summary>
    public int BatchSize(int max = 300)
    {
        var text = Param("batchSize");
        if (text is null) return max;
        return int.TryParse(text, out var size) && size >= 1 && size <= max ? size : throw new MarketoException("1003", $"Invalid batchSize '{text}', must be between 1 and {max}");
    }
}

public delegate Task<JsonObject> MarketoHandler(MarketoRequest request);

/// <summary>
/// Everything a REST call passes before its handler, in Marketo's order: URI size (414) and body size (413),
/// answered by the front end as a gateway page (<see cref="GatewayErrors"/>),
/// the _method=GET override, HTTP method (605), access token (601/602), daily quota (607), rate (606),
/// concurrency (615), content type and JSON (612/609). Then the handler; business failures come back
/// as HTTP 200 with success:false.
/// </summary>
public sealed class MarketoGate(MarketoOptions options, SandboxClock clock, MarketoTokens tokens, MarketoLimiter limiter, MarketoWriteLog writes)
{
    public RequestDelegate Route(MarketoHandler? get, MarketoHandler? post) => context => RunAsync(context, get, post, null);

    /// <summary>A POST that takes multipart/form-data (bulk import) with its own body limit; the handler gets the raw body.</summary>
    public RequestDelegate MultipartRoute(MarketoHandler post, int maxBodyBytes) => context => RunAsync(context, null, post, maxBodyBytes);

    private async Task RunAsync(HttpContext context, MarketoHandler? get, MarketoHandler? post, int? multipartLimit)
    {
        var receivedAt = clock.GetUtcNow();
        var receivedOrder = writes.NextOrder();
        var request = context.Request;
        var uri = request.Path.Value + request.QueryString.Value;
        if (Encoding.UTF8.GetByteCount(uri) > options.MaxUriBytes)
        {
            await GatewayFailAsync(context, StatusCodes.Status414UriTooLong).ConfigureAwait(false);
            return;
        }

        var body = await ReadBodyAsync(context, multipartLimit ?? options.MaxBodyBytes).ConfigureAwait(false);
        if (body is null)
        {
            await GatewayFailAsync(context, StatusCodes.Status413PayloadTooLarge).ConfigureAwait(false);
            return;
        }

        var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in request.Query) parameters[key] = value.ToString();
        var method = request.Method.ToUpperInvariant();
        var isForm = request.ContentType?.StartsWith("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase) == true;
        if (method == "POST" && isForm)
        {
            foreach (var (key, value) in QueryHelpers.ParseQuery(Encoding.UTF8.GetString(body))) parameters[key] = value.ToString();
        }
        if (method == "POST" && string.Equals(parameters.GetValueOrDefault("_method"), "GET", StringComparison.OrdinalIgnoreCase)) method = "GET";

        var handler = method switch { "GET" => get, "POST" => post, _ => null };
        if (handler is null)
        {
            await FailAsync(context, "605", MarketoErrors.Message("605"), counted: false).ConfigureAwait(false);
            return;
        }

        var token = AccessToken(request, parameters);
        if (tokens.Check(token) is { } tokenError)
        {
            await FailAsync(context, tokenError, MarketoErrors.Message(tokenError), counted: false).ConfigureAwait(false);
            return;
        }

        if (limiter.TryEnter() is { } limitError)
        {
            var message = limitError == "606"
                ? MarketoErrors.Message("606", options.RateLimit, (int)options.RateWindow.TotalSeconds)
                : MarketoErrors.Message(limitError);
            await FailAsync(context, limitError, message).ConfigureAwait(false);
            return;
        }

        // The slot is given back before the answer leaves: a client that sends its next call as soon as it has
        // read this answer must find the slot free, as it would at Marketo.
        JsonObject response;
        try
        {
            if (options.ProcessingDelay > TimeSpan.Zero) await Task.Delay(options.ProcessingDelay, context.RequestAborted).ConfigureAwait(false);
            JsonNode? json = null;
            if (multipartLimit is not null)
            {
                if (request.ContentType?.StartsWith("multipart/form-data", StringComparison.OrdinalIgnoreCase) != true) throw MarketoException.Of("612");
            }
            else if (method == "POST" && !isForm && body.Length > 0)
            {
                if (request.ContentType?.Contains("json", StringComparison.OrdinalIgnoreCase) != true)
                    throw MarketoException.Of("612");
                try { json = JsonNode.Parse(body); }
                catch (JsonException) { throw MarketoException.Of("609"); }
            }
            var marketoRequest = new MarketoRequest(context, parameters, json, clock.GetUtcNow())
            {
                ReceivedAt = receivedAt, ReceivedOrder = receivedOrder, RawBody = multipartLimit is null ? null : body,
            };
            response = await handler(marketoRequest).ConfigureAwait(false);
            // A handler that streamed its own answer (a bulk file) is done.
            if (ReferenceEquals(response, MarketoEnvelope.Written)) return;
            if (response.ContainsKey("requestId")) response["requestId"] = marketoRequest.RequestId;
        }
        catch (MarketoException error)
        {
            response = Failed(context, error.Code, error.Message, counted: !MarketoErrors.IsNotCounted(error.Code));
        }
        catch (Exception error) when (error is InvalidOperationException or FormatException or JsonException)
        {
            // A body member of the wrong JSON type (e.g. "action": 5).
            response = Failed(context, "1003", MarketoErrors.Message("1003"), counted: true);
        }
        finally
        {
            limiter.Exit();
        }
        if (response["result"] is JsonArray result) JournalTags.SetRecordCount(context, result.Count);
        await MarketoEnvelope.WriteAsync(context, response).ConfigureAwait(false);
    }

    private string? AccessToken(HttpRequest request, Dictionary<string, string> parameters)
    {
        var header = request.Headers.Authorization.ToString();
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) return header["Bearer ".Length..].Trim();
        return options.AcceptAccessTokenQueryParameter ? parameters.GetValueOrDefault("access_token") : null;
    }

    /// <summary>The body, or null when it is larger than the limit (1 MB; 10 MB for bulk import).</summary>
    private static async Task<byte[]?> ReadBodyAsync(HttpContext context, int limit)
    {
        if (context.Request.ContentLength > limit) return null;
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await context.Request.Body.ReadAsync(chunk, context.RequestAborted).ConfigureAwait(false)) > 0)
        {
            buffer.Write(chunk, 0, read);
            if (buffer.Length > limit) return null;
        }
        return buffer.ToArray();
    }

    /// <summary>URI and body limits are enforced by Marketo's front end: a gateway page, no envelope, not counted.</summary>
    private static Task GatewayFailAsync(HttpContext context, int status)
    {
        JournalTags.SetErrorCode(context, status.ToString(System.Globalization.CultureInfo.InvariantCulture));
        JournalTags.SetNotCounted(context);
        return GatewayErrors.WriteAsync(context, status);
    }

    public static Task FailAsync(HttpContext context, string code, string message, int status = StatusCodes.Status200OK, bool counted = true)
        => MarketoEnvelope.WriteAsync(context, Failed(context, code, message, counted), status);

    private static JsonObject Failed(HttpContext context, string code, string message, bool counted)
    {
        JournalTags.SetErrorCode(context, code);
        if (!counted) JournalTags.SetNotCounted(context);
        return MarketoEnvelope.Failure(code, message);
    }
}
