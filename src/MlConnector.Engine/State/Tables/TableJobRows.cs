using System.Globalization;
using Azure.Data.Tables;

namespace MlConnector.Engine.State.Tables;

/// <summary>
/// A queued job as a row, within Table Storage's limits (64 KiB per string column, 1 MiB per row): the payload is split
/// over Payload, Payload1, ... columns (<see cref="TableText"/>); one larger than a row can hold is refused with
/// <see cref="TooLargeId"/> naming the job, rather than cut. A held answer goes over Answer, Answer1, ... the same way.
/// </summary>
internal static class TableJobRows
{
    public const string TooLargeId = "StateStoreEntityTooLarge";
    public const int MaxPayloadChars = TableText.PartChars * 15;

    public static TableEntity Entity(string partition, string rowKey, QueuedJob job, long sequence, string? answer = null)
    {
        var entity = new TableEntity(partition, rowKey)
        {
            ["JobId"] = job.JobId,
            ["TargetType"] = job.TargetType,
            ["SourceType"] = job.SourceType,
            ["SourceNumber"] = job.SourceNumber,
            ["Status"] = job.Status.ToString(),
            ["Attempts"] = job.Attempts,
            ["EnqueuedAt"] = StateTime.Format(job.EnqueuedAt),
            ["UpdatedAt"] = StateTime.Format(job.UpdatedAt),
            ["Sequence"] = sequence,
        };
        if (job.LastError is { } error) entity["LastError"] = error.Length <= TableText.PartChars ? error : error[..(TableText.PartChars - 1)] + "…";
        WritePayload(entity, job.JobId, job.Payload);
        if (answer is not null) TableText.Write(entity, "Answer", answer);
        return entity;
    }

    /// <summary>The target's answer held with the job (status Answered), or null.</summary>
    public static string? Answer(TableEntity row) => row.ContainsKey("Answer") ? TableText.Read(row, "Answer") : null;

    public static QueuedJob Job(TableEntity row) => new(
        row.GetString("JobId"), row.GetString("TargetType"), row.GetString("SourceType"), row.GetString("SourceNumber"), ReadPayload(row),
        Enum.Parse<QueuedJobStatus>(row.GetString("Status")), row.GetInt32("Attempts") ?? 0, row.GetString("LastError"),
        StateTime.Parse(row.GetString("EnqueuedAt")), StateTime.Parse(row.GetString("UpdatedAt")));

    public static long Sequence(TableEntity row) => row.GetInt64("Sequence") ?? 0;

    private static void WritePayload(TableEntity entity, string jobId, string payload)
    {
        if (payload.Length > MaxPayloadChars)
        {
            throw new MlConnectorException(TooLargeId, MlErrorCategory.InvalidData,
                $"The job {jobId} carries {Kilobytes(payload.Length)} KB of mapped values, more than the {Kilobytes(MaxPayloadChars)} KB a table state store " +
                "keeps per job (Table Storage holds at most 1 MB per row). Map fewer or shorter fields for this record, or use the SQLite state store.");
        }
        TableText.Write(entity, "Payload", payload);
    }

    private static string ReadPayload(TableEntity row) => TableText.Read(row, "Payload");

    private static string Kilobytes(int chars) => (chars * 2 / 1024).ToString("N0", CultureInfo.InvariantCulture);
}
