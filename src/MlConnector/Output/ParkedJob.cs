namespace MlConnector.Output;

/// <summary>A record parked in the work queue after Marketo refused it, as Invoke-MlReplay -WhatIf lists it.</summary>
public sealed class ParkedJob
{
    /// <summary>The sync pair whose queue holds it ('unclaimed': written before sync pairs, not yet adopted).</summary>
    public required string PairId { get; init; }
    public required string SourceType { get; init; }
    public required string SourceNumber { get; init; }
    public required string TargetType { get; init; }
    public int Attempts { get; init; }
    public string? LastError { get; init; }
    public DateTimeOffset ParkedAt { get; init; }
}
