using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace MlConnector.Engine.BusinessCentral;

/// <summary>
/// One inner request of a $batch: method, entity set in the company, optional key and body (BC field names), and for a
/// GET an optional query (already escaped, without the "?": $filter=...).
/// </summary>
public sealed record BcBatchOperation(string Method, string EntitySet, Guid? Id = null, IReadOnlyDictionary<string, object?>? Body = null, string? IfMatch = null)
{
    public string? Query { get; init; }

    public static BcBatchOperation Get(string entitySet, string? query) => new("GET", entitySet) { Query = string.IsNullOrEmpty(query) ? null : query };
}

/// <summary>
/// The answer to one inner request: its status, the entity id when BC returned one, BC's error when it failed, and the
/// body of a success (an entity, or a page {"value":[...]} for a GET of a collection).
/// </summary>
public sealed record BcBatchResult(int Index, int Status, Guid? EntityId, string? ErrorCode, string? ErrorMessage)
{
    public bool Succeeded => Status is >= 200 and < 300;

    public JsonElement? Body { get; init; }

    /// <summary>The entities of a collection GET (its "value"), or the entity itself.</summary>
    public IEnumerable<JsonElement> Entities()
    {
        if (Body is not { ValueKind: JsonValueKind.Object } body) return [];
        return body.TryGetProperty("value", out var value) && value.ValueKind == JsonValueKind.Array ? value.EnumerateArray() : [body];
    }

    /// <summary>The page's @odata.nextLink, when a batched GET did not get everything in one page.</summary>
    public string? NextLink => Body is { ValueKind: JsonValueKind.Object } body && body.TryGetProperty("@odata.nextLink", out var link) ? link.GetString() : null;
}

/// <summary>JSON $batch bodies (shared/api/business-central.md §6): {"requests":[...]} out, {"responses":[...]} back.</summary>
internal static class BcBatchCodec
{
    public static string Encode(IReadOnlyList<BcBatchOperation> operations, Guid companyId)
    {
        var requests = new JsonArray();
        for (var i = 0; i < operations.Count; i++)
        {
            var op = operations[i];
            var url = $"companies({companyId:D})/{op.EntitySet}" + (op.Id is { } id ? $"({id:D})" : "") + (op.Query is { } query ? "?" + query : "");
            var headers = op.Body is null ? new JsonObject() : new JsonObject { ["Content-Type"] = "application/json" };
            var method = op.Method.ToUpperInvariant();
            if (method is "PATCH" or "DELETE") headers["If-Match"] = op.IfMatch ?? "*";
            var request = new JsonObject { ["method"] = method, ["id"] = i.ToString(CultureInfo.InvariantCulture), ["url"] = url, ["headers"] = headers };
            if (op.Body is not null) request["body"] = JsonSerializer.SerializeToNode(op.Body);
            requests.Add(request);
        }
        return new JsonObject { ["requests"] = requests }.ToJsonString();
    }

    public static IEnumerable<BcBatchResult> Decode(JsonDocument? doc, int count, int offset)
    {
        var byIndex = new BcBatchResult?[count];
        if (doc is not null && doc.RootElement.TryGetProperty("responses", out var responses) && responses.ValueKind == JsonValueKind.Array)
        {
            foreach (var r in responses.EnumerateArray())
            {
                if (!int.TryParse(BcJson.Str(r, "id"), NumberStyles.None, CultureInfo.InvariantCulture, out var index) || index < 0 || index >= count) continue;
                var status = r.TryGetProperty("status", out var s) && s.TryGetInt32(out var st) ? st : 0;
                Guid? entityId = null;
                string? code = null, message = null;
                JsonElement? kept = null;
                if (r.TryGetProperty("body", out var body) && body.ValueKind == JsonValueKind.Object)
                {
                    if (body.TryGetProperty("error", out var error)) { code = BcJson.Str(error, "code"); message = BcJson.Str(error, "message"); }
                    else
                    {
                        kept = body.Clone();
                        if (BcJson.Guid(body, "id") is var id && id != Guid.Empty) entityId = id;
                    }
                }
                byIndex[index] = new BcBatchResult(offset + index, status, entityId, code, message) { Body = kept };
            }
        }
        for (var i = 0; i < count; i++)
            yield return byIndex[i] ?? new BcBatchResult(offset + i, 0, null, "MissingResponse", "Business Central returned no response for this operation.");
    }
}
