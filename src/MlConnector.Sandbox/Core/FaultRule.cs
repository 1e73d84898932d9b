namespace MlConnector.Sandbox.Core;

/// <summary>
/// A fault to inject into matching requests. Which requests: <see cref="Service"/>, optionally a
/// path substring and a method. When: every match, only the <see cref="NthCall"/>-th match, or a
/// <see cref="Percentage"/> of matches; at most <see cref="Times"/> times in all (null = unlimited).
/// What: added latency, a reset connection, an HTTP status, and/or a vendor error code
/// (Marketo: "606", "1029", ...; BC: an error code such as "Internal_ServerError").
/// </summary>
public sealed record FaultRule
{
    public string Id { get; init; } = Guid.NewGuid().ToString("N");
    public SandboxService Service { get; init; }
    public string? PathContains { get; init; }
    public string? Method { get; init; }
    public int? NthCall { get; init; }
    public double? Percentage { get; init; }
    public int? Times { get; init; }
    public int LatencyMs { get; init; }
    public bool ResetConnection { get; init; }
    public int? HttpStatus { get; init; }
    public string? ErrorCode { get; init; }
    public int? RetryAfterSeconds { get; init; }
}

/// <summary>What the injector decided for one request.</summary>
public sealed record FaultDecision(FaultRule Rule)
{
    public bool HasResponse => Rule.ResetConnection || Rule.HttpStatus is not null || Rule.ErrorCode is not null;
}
