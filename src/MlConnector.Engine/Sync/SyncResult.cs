namespace MlConnector.Engine.Sync;

/// <summary>One row per record a sync touched: flat, so it exports to CSV as it is.</summary>
public sealed class SyncResult
{
    public required string SourceType { get; init; }
    public required string SourceNumber { get; init; }
    public required string TargetType { get; init; }
    public string? TargetKey { get; init; }
    public required SyncAction Action { get; init; }
    public string? Reason { get; init; }
    public long? MarketoId { get; init; }
    public string? RequestId { get; init; }
    public required string CorrelationId { get; init; }

    /// <summary>Names of the fields written (for the audit trail; values never travel there).</summary>
    internal IReadOnlyList<string> ChangedFields { get; set; } = Array.Empty<string>();
}
