using System.Diagnostics.CodeAnalysis;
using System.Management.Automation;
using MlConnector.Engine.Audit;
using MlConnector.Engine.Security;

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

    /// <summary>The record as a row; with <paramref name="escapeFormulas"/> every text that a spreadsheet would run as a formula starts with a quote.</summary>
    internal static MlAuditEntry From(AuditRecord record, bool escapeFormulas = false)
    {
        return new()
        {
            Time = record.Time, CorrelationId = Cell(record.CorrelationId), Direction = Cell(record.Direction), PairId = Cell(record.PairId), SourceType = Cell(record.SourceType),
            SourceNumber = Cell(record.SourceNumber), TargetType = Cell(record.TargetType), TargetKey = Cell(record.TargetKey), Action = Cell(record.Action),
            Reason = Cell(record.Reason), RequestId = Cell(record.RequestId), MarketoId = record.MarketoId,
            ChangedFieldList = escapeFormulas ? record.ChangedFields.Select(f => Cell(f)).ToArray() : record.ChangedFields,
        };

        [return: NotNullIfNotNull(nameof(text))]
        string? Cell(string? text) => escapeFormulas ? SpreadsheetCell.Escape(text) : text;
    }
}
