using MlConnector.Engine.State;

namespace MlConnector.Engine.Tests.State;

/// <summary>The contract's part for a job another writer changed after this queue took it, and for queue order.</summary>
public abstract partial class StateStoreContract
{
    [Fact]
    public void Jobs_of_one_call_keep_the_order_given_whatever_their_ids()
    {
        using var store = Open();
        Queue(store).Enqueue([Job("Z9"), Job("A1"), Job("M5")], T0);

        Assert.Equal(["Z9", "A1", "M5"], Queue(store).Take(QueuedJobStatus.Pending, "Company", 10).Select(j => j.SourceNumber));
        Assert.Equal(["Z9", "A1", "M5"], Queue(store).Take(QueuedJobStatus.Pending, null, 10).Select(j => j.SourceNumber));
    }

    [Fact]
    public void A_job_another_writer_parked_after_it_was_taken_stays_parked_when_completed()
    {
        using var store = Open();
        using var other = Open();
        Queue(store).Enqueue([Job("C1")], T0);
        var taken = Queue(store).Take(QueuedJobStatus.Pending, null, 10);
        Queue(other).Park([(taken[0], "1003 refused")], T0.AddMinutes(1));

        Queue(store).Complete(taken);

        Assert.Equal((0, 1), (Queue(other).Count(QueuedJobStatus.Pending), Queue(other).Count(QueuedJobStatus.Parked)));
    }

    [Fact]
    public void Completing_the_version_another_writer_handed_out_removes_the_job_though_this_queue_took_an_older_one()
    {
        using var store = Open();
        using var other = Open();
        Queue(store).Enqueue([Job("C1", "old")], T0);
        Queue(store).Take(QueuedJobStatus.Pending, null, 10);
        Queue(other).Enqueue([Job("C1", "new")], T0.AddMinutes(1));
        var newer = Queue(other).Take(QueuedJobStatus.Pending, null, 10);

        Queue(store).Complete(newer);

        Assert.Equal(0, Queue(other).Count(QueuedJobStatus.Pending));
    }

    [Fact]
    public void Unpark_counts_a_job_another_writer_parked_again_after_this_queue_took_it()
    {
        using var store = Open();
        using var other = Open();
        Queue(store).Enqueue([Job("C1")], T0);
        Queue(store).Park([(Queue(store).Take(QueuedJobStatus.Pending, null, 10)[0], "1003 first")], T0.AddMinutes(1));
        var parked = Queue(store).Take(QueuedJobStatus.Parked, null, 10);
        // The same moment as the first park: the job this queue holds looks current, its row is not.
        Queue(other).Park([(parked[0], "1003 second")], T0.AddMinutes(1));

        Assert.Equal(1, Queue(store).Unpark(null, T0.AddMinutes(2)));

        var pending = Assert.Single(Queue(other).Take(QueuedJobStatus.Pending, null, 10));
        Assert.Equal(("company:C1", 2, "1003 second"), (pending.JobId, pending.Attempts, pending.LastError));
    }

    [Fact]
    public void A_job_parked_before_its_import_was_stored_is_not_among_the_imports_jobs()
    {
        using var store = Open();
        Queue(store).Enqueue([Job("L1", type: "Lead"), Job("L2", type: "Lead")], T0);
        var leads = Queue(store).Take(QueuedJobStatus.Pending, "Lead", 10);
        Queue(store).Park([(leads[1], "1003")], T0.AddMinutes(1));
        var parked = Assert.Single(Queue(store).Take(QueuedJobStatus.Parked, "Lead", 10));

        store.Pair(PairA.PairId).BulkImports.Add(new BulkImportBatch(7, 2, T0.AddMinutes(2)), [Member(leads[0]), Member(parked)]);

        Assert.Equal(["lead:L1"], store.Pair(PairA.PairId).BulkImports.Jobs(7, 0, 10).Select(j => j.Job.JobId));
    }
}
