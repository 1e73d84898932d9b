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

    /// <summary>
    /// The key the job's record is written under (email or externalCompanyId), lower-cased as Marketo matches it. Only the
    /// key is read: jobs wait to be sent in their hundreds, and their records are read in full when their batch is sent.
    /// </summary>
    public static string KeyOf(QueuedJob job)
    {
        using var document = JsonDocument.Parse(job.Payload);
        return Key(document.RootElement, job).Trim().ToLowerInvariant();
    }

    /// <summary>
    /// The payload read in one pass with plain values (string, decimal, bool, null): deserialising into object would
    /// give each value a JsonElement with a document of its own, several per field of every record sent.
    /// </summary>
    public static MarketoRecord FromJob(QueuedJob job)
    {
        using var document = JsonDocument.Parse(job.Payload);
        var root = document.RootElement;
        var key = Key(root, job);
        var hasFields = root.TryGetProperty(nameof(Payload.Fields), out var values) && values.ValueKind == JsonValueKind.Object;
        var fields = new Dictionary<string, object?>(hasFields ? values.EnumerateObject().Count() : 0, StringComparer.Ordinal);
        if (hasFields)
            foreach (var field in values.EnumerateObject()) fields[field.Name] = Plain(field.Value);
        var hash = root.TryGetProperty(nameof(Payload.Hash), out var h) && h.ValueKind == JsonValueKind.String ? h.GetString()! : "";
        // SourceId is absent from payloads queued before links existed.
        Guid? sourceId = root.TryGetProperty(nameof(Payload.SourceId), out var id) && id.ValueKind == JsonValueKind.String ? id.GetGuid() : null;
        // Write and Reason are absent from payloads queued before privacy actions.
        var write = root.TryGetProperty(nameof(Payload.Write), out var w) && w.ValueKind == JsonValueKind.Number ? (MarketoWriteKind)w.GetInt32() : MarketoWriteKind.Upsert;
        var reason = root.TryGetProperty(nameof(Payload.Reason), out var r) && r.ValueKind == JsonValueKind.String ? r.GetString() : null;
        return new MarketoRecord(job.TargetType, job.SourceType, job.SourceNumber, key, fields, hash) { SourceId = sourceId, Write = write, Reason = reason };
    }

    private static string Key(JsonElement root, QueuedJob job)
        => root.ValueKind == JsonValueKind.Object && root.TryGetProperty(nameof(Payload.Key), out var key) && key.ValueKind == JsonValueKind.String
            ? key.GetString()!
            : throw new InvalidDataException("A job payload without a key in the work queue: " + job.JobId);

    private static object? Plain(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.String => element.GetString(),
        JsonValueKind.Number => element.GetDecimal(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => null,
    };

    // SourceId is absent from payloads queued before links existed; Write and Reason from those queued before privacy actions.
    private sealed record Payload(string Key, string Hash, IReadOnlyDictionary<string, object?> Fields, Guid? SourceId = null,
        MarketoWriteKind Write = MarketoWriteKind.Upsert, string? Reason = null);
}
