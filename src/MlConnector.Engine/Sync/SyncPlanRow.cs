namespace MlConnector.Engine.Sync;

/// <summary>One field that a sync would change: Marketo's current value and the planned one.</summary>
public sealed record FieldChange(string Field, string? Current, string? Planned);

/// <summary>
/// What -WhatIf reports per record: the planned action and a field-level diff against Marketo's current values.
/// Flat for Export-Csv: <see cref="Changes"/> is the diff as text; <see cref="GetFieldChanges"/> gives it field by field.
/// </summary>
public sealed class SyncPlanRow
{
    public required string SourceType { get; init; }
    public required string SourceNumber { get; init; }
    public required string TargetType { get; init; }
    public string? TargetKey { get; init; }
    public required PlannedAction Action { get; init; }
    public string? Reason { get; init; }
    public long? MarketoId { get; init; }

    /// <summary>The diff as one line, "field: current -> planned; ..." ((empty) for no value).</summary>
    public string Changes => string.Join("; ", FieldChanges.Select(c => $"{c.Field}: {c.Current ?? "(empty)"} -> {c.Planned ?? "(empty)"}"));

    internal IReadOnlyList<FieldChange> FieldChanges { get; init; } = Array.Empty<FieldChange>();

    /// <summary>The fields that differ, one by one (a method, so Export-Csv writes only the <see cref="Changes"/> text).</summary>
    public IReadOnlyList<FieldChange> GetFieldChanges() => FieldChanges;
}
