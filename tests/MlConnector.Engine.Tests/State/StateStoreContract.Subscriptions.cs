using MlConnector.Engine.State;

namespace MlConnector.Engine.Tests.State;

/// <summary>The contract's part for the pair's BC webhook subscriptions (issue 14), on every store as SqliteSubscriptions defines it.</summary>
public abstract partial class StateStoreContract
{
    private static SubscriptionRecord Subscription(string id) => new(id, "customers", "/api/v2.0/companies(a1)/customers", "https://hooks.example/a", T0.AddDays(3),
        "W/\"1\"", new ClientStateLocation("CorpVault", "MlConnector-BcClientState-" + PairA.PairId), T0, T0);

    [Fact]
    public void Subscriptions_belong_to_their_pair_are_replaced_by_id_and_keep_where_the_client_state_is_never_its_value()
    {
        using (var store = Open())
        {
            var a = store.Pair(PairA.PairId).Subscriptions;
            var vaulted = Subscription("sub-1");
            a.Save(vaulted);
            a.Save(vaulted with { SubscriptionId = "sub-2", EntitySet = "contacts", ClientState = ClientStateLocation.Caller, ETag = null });
            // A renewal replaces what BC answered, but the subscription was created when it was first saved.
            a.Save(vaulted with { ExpiresAt = T0.AddDays(5), ETag = "W/\"2\"", CreatedAt = T0.AddDays(2), UpdatedAt = T0.AddDays(2) });
            store.Pair(PairB.PairId).Subscriptions.Save(vaulted with { SubscriptionId = "sub-b" });
        }

        using var reopened = Open();
        var stored = reopened.Pair(PairA.PairId).Subscriptions.All();
        Assert.Equal(["sub-1", "sub-2"], stored.Select(s => s.SubscriptionId));
        Assert.Equal((T0.AddDays(5), "W/\"2\"", T0, T0.AddDays(2)), (stored[0].ExpiresAt, stored[0].ETag, stored[0].CreatedAt, stored[0].UpdatedAt));
        Assert.Equal(new ClientStateLocation("CorpVault", "MlConnector-BcClientState-" + PairA.PairId), stored[0].ClientState);
        Assert.Equal((ClientStateLocation.Caller, (string?)null, "contacts"), (stored[1].ClientState, stored[1].ETag, stored[1].EntitySet));
        Assert.Equal("sub-b", Assert.Single(reopened.Pair(PairB.PairId).Subscriptions.All()).SubscriptionId);
        Assert.True(reopened.Pair(PairA.PairId).Subscriptions.Remove("sub-2"));
        Assert.False(reopened.Pair(PairA.PairId).Subscriptions.Remove("sub-b"));
        Assert.False(reopened.Pair(PairA.PairId).Subscriptions.Remove("sub-2"));
        Assert.Equal(["sub-1"], reopened.Pair(PairA.PairId).Subscriptions.All().Select(s => s.SubscriptionId));
    }

    [Fact]
    public void Subscriptions_come_back_oldest_first_whatever_their_ids_and_two_writers_renewing_one_lose_neither_save()
    {
        using var store = Open();
        using var other = Open();
        var subscriptions = store.Pair(PairA.PairId).Subscriptions;
        subscriptions.Save(Subscription("zz/last#?") with { CreatedAt = T0.AddMinutes(-5) });
        subscriptions.Save(Subscription("aa") with { CreatedAt = T0.AddMinutes(-1) });
        subscriptions.Save(Subscription("mm") with { CreatedAt = T0.AddMinutes(-1) });
        Assert.Equal(["zz/last#?", "aa", "mm"], other.Pair(PairA.PairId).Subscriptions.All().Select(s => s.SubscriptionId));

        // Each writer is one store used by one flow, as a run uses its store; the two run at once.
        void Renew(IStateStore writer, int first)
        {
            for (var i = first; i < 8; i += 2)
                writer.Pair(PairA.PairId).Subscriptions.Save(Subscription("aa") with { ExpiresAt = T0.AddDays(3).AddMinutes(i), CreatedAt = T0.AddDays(1) });
        }
        Parallel.Invoke(() => Renew(store, 0), () => Renew(other, 1));
        var renewed = Assert.Single(store.Pair(PairA.PairId).Subscriptions.All(), s => s.SubscriptionId == "aa");
        Assert.Equal(T0.AddMinutes(-1), renewed.CreatedAt);
        Assert.InRange(renewed.ExpiresAt, T0.AddDays(3), T0.AddDays(3).AddMinutes(7));
        Assert.Equal(3, store.Pair(PairA.PairId).Subscriptions.All().Count);
    }

    [Fact]
    public void Clearing_a_pair_removes_its_subscriptions_too()
    {
        using var store = Open();
        store.RegisterPair(new SyncPair(PairA, "CRONUS", "", T0));
        store.Pair(PairA.PairId).Subscriptions.Save(Subscription("sub-1"));
        store.Pair(PairB.PairId).Subscriptions.Save(Subscription("sub-b"));
        ((IPairStateTransfer)store.Pair(PairA.PairId)).Clear();
        Assert.Empty(store.Pair(PairA.PairId).Subscriptions.All());
        Assert.Single(store.Pair(PairB.PairId).Subscriptions.All());
    }
}
