namespace MlConnector.Engine.Marketo;

/// <summary>Bounds of the retry loop for transient Marketo failures (604, 606, 608, 611, 615, 5xx, transport, time-outs).</summary>
public sealed class MarketoRetryOptions
{
    /// <summary>Attempts per call including the first.</summary>
    public int MaxAttempts { get; set; } = 6;

    /// <summary>No retry starts after this much time has passed since the first attempt.</summary>
    public TimeSpan MaxTotalTime { get; set; } = TimeSpan.FromMinutes(3);

    /// <summary>First back-off delay; doubles per attempt with jitter up to <see cref="MaxDelay"/>.</summary>
    public TimeSpan BaseDelay { get; set; } = TimeSpan.FromSeconds(1);

    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Upper bound of the short jittered pause after 615 (concurrency limit).</summary>
    public TimeSpan ConcurrencyBackoff { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>One attempt's time-out. Marketo's own limits are 30–90 s (Get Paging Token 300 s, which gets its own).</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(120);

    internal void Validate()
    {
        if (MaxAttempts is < 1 or > 20) throw MarketoSettings.Invalid("Retry.MaxAttempts must be between 1 and 20.");
        if (MaxTotalTime <= TimeSpan.Zero || AttemptTimeout <= TimeSpan.Zero) throw MarketoSettings.Invalid("Retry.MaxTotalTime and Retry.AttemptTimeout must be positive.");
        if (BaseDelay < TimeSpan.Zero || MaxDelay < BaseDelay || ConcurrencyBackoff < TimeSpan.Zero) throw MarketoSettings.Invalid("Retry delays must be non-negative and MaxDelay >= BaseDelay.");
    }
}
