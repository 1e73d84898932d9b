using System.Text.Json;
using MlConnector.Engine.Mapping;
using MlConnector.Engine.State;

namespace MlConnector.Engine.Sync.BcToMarketo;

/// <summary>Turns a record mapped for Marketo into a work-queue job (job id keyed on the BC number) and back.</summary>
internal static class MarketoJobs
{
    public static string JobId(MarketoRecord record) => record.SourceType + ":" + record.SourceNumber;

    public static QueuedJob ToJob(MarketoRecord record, DateTimeOffset now) => new(
        JobId(record), record.TargetType, record.SourceType, record.SourceNumber,
        JsonSerializer.Serialize(new Payload(record.Key, record.ContentHash, record.Fields, record.SourceId, record.Write, record.Reason)),
        QueuedJobStatus.Pending, 0, null, now, now);

    public static MarketoRecord FromJob(QueuedJob job)
    {
        var payload = JsonSerializer.Deserialize<Payload>(job.Payload) ?? throw new InvalidDataException("An empty job payload in the work queue: " + job.JobId);
        var fields = payload.Fields.ToDictionary(f => f.Key, f => Plain(f.Value), StringComparer.Ordinal);
        return new MarketoRecord(job.TargetType, job.SourceType, job.SourceNumber, payload.Key, fields, payload.Hash)
            { SourceId = payload.SourceId, Write = payload.Write, Reason = payload.Reason };
    }

    // Values come back from JSON as JsonElement; give the Marketo client plain values again.
    private static object? Plain(object? value) => value is JsonElement element
        ? element.ValueKind switch
        {
            JsonValueKind.String => element.GetString(),
            JsonValueKind.Number => element.GetDecimal(),
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => null,
        }
        : value;

    // SourceId is absent from payloads queued before links existed; Write and Reason from those queued before privacy actions.
    private sealed record Payload(string Key, string Hash, IReadOnlyDictionary<string, object?> Fields, Guid? SourceId = null,
        MarketoWriteKind Write = MarketoWriteKind.Upsert, string? Reason = null);
}
