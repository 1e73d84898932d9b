namespace MlConnector.Sandbox.Core;

/// <summary>
/// Wall-clock time plus an offset that tests move forward ("jump 61 minutes", "jump 3 days")
/// without waiting. Every expiry, window and timestamp in the simulators reads this clock.
/// </summary>
public sealed class SandboxClock : TimeProvider
{
    private readonly TimeProvider _inner;
    private long _offsetTicks;

    public SandboxClock(TimeProvider? inner = null) => _inner = inner ?? System;

    public TimeSpan Offset => TimeSpan.FromTicks(Interlocked.Read(ref _offsetTicks));

    public override DateTimeOffset GetUtcNow() => _inner.GetUtcNow() + Offset;

    public void Advance(TimeSpan by)
    {
        if (by < TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(by), "The sandbox clock only moves forward.");
        Interlocked.Add(ref _offsetTicks, by.Ticks);
    }
}
