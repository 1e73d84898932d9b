using System.Text.Json.Serialization;

namespace MlConnector.Sandbox.Core;

/// <summary>Where a held request waits for <see cref="HeldRequests.Release"/>. The admin API takes and shows the names.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<HoldPoint>))]
public enum HoldPoint
{
    /// <summary>Received (body read in full) but not yet applied: applied only after the release.</summary>
    BeforeApply,

    /// <summary>Applied, but the response waits for the release.</summary>
    BeforeAnswer,
}

/// <summary>
/// A fault to inject into matching requests. Which requests: <see cref="Service"/>, optionally a
/// path substring and a method. When: every match, only the <see cref="NthCall"/>-th match, or a
/// <see cref="Percentage"/> of matches; at most <see cref="Times"/> times in all (null = unlimited).
/// What: added latency, a reset connection, an HTTP status, and/or a vendor error code
/// (Marketo: "606", "1029", ...; BC: an error code such as "Internal_ServerError"); or, for crash tests,
/// a request that is applied and then loses its answer (<see cref="ResetAfterApply"/>) or is held until
/// released (<see cref="Hold"/>). An HTTP status of 413, 414, 502, 503 or 504 without an error code is
/// answered the way a gateway answers it (<see cref="GatewayErrors"/>), not in the vendor's body shape.
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

    /// <summary>Reset the connection before the request reaches the simulator: nothing is applied.</summary>
    public bool ResetConnection { get; init; }

    public int? HttpStatus { get; init; }
    public string? ErrorCode { get; init; }
    public int? RetryAfterSeconds { get; init; }

    /// <summary>Let the simulator apply the request, then reset the connection instead of answering.</summary>
    public bool ResetAfterApply { get; init; }

    /// <summary>
    /// Hold the request (before it is applied, or before it is answered) until a test releases it. With
    /// <see cref="ResetAfterApply"/> the released request is applied (if not yet) and its answer dropped.
    /// </summary>
    public HoldPoint? Hold { get; init; }

    /// <summary>Throws when the rule asks for an answer and for an interception at once (they exclude each other).</summary>
    internal void Validate()
    {
        var intercepts = ResetAfterApply || Hold is not null;
        if (intercepts && (ResetConnection || HttpStatus is not null || ErrorCode is not null))
            throw new ArgumentException("A rule that applies the request (resetAfterApply, hold) cannot also answer it (resetConnection, httpStatus, errorCode).");
    }
}

/// <summary>What the injector decided for one request.</summary>
public sealed record FaultDecision(FaultRule Rule)
{
    public bool HasResponse => Rule.ResetConnection || Rule.HttpStatus is not null || Rule.ErrorCode is not null;

    /// <summary>The request is applied by the simulator, but its answer is held or dropped.</summary>
    public bool Intercepts => Rule.ResetAfterApply || Rule.Hold is not null;
}
