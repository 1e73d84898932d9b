using MlConnector.Sandbox.Core;

namespace MlConnector.Engine.Tests.Marketo;

/// <summary>
/// Marketo's limits scaled down 80x in time (100 per 20 s becomes 50 per 0.25 s; 10 in flight becomes 6) and the
/// client at half of them, as Adobe suggests: over 300 calls from 12 concurrent callers, the sandbox journal never
/// shows more calls starting in one window, or more in flight, than the client was allowed.
/// </summary>
public sealed class MarketoQuotaGateTests
{
    private const int CallsPerWindow = 25;
    private const int MaxConcurrency = 3;
    private static readonly TimeSpan Window = TimeSpan.FromMilliseconds(250);

    [Fact]
    public async Task Gate_keeps_every_sliding_window_and_the_concurrency_under_the_configured_share()
    {
        await using var test = await MarketoTestHost.StartAsync(
            o => { o.Marketo.RateLimit = 50; o.Marketo.RateWindow = Window; o.Marketo.ConcurrencyLimit = 6; o.Marketo.ProcessingDelay = TimeSpan.FromMilliseconds(5); },
            s => { s.CallsPer20Seconds = CallsPerWindow; s.RateWindow = Window; s.MaxConcurrency = MaxConcurrency; });

        var workers = Enumerable.Range(0, 12).Select(async _ =>
        {
            for (var i = 0; i < 26; i++) await test.Client.GetDailyUsageAsync(CancellationToken.None);
        });
        await Task.WhenAll(workers);

        var calls = test.Rest;
        Assert.Equal(312, calls.Count);
        Assert.All(calls, c => Assert.Null(c.ErrorCode));

        var starts = calls.Select(c => c.Started).Order().ToArray();
        var busiestWindow = starts.Select((s, i) => starts.Skip(i).TakeWhile(t => t - s < Window).Count()).Max();
        Assert.InRange(busiestWindow, 1, CallsPerWindow);

        var events = calls.SelectMany(c => new[] { (At: c.Started, Delta: 1), (At: c.Completed, Delta: -1) })
            .OrderBy(e => e.At).ThenBy(e => e.Delta);
        int inFlight = 0, peak = 0;
        foreach (var e in events) peak = Math.Max(peak, inFlight += e.Delta);
        Assert.InRange(peak, 1, MaxConcurrency);

        // 312 calls at 25 per 0.25 s cannot finish faster than 12 full windows.
        Assert.True(starts[^1] - starts[0] >= Window * 11, $"took only {starts[^1] - starts[0]}");
        Assert.Equal(312, test.Client.CallCount);
    }
}

/// <summary>Issue 11: a wait at the quota gate is told (its length and cause), so a throttled sync is not silent.</summary>
public sealed class MarketoQuotaGateWaitTests
{
    [Fact]
    public async Task A_call_held_at_the_gate_says_how_long_it_waits_and_why()
    {
        var window = TimeSpan.FromSeconds(2);
        await using var test = await MarketoTestHost.StartAsync(settings: s => { s.CallsPer20Seconds = 2; s.RateWindow = window; });

        for (var i = 0; i < 3; i++) await test.Client.GetDailyUsageAsync(CancellationToken.None);

        var told = Assert.Single(test.Log.Lines, l => l.StartsWith("VERBOSE: Waiting ", StringComparison.Ordinal));
        Assert.Contains("quota gate", told, StringComparison.Ordinal);
        Assert.Contains("its 2 calls of the last 2 s", told, StringComparison.Ordinal);
        var seconds = double.Parse(told["VERBOSE: Waiting ".Length..told.IndexOf(" s:", StringComparison.Ordinal)], System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(seconds, 0.5, 2.0);
    }
}
