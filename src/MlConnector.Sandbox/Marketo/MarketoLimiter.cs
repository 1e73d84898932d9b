using MlConnector.Sandbox.Core;

namespace MlConnector.Sandbox.Marketo;

/// <summary>
/// Rolling-window rate limit (606), concurrency (615) and daily quota (607, resets at midnight US Central).
/// A call refused with 606/615 still counts toward the daily quota but not toward the rolling window, so a
/// client that backs off for one window always gets through again.
/// </summary>
public sealed class MarketoLimiter(MarketoOptions options, SandboxClock clock)
{
    private static readonly TimeZoneInfo Central = FindCentral();
    private readonly object _gate = new();
    private readonly Queue<DateTimeOffset> _window = new();
    private readonly Dictionary<DateOnly, int> _daily = new();
    private int _inFlight;

    public int InFlight { get { lock (_gate) return _inFlight; } }

    /// <summary>Admits a counted call (returns null and takes a concurrency slot) or returns "606"/"607"/"615".</summary>
    public string? TryEnter()
    {
        lock (_gate)
        {
            var now = clock.GetUtcNow();
            var today = CentralDate(now);
            var used = _daily.GetValueOrDefault(today);
            if (used >= options.DailyQuota) return "607";
            while (_window.Count > 0 && _window.Peek() <= now - options.RateWindow) _window.Dequeue();
            _daily[today] = used + 1;
            if (_window.Count >= options.RateLimit) return "606";
            if (_inFlight >= options.ConcurrencyLimit) return "615";
            _window.Enqueue(now);
            _inFlight++;
            return null;
        }
    }

    public void Exit()
    {
        lock (_gate) _inFlight--;
    }

    /// <summary>Calls counted on a US-Central calendar day.</summary>
    public int CallsOn(DateOnly centralDate)
    {
        lock (_gate) return _daily.GetValueOrDefault(centralDate);
    }

    public int CallsToday() => CallsOn(CentralDate(clock.GetUtcNow()));

    public void Reset()
    {
        lock (_gate) { _window.Clear(); _daily.Clear(); }
    }

    public static DateOnly CentralDate(DateTimeOffset at) => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(at, Central).DateTime);

    /// <summary>Midnight US Central of a date, as an instant.</summary>
    public static DateTimeOffset CentralMidnight(DateOnly date)
    {
        var local = date.ToDateTime(TimeOnly.MinValue);
        return new DateTimeOffset(local, Central.GetUtcOffset(local));
    }

    private static TimeZoneInfo FindCentral()
    {
        try { return TimeZoneInfo.FindSystemTimeZoneById("America/Chicago"); }
        catch (TimeZoneNotFoundException) { return TimeZoneInfo.CreateCustomTimeZone("CST", TimeSpan.FromHours(-6), "CST", "CST"); }
    }
}
