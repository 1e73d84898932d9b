using System.Text.Json;

namespace MlConnector.Engine.Marketo;

public enum MarketoRecordStatus { Created, Updated, Deleted, Skipped, Added, Removed, Failed, Unknown }

/// <summary>
/// The outcome of one input record of a sync call. <see cref="Seq"/> is the record's index in the caller's
/// whole input (not the 300-record batch). Skipped records carry Marketo's 1xxx <see cref="Reasons"/>.
/// </summary>
public sealed record MarketoRecordResult(int Seq, long? Id, MarketoRecordStatus Status, IReadOnlyList<MarketoReason> Reasons, string? RequestId)
{
    public bool Succeeded => Status is MarketoRecordStatus.Created or MarketoRecordStatus.Updated or MarketoRecordStatus.Deleted or MarketoRecordStatus.Added or MarketoRecordStatus.Removed;

    public bool HasReason(string code) => Reasons.Any(r => r.Code == code);

    internal static MarketoRecordResult From(JsonElement item, int seq, string? requestId) => new(
        seq,
        MarketoEnvelope.Int64(item, "id"),
        ParseStatus(MarketoEnvelope.Text(item, "status")),
        // The spec's Lead model says "reason" (one object); the live API sends "reasons" (an array). Accept both.
        item.TryGetProperty("reasons", out _) ? MarketoEnvelope.Reasons(item, "reasons") : MarketoEnvelope.Reasons(item, "reason"),
        requestId);

    internal static MarketoRecordResult Skipped(int seq, string code, string message, string? requestId)
        => new(seq, null, MarketoRecordStatus.Skipped, new[] { new MarketoReason(code, message) }, requestId);

    private static MarketoRecordStatus ParseStatus(string? status) => status?.ToLowerInvariant() switch
    {
        "created" => MarketoRecordStatus.Created,
        "updated" => MarketoRecordStatus.Updated,
        "deleted" => MarketoRecordStatus.Deleted,
        "skipped" => MarketoRecordStatus.Skipped,
        "added" => MarketoRecordStatus.Added,
        "removed" => MarketoRecordStatus.Removed,
        "failed" => MarketoRecordStatus.Failed,
        _ => MarketoRecordStatus.Unknown,
    };
}
