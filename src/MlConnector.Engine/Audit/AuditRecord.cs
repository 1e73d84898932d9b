namespace MlConnector.Engine.Audit;

/// <summary>
/// One line of the audit trail: one record touched by one run. Never carries secrets, tokens or
/// field values — only the names of the fields that changed.
/// </summary>
public sealed record AuditRecord
{
    public required DateTimeOffset Time { get; init; }
    public required string CorrelationId { get; init; }
    public required string Direction { get; init; }

    /// <summary>The sync pair the run worked for (absent on lines written before sync pairs).</summary>
    public string? PairId { get; init; }
    public required string SourceType { get; init; }
    public required string SourceNumber { get; init; }
    public required string TargetType { get; init; }
    public string? TargetKey { get; init; }
    public required string Action { get; init; }
    public string? Reason { get; init; }
    public string? RequestId { get; init; }
    public long? MarketoId { get; init; }
    public IReadOnlyList<string> ChangedFields { get; init; } = Array.Empty<string>();
}
