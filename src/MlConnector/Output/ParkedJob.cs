namespace MlConnector.Output;

/// <summary>A record parked in the work queue after Marketo refused it, as Invoke-MlReplay -WhatIf lists it.</summary>
public sealed class ParkedJob
{
    public required string SourceType { get; init; }
    public required string SourceNumber { get; init; }
    public required string TargetType { get; init; }
    public int Attempts { get; init; }
    public string? LastError { get; init; }
    public DateTimeOffset ParkedAt { get; init; }
}
