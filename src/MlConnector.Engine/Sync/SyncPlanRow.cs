namespace MlConnector.Engine.Sync;

/// <summary>One field that a sync would change: Marketo's current value and the planned one.</summary>
public sealed record FieldChange(string Field, string? Current, string? Planned);

/// <summary>What -WhatIf reports per record: the planned action and a field-level diff against Marketo.</summary>
public sealed class SyncPlanRow
{
    public required string SourceType { get; init; }
    public required string SourceNumber { get; init; }
    public required string TargetType { get; init; }
    public string? TargetKey { get; init; }
    public required PlannedAction Action { get; init; }
    public string? Reason { get; init; }
    public long? MarketoId { get; init; }
    public IReadOnlyList<FieldChange> Changes { get; init; } = Array.Empty<FieldChange>();

    /// <summary>The diff as one line ("field: current -> planned; ..."), for CSV and tables.</summary>
    public string ChangeSummary => string.Join("; ", Changes.Select(c => $"{c.Field}: {c.Current ?? "(empty)"} -> {c.Planned ?? "(empty)"}"));
}
