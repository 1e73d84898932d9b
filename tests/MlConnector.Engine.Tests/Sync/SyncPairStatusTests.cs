using MlConnector.Engine.State;
using MlConnector.Engine.State.Sqlite;
using MlConnector.Engine.Sync;

namespace MlConnector.Engine.Tests.Sync;

/// <summary>What Get-MlSyncState shows for a pair: its queues in both directions added up, and its webhook subscriptions.</summary>
public sealed class SyncPairStatusTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 30, 6, 0, 0, TimeSpan.Zero);
    private static readonly SyncPairKey Pair = SyncPairKey.Create("tenant", "Production", Guid.NewGuid(), "111-AAA-111");
    private readonly string _folder = Directory.CreateTempSubdirectory("mlc-status-").FullName;
    private readonly SqliteStateStore _store;

    public SyncPairStatusTests()
    {
        _store = SqliteStateStore.Open(Path.Combine(_folder, "state.db"));
        _store.RegisterPair(new SyncPair(Pair, "Ours", "A-", T0));
    }

    private void Enqueue(SyncDirection direction, int count, int parked)
    {
        var queue = _store.Pair(Pair.PairId).Queue(direction);
        var jobs = Enumerable.Range(0, count).Select(i => new QueuedJob($"{direction}:{i}", "Company", "Customer", $"C{i}", "{}", QueuedJobStatus.Pending, 0, null, T0, T0)).ToList();
        queue.Enqueue(jobs, T0);
        queue.Park(jobs.Take(parked).Select(j => (j, "refused")), T0);
    }

    private void Subscribe(string id, string entitySet, DateTimeOffset expiresAt)
        => _store.Pair(Pair.PairId).Subscriptions.Save(new SubscriptionRecord(id, entitySet, entitySet, "https://hook.example/notify", expiresAt, null, ClientStateLocation.Caller, T0, T0));

    [Fact]
    public void Pending_and_parked_add_up_both_directions()
    {
        Enqueue(SyncDirection.BcToMarketo, count: 5, parked: 2);
        Enqueue(SyncDirection.MarketoToBc, count: 4, parked: 1);

        var row = Assert.Single(SyncPairStatus.Of(_store, T0));

        Assert.Equal(3 + 3, row.Pending);
        Assert.Equal(2 + 1, row.Parked);
    }

    [Fact]
    public void Subscriptions_are_listed_with_their_expiry_and_the_earliest_expiry_is_given_and_none_is_null()
    {
        Assert.Null(Assert.Single(SyncPairStatus.Of(_store, T0)).Subscriptions);
        Assert.Null(Assert.Single(SyncPairStatus.Of(_store, T0)).SubscriptionsExpireAt);

        Subscribe("sub-c", "customers", T0.AddDays(3));
        Subscribe("sub-k", "contacts", T0.AddDays(2));
        var row = Assert.Single(SyncPairStatus.Of(_store, T0));

        var listed = row.Subscriptions!.Split("; ").Order(StringComparer.Ordinal);
        Assert.Equal(["contacts until 2026-12-02 06:00Z (sub-k)", "customers until 2026-12-03 06:00Z (sub-c)"], listed);
        Assert.Equal(T0.AddDays(2), row.SubscriptionsExpireAt);
    }

    [Fact]
    public void Unclaimed_state_gets_a_row_of_its_own_after_the_pairs()
    {
        _store.Pair(SyncPairKey.Unclaimed).Checkpoints.Advance(SyncCheckpoints.Customers, T0, T0);

        Assert.Equal([Pair.PairId, SyncPairKey.Unclaimed], SyncPairStatus.Of(_store, T0).Select(r => r.PairId));
        Assert.Equal("store", Assert.Throws<ArgumentNullException>(() => SyncPairStatus.Of(null!, T0)).ParamName);
    }

    public void Dispose()
    {
        _store.Dispose();
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { }
    }
}
