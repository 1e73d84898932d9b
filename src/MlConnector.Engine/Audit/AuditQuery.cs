namespace MlConnector.Engine.Audit;

/// <summary>Filters for reading the audit trail; null means "any".</summary>
public sealed record AuditQuery
{
    public DateTimeOffset? Since { get; init; }
    public DateTimeOffset? Until { get; init; }
    public IReadOnlyCollection<string>? Actions { get; init; }
    public IReadOnlyCollection<string>? SourceNumbers { get; init; }
    public string? CorrelationId { get; init; }

    public bool Matches(AuditRecord record) =>
        (Since is null || record.Time >= Since)
        && (Until is null || record.Time <= Until)
        && (Actions is null || Actions.Count == 0 || Actions.Contains(record.Action, StringComparer.OrdinalIgnoreCase))
        && (SourceNumbers is null || SourceNumbers.Count == 0 || SourceNumbers.Contains(record.SourceNumber, StringComparer.OrdinalIgnoreCase))
        && (CorrelationId is null || string.Equals(CorrelationId, record.CorrelationId, StringComparison.OrdinalIgnoreCase));
}
