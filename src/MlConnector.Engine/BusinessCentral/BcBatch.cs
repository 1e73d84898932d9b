using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace MlConnector.Engine.BusinessCentral;

/// <summary>One inner request of a $batch: method, entity set in the company, optional key and body (BC field names).</summary>
public sealed record BcBatchOperation(string Method, string EntitySet, Guid? Id = null, IReadOnlyDictionary<string, object?>? Body = null, string? IfMatch = null);

/// <summary>The answer to one inner request: its status, the entity id when BC returned one, and BC's error when it failed.</summary>
public sealed record BcBatchResult(int Index, int Status, Guid? EntityId, string? ErrorCode, string? ErrorMessage)
{
    public bool Succeeded => Status is >= 200 and < 300;
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
            var url = $"companies({companyId:D})/{op.EntitySet}" + (op.Id is { } id ? $"({id:D})" : "");
            var headers = new JsonObject { ["Content-Type"] = "application/json" };
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
                if (r.TryGetProperty("body", out var body) && body.ValueKind == JsonValueKind.Object)
                {
                    if (body.TryGetProperty("error", out var error)) { code = BcJson.Str(error, "code"); message = BcJson.Str(error, "message"); }
                    else if (BcJson.Guid(body, "id") is var id && id != Guid.Empty) entityId = id;
                }
                byIndex[index] = new BcBatchResult(offset + index, status, entityId, code, message);
            }
        }
        for (var i = 0; i < count; i++)
            yield return byIndex[i] ?? new BcBatchResult(offset + i, 0, null, "MissingResponse", "Business Central returned no response for this operation.");
    }
}
