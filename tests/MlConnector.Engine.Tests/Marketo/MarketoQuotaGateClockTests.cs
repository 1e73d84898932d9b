using MlConnector.Engine.Marketo;
using Microsoft.Extensions.Time.Testing;

namespace MlConnector.Engine.Tests.Marketo;

/// <summary>
/// The quota gate on a fake clock, to the tick: when a window slot frees, how long a 606 hold lasts, how far a 615
/// lowers the calls in flight and for how long, when a closed quota reopens, and that a waiting caller never leaks
/// its concurrency slot.
/// </summary>
public sealed class MarketoQuotaGateClockTests
{
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(20);
    internal static readonly TimeSpan Tick = TimeSpan.FromTicks(1);
    internal static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(20);

    private static (MarketoQuotaGate Gate, FakeTimeProvider Time) Gate(int perWindow = 100, int concurrency = 5, int? dailyBudget = null, DateTimeOffset? start = null)
    {
        var time = new FakeTimeProvider(start ?? new DateTimeOffset(2026, 3, 10, 12, 0, 0, TimeSpan.Zero));
        return (new MarketoQuotaGate(perWindow, Window, concurrency, dailyBudget, time), time);
    }

    private static Task<IDisposable> Enter(MarketoQuotaGate gate, bool bulk = false, CancellationToken cancellationToken = default)
        => gate.EnterAsync(bulk, cancellationToken).AsTask();

    /// <summary>Whether the caller got in; a caller that is still waiting is given a moment of real time first.</summary>
    internal static async Task<bool> EnteredAsync(Task<IDisposable> pending)
    {
        await Task.WhenAny(pending, Task.Delay(TimeSpan.FromMilliseconds(300)));
        return pending.IsCompletedSuccessfully;
    }

    [Fact]
    public async Task A_window_slot_frees_exactly_one_window_after_the_first_call_to_finish()
    {
        var (gate, time) = Gate(perWindow: 2);
        (await Enter(gate)).Dispose();
        time.Advance(TimeSpan.FromSeconds(5));
        (await Enter(gate)).Dispose();

        var third = Enter(gate);
        time.Advance(TimeSpan.FromSeconds(15) - Tick);
        Assert.False(await EnteredAsync(third));
        time.Advance(Tick);
        Assert.True(await EnteredAsync(third), "the slot of the call released 20 s ago is free");
    }

    [Fact]
    public async Task After_a_606_nobody_starts_until_exactly_one_window_later()
    {
        var (gate, time) = Gate();
        gate.HoldForWindow();
        var waiting = Enter(gate);

        time.Advance(Window - Tick);
        Assert.False(await EnteredAsync(waiting));
        time.Advance(Tick);
        Assert.True(await EnteredAsync(waiting));
    }

    [Fact]
    public async Task After_a_615_no_more_calls_run_than_the_instance_had_room_for_until_one_window_has_passed()
    {
        var (gate, time) = Gate(concurrency: 5);
        var a = await Enter(gate);
        var b = await Enter(gate);
        var refused = await Enter(gate);
        gate.ConcurrencyRefused(); // three in flight, one of them refused: room for two
        refused.Dispose();

        var c = Enter(gate);
        time.Advance(Poll);
        Assert.False(await EnteredAsync(c), "two calls are in flight, the instance had room for two");
        a.Dispose();
        time.Advance(Poll);
        Assert.True(await EnteredAsync(c), "a slot was freed");

        gate.ConcurrencyRefused(); // b and c in flight, c refused: room for one
        (await c).Dispose();
        var d = Enter(gate);
        time.Advance(Poll);
        Assert.False(await EnteredAsync(d), "one call is in flight, the instance had room for one");
        b.Dispose();
        time.Advance(Poll);
        Assert.True(await EnteredAsync(d));

        // The cap lasts until exactly one window after the last 615; then the configured five are allowed again.
        time.Advance(Window - Poll - Poll - Poll);
        var e = Enter(gate);
        Assert.False(await EnteredAsync(e), "d is in flight and the cap of one still holds");
        time.Advance(Poll);
        Assert.True(await EnteredAsync(e));
        Assert.True(await EnteredAsync(Enter(gate)));
    }

    [Fact]
    public async Task A_607_closes_the_gate_until_exactly_the_reset_and_a_waiting_caller_is_refused_too()
    {
        var (gate, time) = Gate();
        var resets = time.GetUtcNow().AddHours(1);
        gate.HoldForWindow();
        var waiting = Enter(gate);
        gate.Close(new MarketoQuotaExceededException("MarketoDailyQuotaExceeded", "607", resets, "quota"), bulkOnly: false);

        time.Advance(Window);
        await Assert.ThrowsAsync<MarketoQuotaExceededException>(() => waiting);
        await Assert.ThrowsAsync<MarketoQuotaExceededException>(() => Enter(gate));
        time.Advance(resets - time.GetUtcNow() - Tick);
        await Assert.ThrowsAsync<MarketoQuotaExceededException>(() => Enter(gate));
        time.Advance(Tick);
        Assert.True(await EnteredAsync(Enter(gate)));
    }

    [Fact]
    public async Task A_1029_closes_only_bulk_calls_until_the_reset()
    {
        var (gate, time) = Gate();
        var resets = time.GetUtcNow().AddHours(2);
        gate.Close(new MarketoQuotaExceededException("MarketoExportQuotaExceeded", "1029", resets, "export quota"), bulkOnly: true);

        var refused = await Assert.ThrowsAsync<MarketoQuotaExceededException>(() => Enter(gate, bulk: true));
        Assert.Equal("1029", refused.Code);
        Assert.True(await EnteredAsync(Enter(gate, bulk: false)));
        time.Advance(TimeSpan.FromHours(2) - Tick);
        await Assert.ThrowsAsync<MarketoQuotaExceededException>(() => Enter(gate, bulk: true));
        time.Advance(Tick);
        Assert.True(await EnteredAsync(Enter(gate, bulk: true)));
    }

    [Fact]
    public async Task The_daily_budget_starts_again_at_midnight_US_Central()
    {
        var midnight = MarketoCentralTime.NextMidnight(new DateTimeOffset(2026, 3, 10, 12, 0, 0, TimeSpan.Zero));
        var (gate, time) = Gate(dailyBudget: 2, start: midnight - TimeSpan.FromMinutes(1));
        (await Enter(gate)).Dispose();
        (await Enter(gate)).Dispose();
        var spent = await Assert.ThrowsAsync<MarketoQuotaExceededException>(() => Enter(gate));
        Assert.Equal(midnight, spent.ResetsAt);

        time.Advance(TimeSpan.FromMinutes(1));
        Assert.True(await EnteredAsync(Enter(gate)), "a new Marketo day has a new budget");
    }

    [Fact]
    public async Task A_caller_cancelled_while_waiting_gives_its_concurrency_slot_back()
    {
        var (gate, time) = Gate(concurrency: 1);
        gate.HoldForWindow();
        using var cancel = new CancellationTokenSource();
        var cancelled = Enter(gate, cancellationToken: cancel.Token);
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);

        time.Advance(Window);
        Assert.True(await EnteredAsync(Enter(gate)), "the only slot must be free again");
    }
}
