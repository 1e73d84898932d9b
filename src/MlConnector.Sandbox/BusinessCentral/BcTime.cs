namespace MlConnector.Sandbox.BusinessCentral;

internal static class BcTime
{
    /// <summary>The blank DateTime BC serialises as "0001-01-01T00:00:00Z".</summary>
    public static readonly DateTimeOffset Blank = DateTimeOffset.MinValue;

    /// <summary>
    /// SystemModifiedAt goes through SQL Server's datetime, which keeps 1/300 s: milliseconds end in 0, 3 or 7
    /// (shared/api/business-central.md §4.1).
    /// </summary>
    public static DateTimeOffset SqlRound(DateTimeOffset value)
    {
        var utc = value.ToUniversalTime();
        var wholeSecond = new DateTimeOffset(utc.Ticks - utc.Ticks % TimeSpan.TicksPerSecond, TimeSpan.Zero);
        var units = (int)Math.Round((utc.Ticks - wholeSecond.Ticks) * 300.0 / TimeSpan.TicksPerSecond, MidpointRounding.AwayFromZero);
        var milliseconds = (int)Math.Round(units * 10 / 3.0, MidpointRounding.AwayFromZero);
        return wholeSecond.AddMilliseconds(milliseconds);
    }

    /// <summary>
    /// As BC's OData writer emits it: UTC with at most the milliseconds SQL keeps, trailing fractional zeros dropped
    /// ("…:05.12Z", "…:05Z"), so a client must not expect a fixed width.
    /// </summary>
    public static string Format(DateTimeOffset value) => value == Blank
        ? "0001-01-01T00:00:00Z"
        : value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFF'Z'", System.Globalization.CultureInfo.InvariantCulture);
}
