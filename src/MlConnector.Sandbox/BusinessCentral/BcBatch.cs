using System.Text;
using System.Text.Json;

namespace MlConnector.Sandbox.BusinessCentral;

/// <summary>
/// JSON $batch: up to <see cref="BusinessCentralOptions.MaxBatchOperations"/> requests relative to the API root.
/// Without Isolation: snapshot each operation stands alone; with it, any failure rolls every change back.
/// </summary>
internal sealed class BcBatch(BcCompanyRouter companies, BusinessCentralOptions options)
{
    public BcResponse Execute(BcRequest request, string isolation)
    {
        if (request.Method != "POST") return BcResponse.Error(BcErrors.MethodNotAllowed(request.Method, "$batch"));
        if (request.BodyIsInvalidJson || request.Body is not { ValueKind: JsonValueKind.Object } body
            || !body.TryGetProperty("requests", out var requests) || requests.ValueKind != JsonValueKind.Array)
            return BcResponse.Error(BcErrors.BadRequest("Invalid Request Body"));
        if (requests.GetArrayLength() > options.MaxBatchOperations)
            return BcResponse.Error(BcErrors.BadRequest($"The batch request contains {requests.GetArrayLength()} operations; the maximum is {options.MaxBatchOperations}."));

        var operations = requests.EnumerateArray().Select(r => (Id: r.TryGetProperty("id", out var id) ? id.ToString() : null, Request: Inner(request, r))).ToArray();
        var snapshot = string.Equals(isolation.Trim(), "snapshot", StringComparison.OrdinalIgnoreCase);
        BcResponse[] Run() => operations.Select(o => o.Request is null ? BcResponse.Error(BcErrors.BadRequest("Invalid Request Body")) : companies.Execute(o.Request)).ToArray();
        // A snapshot batch rolls back in the company of its first operation (the connector's batches stay in one company).
        var store = companies.StoreFor(operations.Select(o => o.Request).FirstOrDefault(r => r is not null) ?? request);
        var results = snapshot ? store.Atomically(Run, rs => rs.Any(r => r.Status >= 400)) : Run();

        try
        {
            return Answer(operations.Select(o => o.Id).ToArray(), results);
        }
        finally
        {
            foreach (var result in results) result.Dispose();
        }
    }

    private static BcResponse Answer(string?[] ids, BcResponse[] results)
        => BcResponse.Json(200, writer =>
        {
            writer.WriteStartObject();
            writer.WriteStartArray("responses");
            for (var i = 0; i < results.Length; i++)
            {
                var result = results[i];
                writer.WriteStartObject();
                if (ids[i] is { } id) writer.WriteString("id", id); else writer.WriteNull("id");
                writer.WriteNumber("status", result.Status);
                writer.WriteStartObject("headers");
                if (result.Body is not null) writer.WriteString("content-type", result.ContentType);
                writer.WriteString("odata-version", "4.0");
                foreach (var (name, value) in result.Headers) writer.WriteString(name.ToLowerInvariant(), value);
                writer.WriteEndObject();
                if (result.Body is not null)
                {
                    writer.WritePropertyName("body");
                    if (result.ContentType.StartsWith("application/json", StringComparison.Ordinal)) writer.WriteRawValue(result.Body.Value.Span, skipInputValidation: true);
                    else writer.WriteStringValue(Encoding.UTF8.GetString(result.Body.Value.Span));
                }
                writer.WriteEndObject();
            }
            writer.WriteEndArray();
            writer.WriteEndObject();
        }, results.Sum(r => r.RecordCount));

    private static BcRequest? Inner(BcRequest outer, JsonElement operation)
    {
        if (!operation.TryGetProperty("method", out var method) || !operation.TryGetProperty("url", out var urlElement)) return null;
        var url = urlElement.GetString() ?? "";
        var marker = url.IndexOf("/api/v2.0/", StringComparison.Ordinal);
        if (marker >= 0) url = url[(marker + "/api/v2.0/".Length)..];
        url = url.TrimStart('/');
        var question = url.IndexOf('?', StringComparison.Ordinal);
        var headers = operation.TryGetProperty("headers", out var h) && h.ValueKind == JsonValueKind.Object
            ? h.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.ToString(), StringComparer.OrdinalIgnoreCase)
            : new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var path = question < 0 ? url : url[..question];
        if (path == "$batch") return null;
        return new BcRequest
        {
            Method = (method.GetString() ?? "GET").ToUpperInvariant(),
            Path = path,
            QueryPairs = BcHttpEndpoint.ParseQuery(question < 0 ? null : url[question..]),
            ApiRoot = outer.ApiRoot,
            IfMatch = headers.GetValueOrDefault("If-Match"),
            Prefer = headers.GetValueOrDefault("Prefer"),
            CompanyHeader = headers.GetValueOrDefault("Company"),
            Body = operation.TryGetProperty("body", out var body) && body.ValueKind != JsonValueKind.Null ? body : null,
        };
    }
}
