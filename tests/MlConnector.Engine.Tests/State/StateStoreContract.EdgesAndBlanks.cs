using MlConnector.Engine.State;
using MlConnector.Engine.Sync;

namespace MlConnector.Engine.Tests.State;

/// <summary>The contract's edges: a lease at the instant it expires, values a row may lack, one-character and anchored patterns, restored jobs after queued ones.</summary>
public abstract partial class StateStoreContract
{
    [Fact]
    public void A_lease_is_free_at_the_instant_it_expires()
    {
        using var store = Open();
        var lease = store.Pair(PairA.PairId).Lease;
        var expires = T0.AddMinutes(2);
        Assert.True(lease.TryAcquire(new LeaseHolder("run-a", 11, "host-a", T0, expires), T0).Acquired);

        Assert.Equal("run-a", lease.Current(expires.AddTicks(-10))!.HolderId);
        Assert.Null(lease.Current(expires));
        Assert.True(lease.TryAcquire(new LeaseHolder("run-b", 22, "host-b", expires, expires.AddMinutes(2)), expires).Acquired);
    }

    [Fact]
    public void Record_state_and_links_without_a_target_id_bc_id_or_marketo_key_come_back_without_them()
    {
        using var store = Open();
        var state = store.Pair(PairA.PairId);
        var transfer = (IPairStateTransfer)state;
        var unsent = new RecordState("company:C1", "C1", "h1", null, T0);
        state.Records(SyncDirection.BcToMarketo).Save([unsent]);
        RecordLink bare = new(LinkKind.Contact, "CT1", null, 9001, null, T0), whole = new(LinkKind.Contact, "CT2", Guid.NewGuid(), 9002, "ann@example.com", T0);
        state.Links.Save([bare, whole]);

        Assert.Equal(unsent, state.Records(SyncDirection.BcToMarketo).Get(["company:C1"])["company:C1"]);
        Assert.Equal([unsent], transfer.AllRecordStates(SyncDirection.BcToMarketo));
        Assert.Equal([bare, whole], transfer.AllLinks(LinkKind.Contact));
        Assert.Equal([bare, whole], state.Links.ByBcNumber(LinkKind.Contact, ["CT1", "CT2"]).Values.OrderBy(l => l.MarketoId));
    }

    [Fact]
    public void A_source_number_pattern_matches_the_whole_number_and_may_be_one_character()
    {
        using var store = Open();
        Queue(store).Enqueue([Job("C10"), Job("AC10"), Job("C"), Job("D")], T0);
        string[] Taken(params string[] patterns) => Queue(store).Take(QueuedJobStatus.Pending, null, 10, patterns).Select(j => j.SourceNumber).ToArray();

        Assert.Equal(["C10"], Taken("c1*"));
        Assert.Equal(["C10", "AC10", "C", "D"], Taken("*"));
        Assert.Equal(["C", "D"], Taken("?"));
        Assert.Equal(["C"], Taken("c"));
    }

    [Fact]
    public void Jobs_restored_into_a_queue_come_after_the_jobs_already_in_it()
    {
        using var store = Open();
        Queue(store).Enqueue([Job("E1"), Job("E2"), Job("E3")], T0);

        ((IPairStateTransfer)store.Pair(PairA.PairId)).RestoreJobs(SyncDirection.BcToMarketo, [new(Job("R1"), null), new(Job("R2"), null)], T0);

        Assert.Equal(["E1", "E2", "E3", "R1", "R2"], Queue(store).Take(QueuedJobStatus.Pending, null, 10).Select(j => j.SourceNumber));
    }
}
