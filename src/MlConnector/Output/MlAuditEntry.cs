using System.Management.Automation;
using MlConnector.Engine.Audit;

namespace MlConnector.Output;

/// <summary>One line of the audit trail, flat for tables and Export-Csv.</summary>
public sealed class MlAuditEntry
{
    public DateTimeOffset Time { get; init; }
    public required string CorrelationId { get; init; }
    public required string Direction { get; init; }
    public string? PairId { get; init; }
    public required string SourceType { get; init; }
    public required string SourceNumber { get; init; }
    public required string TargetType { get; init; }
    public string? TargetKey { get; init; }
    public required string Action { get; init; }
    public string? Reason { get; init; }
    public string? RequestId { get; init; }
    public long? MarketoId { get; init; }

    /// <summary>The names of the fields written, comma separated (one CSV column).</summary>
    public string ChangedFields => string.Join(", ", ChangedFieldList);

    /// <summary>The same names as an array; hidden, so Export-Csv and default views leave it out.</summary>
    [Hidden]
    public IReadOnlyList<string> ChangedFieldList { get; init; } = Array.Empty<string>();

    internal static MlAuditEntry From(AuditRecord record) => new()
    {
        Time = record.Time, CorrelationId = record.CorrelationId, Direction = record.Direction, PairId = record.PairId, SourceType = record.SourceType,
        SourceNumber = record.SourceNumber, TargetType = record.TargetType, TargetKey = record.TargetKey, Action = record.Action,
        Reason = record.Reason, RequestId = record.RequestId, MarketoId = record.MarketoId, ChangedFieldList = record.ChangedFields,
    };
}
