using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;

namespace MlConnector.Sandbox.Marketo;

/// <summary>
/// Bulk Lead Import (bulk-lead-import.md, bulk-import.md; swagger importLeadUsingPOST and friends): POST /bulk/v1/leads.json
/// as multipart/form-data with a file part and format (csv|tsv|ssv), lookupField, listId and partitionName as form
/// fields or query parameters; the status, failures and warnings of a batch.
/// </summary>
public sealed class BulkImportEndpoints(MarketoStore store, MarketoOptions options, BulkImportJobs jobs)
{
    public void Map(IEndpointRouteBuilder endpoints, MarketoGate gate)
    {
        endpoints.Map("/bulk/v1/leads.json", gate.MultipartRoute(CreateAsync, options.BulkImportMaxBytes));
        endpoints.Map("/bulk/v1/leads/batch/{batchId}.json", gate.Route(Status, null));
        endpoints.Map("/bulk/v1/leads/batch/{batchId}/failures.json", gate.Route(r => FileAsync(r, failures: true), null));
        endpoints.Map("/bulk/v1/leads/batch/{batchId}/warnings.json", gate.Route(r => FileAsync(r, failures: false), null));
    }

    private async Task<JsonObject> CreateAsync(MarketoRequest request)
    {
        var (fields, file) = await ReadMultipartAsync(request).ConfigureAwait(false);
        string? Param(string name) => fields.GetValueOrDefault(name) ?? request.Param(name);

        var format = Param("format") ?? throw MarketoException.Of("1002", "format");
        var delimiter = BulkFormat.Delimiter(format) ?? throw new MarketoException("1003", $"Invalid format '{format}'");
        var lookupName = Param("lookupField") ?? "email";
        var lookup = store.LeadSchema.Find(lookupName);
        if (lookup is null || !lookup.Searchable) throw new MarketoException("1011", $"Lookup field '{lookupName}' not supported");
        long? listId = null;
        if (Param("listId") is { } listText)
        {
            listId = long.TryParse(listText, NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : throw new MarketoException("1003", $"Invalid listId '{listText}'");
            lock (store.Gate) if (!store.Lists.ContainsKey(id)) throw MarketoException.Of("1013");
        }
        var partitionId = 1;
        if (Param("partitionName") is { } partition)
        {
            var index = options.Partitions.IndexOf(partition);
            partitionId = index >= 0 ? index + 1 : throw MarketoException.Of("1008", partition);
        }

        var rows = BulkFormat.Read(Encoding.UTF8.GetString(file ?? throw MarketoException.Of("1002", "file")), delimiter);
        if (rows.Count == 0) throw new MarketoException("1003", "Empty file");
        var header = rows[0].Select(h => h.Trim()).ToArray();
        rows.RemoveAt(0);
        var unknown = header.FirstOrDefault(h => store.LeadSchema.Find(h) is null);
        var job = unknown is not null
            ? jobs.AddFailed(delimiter, header, lookup, request.Now, $"Import failed: {MarketoErrors.Message("1006", unknown)}")
            : jobs.Add(delimiter, header, rows, lookup, listId, partitionId, request.Now);
        return MarketoEnvelope.Success(new JsonArray(BulkImportJobs.Status(job, counts: false)));
    }

    private Task<JsonObject> Status(MarketoRequest request)
    {
        var job = Job(request);
        return Task.FromResult(MarketoEnvelope.Success(new JsonArray(BulkImportJobs.Status(job))));
    }

    private async Task<JsonObject> FileAsync(MarketoRequest request, bool failures)
    {
        var job = Job(request);
        var response = request.Context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = job.Delimiter == ',' ? "text/csv;charset=UTF-8" : "text/plain;charset=UTF-8";
        await response.WriteAsync(BulkImportJobs.File(job, failures), request.Context.RequestAborted).ConfigureAwait(false);
        return MarketoEnvelope.Written;
    }

    private BulkImportJob Job(MarketoRequest request)
    {
        var text = request.Context.Request.RouteValues["batchId"]?.ToString() ?? "";
        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var id) && jobs.Get(id, request.Now) is { } job
            ? job : throw MarketoException.Of("1013");
    }

    /// <summary>The form fields and the file part; a body that is not valid multipart answers 613.</summary>
    private static async Task<(Dictionary<string, string> Fields, byte[]? File)> ReadMultipartAsync(MarketoRequest request)
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        byte[]? file = null;
        try
        {
            var boundary = HeaderUtilities.RemoveQuotes(MediaTypeHeaderValue.Parse(request.Context.Request.ContentType).Boundary).Value;
            if (string.IsNullOrEmpty(boundary)) throw MarketoException.Of("613");
            var reader = new MultipartReader(boundary, new MemoryStream(request.RawBody!));
            while (await reader.ReadNextSectionAsync(request.Context.RequestAborted).ConfigureAwait(false) is { } section)
            {
                if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition)) throw MarketoException.Of("613");
                var name = HeaderUtilities.RemoveQuotes(disposition.Name).Value ?? "";
                using var buffer = new MemoryStream();
                await section.Body.CopyToAsync(buffer, request.Context.RequestAborted).ConfigureAwait(false);
                if (name == "file") file = buffer.ToArray();
                else fields[name] = Encoding.UTF8.GetString(buffer.ToArray());
            }
        }
        catch (Exception e) when (e is IOException or InvalidDataException or FormatException)
        {
            throw MarketoException.Of("613");
        }
        return (fields, file);
    }
}
