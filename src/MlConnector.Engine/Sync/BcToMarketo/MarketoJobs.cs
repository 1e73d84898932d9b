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
        JsonSerializer.Serialize(new Payload(record.Key, record.ContentHash, record.Fields, record.SourceId)),
        QueuedJobStatus.Pending, 0, null, now, now);

    /// <summary>
    /// The key the job's record is written under (email or externalCompanyId), lower-cased as Marketo matches it; read
    /// without deserialising the whole payload.
    /// </summary>
    public static string KeyOf(QueuedJob job)
    {
        var reader = new Utf8JsonReader(System.Text.Encoding.UTF8.GetBytes(job.Payload));
        while (reader.Read())
        {
            if (reader.TokenType == JsonTokenType.PropertyName && reader.CurrentDepth == 1 && reader.ValueTextEquals("Key"u8) && reader.Read())
                return (reader.GetString() ?? "").Trim().ToLowerInvariant();
            if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray && reader.CurrentDepth > 0) reader.Skip();
        }
        throw new InvalidDataException("A job payload without a key in the work queue: " + job.JobId);
    }

    public static MarketoRecord FromJob(QueuedJob job)
    {
        var payload = JsonSerializer.Deserialize<Payload>(job.Payload) ?? throw new InvalidDataException("An empty job payload in the work queue: " + job.JobId);
        var fields = payload.Fields.ToDictionary(f => f.Key, f => Plain(f.Value), StringComparer.Ordinal);
        return new MarketoRecord(job.TargetType, job.SourceType, job.SourceNumber, payload.Key, fields, payload.Hash) { SourceId = payload.SourceId };
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

    // SourceId is absent from payloads queued before links existed.
    private sealed record Payload(string Key, string Hash, IReadOnlyDictionary<string, object?> Fields, Guid? SourceId = null);
}
