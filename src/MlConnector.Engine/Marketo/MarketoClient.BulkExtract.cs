using System.Buffers;
using System.Security.Cryptography;
using System.Text.Json;

namespace MlConnector.Engine.Marketo;

/// <summary>A Bulk Lead Extract job as its status shows it (shared/api/marketo.md §9.1).</summary>
public sealed record MarketoExportJob(string ExportId, string Status, long? NumberOfRecords, long? FileSize, string? FileChecksum, string? ErrorMessage)
{
    public bool Completed => Status == "Completed";

    /// <summary>Completed, Failed, or cancelled (the docs spell it both "Canceled" and "Cancelled").</summary>
    public bool Finished => Status is "Completed" or "Failed" or "Canceled" or "Cancelled";
}

/// <summary>Bulk Lead Extract: create, enqueue, status, file (in Range chunks, checked against its SHA-256), cancel.</summary>
public sealed partial class MarketoClient
{
    /// <summary>The filter Marketo answers with 1035 when the subscription lacks it ("Unsupported filter type").</summary>
    public const string UnsupportedFilterCode = "1035";

    /// <summary>Creates an export of <paramref name="fields"/> for leads whose <paramref name="filterType"/> (createdAt or updatedAt) falls in the range (at most 31 days).</summary>
    public async Task<MarketoExportJob> CreateLeadExportAsync(IReadOnlyList<string> fields, string filterType, DateTimeOffset startAt, DateTimeOffset endAt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(fields);
        if (filterType is not ("createdAt" or "updatedAt")) throw new ArgumentException("Lead exports are filtered by createdAt or updatedAt here.", nameof(filterType));
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteStartArray("fields");
            foreach (var field in fields) writer.WriteStringValue(field);
            writer.WriteEndArray();
            writer.WriteString("format", "CSV");
            writer.WriteStartObject("filter");
            writer.WriteStartObject(filterType);
            // ISO-8601 without milliseconds (bulk-lead-extract.md).
            writer.WriteString("startAt", MarketoDates.Format(startAt));
            writer.WriteString("endAt", MarketoDates.Format(endAt));
            writer.WriteEndObject();
            writer.WriteEndObject();
            writer.WriteEndObject();
        }
        return Job(await SendAsync(MarketoCall.PostJson("bulk/v1/leads/export/create.json", buffer.WrittenSpan.ToArray()), cancellationToken).ConfigureAwait(false));
    }

    public async Task<MarketoExportJob> EnqueueLeadExportAsync(string exportId, CancellationToken cancellationToken)
        => Job(await SendAsync(new MarketoCall(HttpMethod.Post, ExportPath(exportId, "enqueue"), []), cancellationToken).ConfigureAwait(false));

    public async Task<MarketoExportJob> GetLeadExportStatusAsync(string exportId, CancellationToken cancellationToken)
        => Job(await SendAsync(MarketoCall.Get(ExportPath(exportId, "status")), cancellationToken).ConfigureAwait(false));

    public async Task<MarketoExportJob> CancelLeadExportAsync(string exportId, CancellationToken cancellationToken)
        => Job(await SendAsync(new MarketoCall(HttpMethod.Post, ExportPath(exportId, "cancel"), []), cancellationToken).ConfigureAwait(false));

    /// <summary>
    /// Writes a completed job's file to <paramref name="destination"/> in Range requests of <paramref name="chunkBytes"/>
    /// (a failed chunk is retried alone) and checks the whole against the job's fileChecksum: Marketo serves no partial
    /// files, so a mismatch means the transfer went wrong, and nothing of it may be used.
    /// </summary>
    public async Task DownloadLeadExportAsync(MarketoExportJob job, Stream destination, int chunkBytes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(destination);
        if (chunkBytes < 1024) throw new ArgumentOutOfRangeException(nameof(chunkBytes), "Chunks are at least 1 KB.");
        var call = MarketoCall.Get(ExportPath(job.ExportId, "file"));
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        long written = 0;
        if (job.FileSize is not { } size)
        {
            var whole = await _channel.DownloadAsync(call, null, cancellationToken).ConfigureAwait(false);
            hash.AppendData(whole);
            await destination.WriteAsync(whole, cancellationToken).ConfigureAwait(false);
            written = whole.Length;
        }
        else
        {
            while (written < size)
            {
                var to = Math.Min(size, written + chunkBytes) - 1;
                var chunk = await _channel.DownloadAsync(call, (written, to), cancellationToken).ConfigureAwait(false);
                if (chunk.Length == 0 || chunk.Length > to - written + 1) throw ChecksumMismatch(job, $"the range {written}-{to} came back with {chunk.Length} bytes");
                hash.AppendData(chunk);
                await destination.WriteAsync(chunk, cancellationToken).ConfigureAwait(false);
                written += chunk.Length;
            }
        }
        if (job.FileChecksum is { Length: > 0 } expected)
        {
            var actual = "sha256:" + Convert.ToHexString(hash.GetHashAndReset()).ToLowerInvariant();
            if (!string.Equals(actual, expected.Trim(), StringComparison.OrdinalIgnoreCase))
                throw ChecksumMismatch(job, $"its SHA-256 is {actual}, the job says {expected}");
        }
    }

    private static MlConnectorException ChecksumMismatch(MarketoExportJob job, string detail)
        => new("MarketoExportChecksumMismatch", MlErrorCategory.InvalidData,
            $"The file of Marketo export {job.ExportId} did not arrive whole ({detail}); nothing of it was used. Run again: the export is requested anew.");

    private static string ExportPath(string exportId, string action)
        => $"bulk/v1/leads/export/{Uri.EscapeDataString(exportId)}/{action}.json";

    private static MarketoExportJob Job(MarketoEnvelope envelope)
    {
        if (envelope.Result.Count == 0)
            throw new MarketoApiException("", "a bulk export call answered without its job", envelope.RequestId, envelope.HttpStatus, "bulk/v1/leads/export");
        var item = envelope.Result[0];
        return new MarketoExportJob(
            MarketoEnvelope.Text(item, "exportId") ?? "",
            MarketoEnvelope.Text(item, "status") ?? "",
            MarketoEnvelope.Int64(item, "numberOfRecords"),
            MarketoEnvelope.Int64(item, "fileSize"),
            MarketoEnvelope.Text(item, "fileChecksum"),
            MarketoEnvelope.Text(item, "errorMsg"));
    }
}
