using System.Globalization;
using System.Net.Http.Headers;

namespace MlConnector.Engine.Marketo;

/// <summary>Where one Bulk Lead Import stands (bulk-lead-import.md): Queued, Importing, Complete or Failed, and its counts.</summary>
public sealed record MarketoImportStatus(long BatchId, string Status, long LeadsProcessed, long RowsFailed, long RowsWithWarning, string? Message)
{
    public bool Finished => Status is "Complete" or "Failed";
}

public sealed partial class MarketoClient
{
    /// <summary>The time one upload of an import file may take (the default attempt time-out suits 1 MB REST bodies, not 10 MB files).</summary>
    private static readonly TimeSpan ImportUploadTimeout = TimeSpan.FromMinutes(2);

    /// <summary>
    /// Bulk Lead Import: POST /bulk/v1/leads.json as multipart/form-data with the CSV file, format=csv and the lookup field.
    /// Marketo answers with the batch it queued; the import itself runs later (poll <see cref="GetLeadImportStatusAsync"/>).
    /// 1016 (too many imports queued) comes back as a <see cref="MarketoApiException"/> with that code.
    /// </summary>
    public async Task<MarketoImportStatus> ImportLeadsAsync(ReadOnlyMemory<byte> csv, string lookupField, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(lookupField);
        if (csv.Length > MarketoLimits.MaxImportFileBytes)
            throw new ArgumentException($"A bulk import file holds at most {MarketoLimits.MaxImportFileBytes} bytes; this one has {csv.Length}.", nameof(csv));
        HttpContent Body()
        {
            var file = new ReadOnlyMemoryContent(csv);
            file.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
            return new MultipartFormDataContent
            {
                { new StringContent("csv"), "format" },
                { new StringContent(lookupField), "lookupField" },
                { file, "file", "leads.csv" },
            };
        }
        var call = MarketoCall.Post("bulk/v1/leads.json", Body) with { Timeout = ImportUploadTimeout };
        return Status(await SendAsync(call, cancellationToken).ConfigureAwait(false), null);
    }

    /// <summary>GET /bulk/v1/leads/batch/{batchId}.json.</summary>
    public async Task<MarketoImportStatus> GetLeadImportStatusAsync(long batchId, CancellationToken cancellationToken)
        => Status(await SendAsync(MarketoCall.Get($"bulk/v1/leads/batch/{Id(batchId)}.json"), cancellationToken).ConfigureAwait(false), batchId);

    /// <summary>The failures file (the rows that were not imported, with the column "Import Failure Reason"), or the warnings file.</summary>
    public Task<string> GetLeadImportRowsAsync(long batchId, bool failures, CancellationToken cancellationToken)
        => _channel.ReadTextAsync(MarketoCall.Get($"bulk/v1/leads/batch/{Id(batchId)}/{(failures ? "failures" : "warnings")}.json"), cancellationToken);

    private static string Id(long batchId) => batchId.ToString(CultureInfo.InvariantCulture);

    private static MarketoImportStatus Status(MarketoEnvelope envelope, long? batchId)
    {
        if (envelope.Result.Count == 0)
            throw new MarketoApiException("", "Bulk Lead Import answered without a batch", envelope.RequestId, envelope.HttpStatus, "bulk/v1/leads");
        var item = envelope.Result[0];
        return new MarketoImportStatus(
            MarketoEnvelope.Int64(item, "batchId") ?? batchId ?? throw new MarketoApiException("", "Bulk Lead Import answered without a batchId", envelope.RequestId, envelope.HttpStatus, "bulk/v1/leads"),
            MarketoEnvelope.Text(item, "status") ?? "",
            MarketoEnvelope.Int64(item, "numOfLeadsProcessed") ?? 0,
            MarketoEnvelope.Int64(item, "numOfRowsFailed") ?? 0,
            MarketoEnvelope.Int64(item, "numOfRowsWithWarning") ?? 0,
            MarketoEnvelope.Text(item, "message"));
    }
}
