using MlConnector.Engine.Marketo;
using Microsoft.Extensions.Time.Testing;

namespace MlConnector.Engine.Tests.Marketo;

/// <summary>
/// How the quota gate waits, on a fake clock: it sleeps until the slot frees (one timer, never a spin and never less
/// than one 20 ms poll), tells a wait once and only when it is long enough to matter (1 s, or a quarter window when
/// that is shorter), says why, checks a closed quota before queueing for a slot, and keeps the count of calls made
/// today that a run starts from.
/// </summary>
public sealed class MarketoQuotaGateSleepTests
{
    private static readonly TimeSpan Tick = MarketoQuotaGateClockTests.Tick;
    private static readonly TimeSpan Poll = MarketoQuotaGateClockTests.Poll;
    private static readonly DateTimeOffset Noon = new(2026, 3, 10, 12, 0, 0, TimeSpan.Zero);

    private static (MarketoQuotaGate Gate, RecordingTime Time, CollectingLog Log) Gate(
        TimeSpan window, int perWindow = 100, int concurrency = 5, int? dailyBudget = null)
    {
        var time = new RecordingTime(Noon);
        var log = new CollectingLog();
        return (new MarketoQuotaGate(perWindow, window, concurrency, dailyBudget, time, log), time, log);
    }

    private static Task<IDisposable> Enter(MarketoQuotaGate gate) => gate.EnterAsync(bulk: false, CancellationToken.None).AsTask();

    private static Task<bool> EnteredAsync(Task<IDisposable> pending) => MarketoQuotaGateClockTests.EnteredAsync(pending);

    /// <summary>Puts the gate where the next caller must wait exactly <paramref name="wait"/> for a window slot.</summary>
    private static async Task FillWindowAsync(MarketoQuotaGate gate, RecordingTime time, TimeSpan window, TimeSpan wait)
    {
        (await Enter(gate)).Dispose();
        time.Advance(window - wait);
    }

    private static string[] Waits(CollectingLog log) => log.Lines.Where(l => l.StartsWith("VERBOSE: Waiting", StringComparison.Ordinal)).ToArray();

    [Fact]
    public async Task A_606_hold_is_slept_in_one_timer_of_the_whole_hold_not_polled()
    {
        var window = TimeSpan.FromSeconds(20);
        var (gate, time, _) = Gate(window);
        gate.HoldForWindow();

        var waiting = Enter(gate);
        await time.TimerCreatedAsync();
        Assert.Equal(new[] { window }, time.DueTimes);

        time.Advance(window);
        Assert.True(await EnteredAsync(waiting));
        Assert.Equal(new[] { window }, time.DueTimes);
    }

    [Fact]
    public async Task A_wait_shorter_than_one_poll_still_sleeps_one_poll()
    {
        var window = TimeSpan.FromSeconds(20);
        var (gate, time, _) = Gate(window, perWindow: 1);
        await FillWindowAsync(gate, time, window, TimeSpan.FromMilliseconds(5));

        var waiting = Enter(gate);
        await time.TimerCreatedAsync();
        Assert.Equal(new[] { Poll }, time.DueTimes);
        time.Advance(TimeSpan.FromMilliseconds(5));
        Assert.False(await EnteredAsync(waiting), "the gate sleeps a whole poll even when the slot frees sooner");
        time.Advance(Poll - TimeSpan.FromMilliseconds(5));
        Assert.True(await EnteredAsync(waiting));
    }

    [Theory]
    [InlineData(20_000, 1_000)] // a 20 s window: waits of 1 s and more are told
    [InlineData(2_000, 500)]    // a 2 s window: a quarter window, 0.5 s
    public async Task A_wait_is_told_from_one_second_or_a_quarter_window_when_that_is_shorter(int windowMs, int tellFromMs)
    {
        var window = TimeSpan.FromMilliseconds(windowMs);
        var tellFrom = TimeSpan.FromMilliseconds(tellFromMs);

        var (quiet, quietTime, quietLog) = Gate(window, perWindow: 1);
        await FillWindowAsync(quiet, quietTime, window, tellFrom - Tick);
        var untold = Enter(quiet);
        await quietTime.TimerCreatedAsync();
        quietTime.Advance(tellFrom);
        Assert.True(await EnteredAsync(untold));
        Assert.Empty(Waits(quietLog));

        var (told, toldTime, toldLog) = Gate(window, perWindow: 1);
        await FillWindowAsync(told, toldTime, window, tellFrom);
        var waiting = Enter(told);
        await toldTime.TimerCreatedAsync();
        toldTime.Advance(tellFrom);
        Assert.True(await EnteredAsync(waiting));
        var line = Assert.Single(Waits(toldLog));
        Assert.Contains($"this connection has started its 1 calls of the last {window.TotalSeconds:0} s", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_caller_that_waits_twice_is_told_once_and_told_that_a_606_holds_it()
    {
        var window = TimeSpan.FromSeconds(20);
        var (gate, time, log) = Gate(window, perWindow: 1);
        var first = await Enter(gate);
        gate.HoldForWindow();                    // held until 12:00:20
        time.Advance(TimeSpan.FromSeconds(10));
        first.Dispose();                          // its window slot frees at 12:00:30

        var waiting = Enter(gate);
        await time.TimerCreatedAsync();
        time.Advance(TimeSpan.FromSeconds(10));   // the hold ends; the window is still full for 10 s
        await time.TimerCreatedAsync(count: 2);
        Assert.False(await EnteredAsync(waiting));
        time.Advance(TimeSpan.FromSeconds(10));
        Assert.True(await EnteredAsync(waiting));

        var line = Assert.Single(Waits(log));
        Assert.Contains("Waiting 10 s: Marketo's quota gate holds every call for one 20 s window after Marketo answered 606", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task After_a_615_the_wait_for_a_call_in_flight_says_so()
    {
        var window = TimeSpan.FromMilliseconds(40); // a quarter window (10 ms) is shorter than a poll, so the poll is told
        var (gate, time, log) = Gate(window);
        using var a = await Enter(gate);
        var refused = await Enter(gate);
        gate.ConcurrencyRefused();
        refused.Dispose();

        var waiting = Enter(gate);
        await time.TimerCreatedAsync();
        Assert.Contains(Waits(log), l => l.Contains("Waiting 20 ms: Marketo answered 615 (too many calls in flight)", StringComparison.Ordinal));
        a.Dispose();
        time.Advance(Poll);
        Assert.True(await EnteredAsync(waiting));
    }

    [Fact]
    public async Task A_full_window_with_every_call_still_in_flight_polls_until_one_finishes()
    {
        var window = TimeSpan.FromMilliseconds(40);
        var (gate, time, log) = Gate(window, perWindow: 1);
        var inFlight = await Enter(gate);

        var waiting = Enter(gate);
        await time.TimerCreatedAsync();
        Assert.Equal(Poll, time.DueTimes[0]);
        Assert.Contains(Waits(log), l => l.Contains("Waiting 20 ms: Marketo's quota gate: this connection has started its 1 calls", StringComparison.Ordinal));
        time.Advance(Poll);
        await time.TimerCreatedAsync(count: 2);
        Assert.False(await EnteredAsync(waiting), "the only call of the window is still in flight");
        inFlight.Dispose();
        time.Advance(window);
        Assert.True(await EnteredAsync(waiting));
    }

    [Fact]
    public async Task A_closed_quota_is_refused_at_once_even_when_every_slot_is_taken()
    {
        var (gate, time, _) = Gate(TimeSpan.FromSeconds(20), concurrency: 1);
        using var holder = await Enter(gate);
        gate.Close(new MarketoQuotaExceededException("MarketoDailyQuotaExceeded", "607", time.GetUtcNow().AddHours(1), "quota"), bulkOnly: false);

        var refused = Enter(gate);
        await Task.WhenAny(refused, Task.Delay(TimeSpan.FromMilliseconds(300)));
        Assert.True(refused.IsFaulted, "a caller must not queue for a slot behind a quota that is used up");
        Assert.IsType<MarketoQuotaExceededException>(refused.Exception!.InnerException);
    }

    [Fact]
    public async Task Calls_made_today_elsewhere_raise_the_count_never_lower_it_and_a_new_day_starts_from_them()
    {
        var (gate, time, _) = Gate(TimeSpan.FromSeconds(20), dailyBudget: 5);
        Assert.Equal(0, gate.CallsToday);
        gate.CountCallsMadeToday(3);
        Assert.Equal(3, gate.CallsToday);
        gate.CountCallsMadeToday(2);
        Assert.Equal(3, gate.CallsToday);

        (await Enter(gate)).Dispose();
        (await Enter(gate)).Dispose();
        Assert.Equal(5, gate.CallsToday);
        await Assert.ThrowsAsync<MarketoQuotaExceededException>(() => Enter(gate));

        time.Advance(MarketoCentralTime.NextMidnight(time.GetUtcNow()) - time.GetUtcNow());
        Assert.Equal(0, gate.CallsToday);
        gate.CountCallsMadeToday(1);
        Assert.Equal(1, gate.CallsToday);
        (await Enter(gate)).Dispose();
        Assert.Equal(2, gate.CallsToday);
    }

    /// <summary>A fake clock that records the due time of every timer (every Task.Delay the gate sleeps).</summary>
    private sealed class RecordingTime(DateTimeOffset start) : TimeProvider
    {
        private readonly FakeTimeProvider _inner = new(start);
        private readonly List<TimeSpan> _dueTimes = new();

        public TimeSpan[] DueTimes { get { lock (_dueTimes) return _dueTimes.ToArray(); } }

        public override DateTimeOffset GetUtcNow() => _inner.GetUtcNow();

        public override long GetTimestamp() => _inner.GetTimestamp();

        public override long TimestampFrequency => _inner.TimestampFrequency;

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            lock (_dueTimes) _dueTimes.Add(dueTime);
            return _inner.CreateTimer(callback, state, dueTime, period);
        }

        public void Advance(TimeSpan by) => _inner.Advance(by);

        /// <summary>Waits (real time, bounded) until <paramref name="count"/> timers have been created.</summary>
        public async Task TimerCreatedAsync(int count = 1)
        {
            var deadline = DateTime.UtcNow.AddSeconds(10);
            while (DueTimes.Length < count && DateTime.UtcNow < deadline) await Task.Delay(5);
            Assert.True(DueTimes.Length >= count, $"expected {count} timer(s), saw {DueTimes.Length}");
        }
    }
}
