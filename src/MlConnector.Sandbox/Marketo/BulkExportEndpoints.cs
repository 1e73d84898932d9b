using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace MlConnector.Sandbox.Marketo;

/// <summary>
/// Bulk Lead Extract (bulk-lead-extract.md, bulk-extract.md; swagger createExportLeadsUsingPOST and friends): create,
/// enqueue, status, file (Range → 206; 404 until Completed), cancel, and the list of the last 7 days' jobs.
/// </summary>
public sealed class BulkExportEndpoints(MarketoStore store, MarketoOptions options, BulkExportJobs jobs)
{
    private static readonly string[] FilterTypes = ["createdAt", "updatedAt", "staticListId", "staticListName", "smartListId", "smartListName"];

    public void Map(IEndpointRouteBuilder endpoints, MarketoGate gate)
    {
        endpoints.Map("/bulk/v1/leads/export/create.json", gate.Route(null, Create));
        endpoints.Map("/bulk/v1/leads/export/{exportId}/enqueue.json", gate.Route(null, r => One(jobs.Enqueue(Id(r), r.Now))));
        endpoints.Map("/bulk/v1/leads/export/{exportId}/status.json", gate.Route(r => One(jobs.Status(Id(r), r.Now)), null));
        endpoints.Map("/bulk/v1/leads/export/{exportId}/cancel.json", gate.Route(null, r => One(jobs.Cancel(Id(r), r.Now))));
        endpoints.Map("/bulk/v1/leads/export/{exportId}/file.json", gate.Route(FileAsync, null));
        endpoints.Map("/bulk/v1/leads/export.json", gate.Route(List, null));
    }

    private static string Id(MarketoRequest request) => request.Context.Request.RouteValues["exportId"]?.ToString() ?? "";

    private static Task<JsonObject> One(BulkExportJob job) => Task.FromResult(MarketoEnvelope.Success(new JsonArray(BulkExportJobs.Json(job))));

    private Task<JsonObject> Create(MarketoRequest request)
    {
        var body = request.Body as JsonObject ?? throw MarketoException.Of("1002", "fields");
        var names = (body["fields"] as JsonArray)?.Select(f => f?.GetValue<string>() ?? "").ToArray();
        if (names is not { Length: > 0 }) throw MarketoException.Of("1002", "fields");
        var unknown = names.Where(n => store.LeadSchema.Find(n) is null).ToArray();
        if (unknown.Length > 0) throw new MarketoException("1003", $"Invalid fields [{string.Join(", ", unknown)}]");
        var fields = names.Select(n => store.LeadSchema.Find(n)!).ToArray();

        var format = body["format"]?.GetValue<string>() ?? "CSV";
        var delimiter = BulkFormat.Delimiter(format) ?? throw new MarketoException("1003", $"Invalid format '{format}'");
        var headers = new Dictionary<string, string>(StringComparer.Ordinal);
        if (body["columnHeaderNames"] is JsonObject renames)
            foreach (var (field, header) in renames)
                headers[names.Contains(field, StringComparer.Ordinal) ? field : throw new MarketoException("1003", $"Invalid column header field '{field}'")] = header?.GetValue<string>() ?? field;

        var job = jobs.Create(fields, headers, delimiter, format.ToUpperInvariant(), Filter(body["filter"] as JsonObject), request.Now);
        return One(job);
    }

    /// <summary>Exactly one filter; updatedAt and smart lists need infrastructure a subscription may lack (1035).</summary>
    private Func<LeadRecord, bool> Filter(JsonObject? filter)
    {
        var given = filter?.Select(p => p.Key).ToArray() ?? [];
        if (given.Length != 1 || !FilterTypes.Contains(given[0], StringComparer.Ordinal))
            throw new MarketoException("1003", "Exactly one filter of createdAt, updatedAt, staticListId, staticListName, smartListId or smartListName is required");
        var type = given[0];
        var value = filter![type];
        if (type is "updatedAt" or "smartListId" or "smartListName" && !options.UpdatedAtExportFilter) throw MarketoException.Of("1035");
        switch (type)
        {
            case "createdAt":
            {
                var (start, end) = BulkExportJobs.Range(value, options.ExportDateRangeLimit);
                return l => l.CreatedAt >= start && l.CreatedAt <= end;
            }
            case "updatedAt":
            {
                var (start, end) = BulkExportJobs.Range(value, options.ExportDateRangeLimit);
                return l => l.UpdatedAt >= start && l.UpdatedAt <= end;
            }
            case "staticListId" or "staticListName":
            {
                StaticList? list;
                lock (store.Gate)
                    list = type == "staticListId"
                        ? store.Lists.GetValueOrDefault(value is JsonValue v && v.TryGetValue<long>(out var id) ? id : -1)
                        : store.Lists.Values.FirstOrDefault(l => l.Name == value?.GetValue<string>());
                var members = list?.Members ?? throw MarketoException.Of("1013");
                return l => members.Contains(l.Id);
            }
            default:
                throw new MarketoException("1003", "Smart lists are not simulated by the sandbox");
        }
    }

    private Task<JsonObject> List(MarketoRequest request)
    {
        var statuses = request.ListParam("status");
        var batchSize = request.BatchSize(options.MaxBatchSize);
        var skip = request.Param("nextPageToken") is { } token ? (int)PagingTokens.ReadRecords(token) : 0;
        var all = jobs.List(statuses, request.Now);
        var result = new JsonArray(all.Skip(skip).Take(batchSize).Select(j => (JsonNode)BulkExportJobs.Json(j)).ToArray());
        var body = MarketoEnvelope.Success(result);
        if (skip + batchSize < all.Count) body["nextPageToken"] = PagingTokens.Records(skip + batchSize);
        return Task.FromResult(body);
    }

    /// <summary>The whole file, or the bytes a Range header asks for (206); 404 with a plain-text body until the job has completed.</summary>
    private async Task<JsonObject> FileAsync(MarketoRequest request)
    {
        var response = request.Context.Response;
        var file = jobs.File(Id(request), request.Now);
        if (file is null)
        {
            response.StatusCode = StatusCodes.Status404NotFound;
            response.ContentType = "text/plain;charset=UTF-8";
            await response.WriteAsync("File not found", request.Context.RequestAborted).ConfigureAwait(false);
            return MarketoEnvelope.Written;
        }
        var (from, to) = (0L, file.LongLength - 1);
        var range = request.Context.Request.Headers.Range.ToString();
        if (range.Length > 0)
        {
            if (!TryRange(range, file.LongLength, out from, out to))
            {
                response.StatusCode = StatusCodes.Status416RangeNotSatisfiable;
                response.Headers.ContentRange = $"bytes */{file.LongLength}";
                return MarketoEnvelope.Written;
            }
            response.StatusCode = StatusCodes.Status206PartialContent;
            response.Headers.ContentRange = string.Create(CultureInfo.InvariantCulture, $"bytes {from}-{to}/{file.LongLength}");
        }
        response.ContentType = "text/csv;charset=UTF-8";
        response.ContentLength = to - from + 1;
        await response.Body.WriteAsync(file.AsMemory((int)from, (int)(to - from + 1)), request.Context.RequestAborted).ConfigureAwait(false);
        return MarketoEnvelope.Written;
    }

    /// <summary>bytes=a-b, bytes=a- or bytes=-n (one range).</summary>
    private static bool TryRange(string header, long length, out long from, out long to)
    {
        (from, to) = (0, length - 1);
        if (!header.StartsWith("bytes=", StringComparison.OrdinalIgnoreCase) || header.Contains(',', StringComparison.Ordinal)) return false;
        var parts = header[6..].Split('-');
        if (parts.Length != 2) return false;
        if (parts[0].Length == 0)
        {
            if (!long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var suffix) || suffix == 0) return false;
            from = Math.Max(0, length - suffix);
            return true;
        }
        if (!long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out from) || from >= length) return false;
        if (parts[1].Length > 0 && (!long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out to) || to < from)) return false;
        to = Math.Min(to, length - 1);
        return true;
    }
}
