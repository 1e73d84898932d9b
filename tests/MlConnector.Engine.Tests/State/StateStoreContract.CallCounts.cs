using MlConnector.Engine.State;

namespace MlConnector.Engine.Tests.State;

/// <summary>The contract's part for the pair's Marketo calls per Marketo day (issue 16), on every store as SqliteMarketoCalls defines it.</summary>
public abstract partial class StateStoreContract
{
    private static readonly DateOnly Day0 = new(2026, 11, 27);

    [Fact]
    public void Marketo_calls_add_up_per_day_and_pair_and_another_writer_reads_the_sum()
    {
        using var store = Open();
        var calls = store.Pair(PairA.PairId).MarketoCalls;
        Assert.Equal(0, calls.Get(Day0));
        Assert.Equal(120, calls.Add(Day0, 120, T0));
        Assert.Equal(125, calls.Add(Day0, 5, T0.AddMinutes(15)));
        Assert.Equal(3, calls.Add(Day0.AddDays(1), 3, T0.AddDays(1)));
        Assert.Equal(7, store.Pair(PairB.PairId).MarketoCalls.Add(Day0, 7, T0));

        using var other = Open();
        Assert.Equal((125, 3, 7), (other.Pair(PairA.PairId).MarketoCalls.Get(Day0), other.Pair(PairA.PairId).MarketoCalls.Get(Day0.AddDays(1)),
            other.Pair(PairB.PairId).MarketoCalls.Get(Day0)));
        Assert.Equal([(Day0, 125L), (Day0.AddDays(1), 3L)], ((IPairStateTransfer)other.Pair(PairA.PairId)).AllMarketoCalls());
    }

    [Fact]
    public void Days_more_than_a_week_before_the_day_counted_are_dropped()
    {
        using var store = Open();
        var calls = store.Pair(PairA.PairId).MarketoCalls;
        calls.Add(Day0.AddDays(-10), 1, T0);
        calls.Add(Day0.AddDays(-8), 2, T0);
        calls.Add(Day0.AddDays(-7), 3, T0);
        calls.Add(Day0, 4, T0);

        Assert.Equal((0, 0, 3, 4), (calls.Get(Day0.AddDays(-10)), calls.Get(Day0.AddDays(-8)), calls.Get(Day0.AddDays(-7)), calls.Get(Day0)));
        Assert.Equal([(Day0.AddDays(-7), 3L), (Day0, 4L)], ((IPairStateTransfer)store.Pair(PairA.PairId)).AllMarketoCalls());
    }

    [Fact]
    public void Two_writers_adding_calls_at_once_lose_none()
    {
        using var store = Open();
        using var other = Open();
        var totals = new System.Collections.Concurrent.ConcurrentBag<long>();
        // Each writer is one store used by one flow, as a run uses its store; the two run at once.
        void Write(IStateStore writer)
        {
            for (var i = 0; i < 20; i++) totals.Add(writer.Pair(PairA.PairId).MarketoCalls.Add(Day0, 1, T0));
        }
        Parallel.Invoke(() => Write(store), () => Write(other));

        Assert.Equal(40, store.Pair(PairA.PairId).MarketoCalls.Get(Day0));
        Assert.Equal(Enumerable.Range(1, 40).Select(n => (long)n), totals.Order());
    }

    [Fact]
    public void Clearing_a_pair_removes_its_call_counts_too()
    {
        using var store = Open();
        store.Pair(PairA.PairId).MarketoCalls.Add(Day0, 9, T0);
        store.Pair(PairB.PairId).MarketoCalls.Add(Day0, 4, T0);
        ((IPairStateTransfer)store.Pair(PairA.PairId)).Clear();
        Assert.Equal((0, 4), (store.Pair(PairA.PairId).MarketoCalls.Get(Day0), store.Pair(PairB.PairId).MarketoCalls.Get(Day0)));
    }
}
