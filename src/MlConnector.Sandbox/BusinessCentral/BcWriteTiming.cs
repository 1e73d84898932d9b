namespace MlConnector.Sandbox.BusinessCentral;

/// <summary>
/// When a write is stamped and when readers see it. BC's server tier takes SystemModifiedAt before the transaction
/// commits, and several server tiers stamp with their own clocks (shared/api/business-central.md §4.1,
/// microsoft/ALAppExtensions#13474), so a row can become visible after rows stamped later, and stamps need not be
/// monotone. Both effects are off by default; <see cref="BusinessCentralOptions.CommitLag"/> and
/// <see cref="BusinessCentralOptions.SecondServerSkew"/> turn them on.
/// </summary>
internal sealed class BcWriteTiming(BusinessCentralOptions? options)
{
    public bool Lags => options is { CommitLag.Ticks: > 0 };

    /// <summary>
    /// The stamp of a write made now, and when it commits. About half the writes are stamped by the second server tier
    /// (its clock off by SecondServerSkew) and each gets a share of CommitLag; both are taken from the row version,
    /// so the same seed and the same writes give the same stamps.
    /// </summary>
    public (DateTimeOffset Stamp, DateTimeOffset VisibleFrom) Next(DateTimeOffset now, long rowVersion)
    {
        var mix = Mix(rowVersion);
        var skew = options?.SecondServerSkew ?? TimeSpan.Zero;
        var stamp = BcTime.SqlRound(skew != TimeSpan.Zero && (mix >> 63) == 1 ? now + skew : now);
        if (!Lags) return (stamp, DateTimeOffset.MinValue);
        var fraction = mix % 1000 / 1000.0;
        return (stamp, now + TimeSpan.FromTicks((long)(options!.CommitLag.Ticks * fraction)));
    }

    private static ulong Mix(long value)
    {
        var x = (ulong)value * 0x9E3779B97F4A7C15UL;
        x ^= x >> 31; x *= 0x94D049BB133111EBUL; x ^= x >> 29;
        return x;
    }
}
