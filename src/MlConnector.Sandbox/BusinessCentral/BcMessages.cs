using System.Buffers;
using System.Text;
using System.Text.Json;
using MlConnector.Sandbox.Core;

namespace MlConnector.Sandbox.BusinessCentral;

/// <summary>One API call, from HTTP or from inside a $batch. <see cref="Path"/> is relative to the API root, without query.</summary>
public sealed class BcRequest
{
    public required string Method { get; init; }
    public required string Path { get; init; }
    public required IReadOnlyList<KeyValuePair<string, string>> QueryPairs { get; init; }
    public required string ApiRoot { get; init; }
    public string? IfMatch { get; init; }
    public string? Prefer { get; init; }
    public string? CompanyHeader { get; init; }
    public JsonElement? Body { get; init; }
    public bool BodyIsInvalidJson { get; init; }

    /// <summary>
    /// Where @odata.context points: the API root without the tenant segment, as BC writes it
    /// (…/v2.0/Production/api/v2.0/$metadata#…, shared/api/business-central.md §2).
    /// </summary>
    public string MetadataRoot
    {
        get
        {
            var version = ApiRoot.IndexOf("/v2.0/", StringComparison.Ordinal);
            var api = ApiRoot.IndexOf("/api/", StringComparison.Ordinal);
            if (version < 0 || api < version) return ApiRoot + "$metadata#";
            var between = ApiRoot[(version + "/v2.0/".Length)..api];
            var slash = between.IndexOf('/', StringComparison.Ordinal);
            var environment = slash < 0 ? between : between[(slash + 1)..];
            return ApiRoot[..(version + "/v2.0/".Length)] + environment + ApiRoot[api..] + "$metadata#";
        }
    }

    public IReadOnlyDictionary<string, string> Query => _query ??= QueryPairs.GroupBy(p => p.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Last().Value, StringComparer.Ordinal);
    private Dictionary<string, string>? _query;
}

/// <summary>
/// What the API answers: status, headers and a JSON (or XML) body. A JSON body lives in a pooled buffer until the
/// answer has been written (<see cref="Dispose"/>).
/// </summary>
public sealed class BcResponse : IDisposable
{
    private PooledBufferWriter? _pooled;

    public int Status { get; init; } = 200;
    public Dictionary<string, string> Headers { get; } = new(StringComparer.OrdinalIgnoreCase);
    public ReadOnlyMemory<byte>? Body { get; private init; }
    public string ContentType { get; init; } = ODataJson;
    public string? ErrorCode { get; init; }
    public int RecordCount { get; init; }

    private static readonly JsonSerializerOptions Relaxed = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public const string ODataJson = "application/json; odata.metadata=minimal";

    public static BcResponse Json(int status, Action<Utf8JsonWriter> write, int records = 0)
    {
        var buffer = new PooledBufferWriter();
        try
        {
            using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
                write(writer);
        }
        catch
        {
            buffer.Dispose();
            throw;
        }
        return new BcResponse { Status = status, _pooled = buffer, Body = buffer.WrittenMemory, RecordCount = records };
    }

    /// <summary>An answer with a body that is not pooled (the $metadata document).</summary>
    public static BcResponse Raw(byte[] body, string contentType) => new() { Body = body, ContentType = contentType };

    public static BcResponse Error(BcException error) => Error(error.Status, error.Code, error.Message);

    public static BcResponse Error(int status, string code, string message)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(new { error = new { code, message = BcErrors.WithCorrelationId(message, Guid.NewGuid()) } }, Relaxed);
        return new BcResponse { Status = status, Body = body, ErrorCode = code, ContentType = "application/json; charset=utf-8" };
    }

    public static BcResponse NoContent() => new() { Status = 204 };

    /// <summary>Gives a pooled body back; the body must not be read afterwards.</summary>
    public void Dispose()
    {
        _pooled?.Dispose();
        _pooled = null;
    }

    public override string ToString() => $"{Status} {(Body is { } body ? Encoding.UTF8.GetString(body.Span) : "")}";
}
