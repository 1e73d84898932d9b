namespace MlConnector.Output;

public enum MlCheckStatus
{
    Passed,
    Warning,
    Failed,
}

/// <summary>One check of Test-MlConnection: what was tried, how it went, and what to do about it.</summary>
public sealed class MlConnectionCheck
{
    /// <summary>BusinessCentral or Marketo.</summary>
    public required string Service { get; init; }

    /// <summary>e.g. BusinessCentral.Token, Marketo.CompaniesWritable.</summary>
    public required string Check { get; init; }

    public required MlCheckStatus Status { get; init; }

    public required string Detail { get; init; }

    public long Milliseconds { get; init; }
}
