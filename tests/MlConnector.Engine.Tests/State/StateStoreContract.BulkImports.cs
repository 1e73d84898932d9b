using MlConnector.Engine.State;

namespace MlConnector.Engine.Tests.State;

/// <summary>The contract's part for the pair's Bulk Lead Imports in flight (issue 16), on every store as SqliteBulkImports defines it.</summary>
public abstract partial class StateStoreContract
{
    private static (string, DateTimeOffset) Member(QueuedJob job) => (job.JobId, job.UpdatedAt);

    [Fact]
    public void A_stored_import_holds_its_jobs_apart_from_new_files_until_removed_and_pages_them_in_queue_order()
    {
        using var store = Open();
        Queue(store).Enqueue([Job("L1", type: "Lead"), Job("C1"), Job("L2", type: "Lead"), Job("L3", type: "Lead"), Job("L4", type: "Lead"), Job("L5", type: "Lead")], T0);
        var leads = Queue(store).Take(QueuedJobStatus.Pending, "Lead", 10);
        var imports = store.Pair(PairA.PairId).BulkImports;
        imports.Add(new BulkImportBatch(11, 3, T0.AddMinutes(1)), [Member(leads[0]), Member(leads[1]), Member(leads[2])]);

        using var other = Open();
        var seen = other.Pair(PairA.PairId).BulkImports;
        Assert.Equal([new BulkImportBatch(11, 3, T0.AddMinutes(1))], seen.Open());
        var first = seen.Jobs(11, 0, 2);
        Assert.Equal(["lead:L1", "lead:L2"], first.Select(j => j.Job.JobId));
        Assert.True(first[0].Sequence < first[1].Sequence);
        Assert.Equal(["lead:L3"], seen.Jobs(11, first[^1].Sequence, 2).Select(j => j.Job.JobId));
        var free = seen.TakeNotImporting("Lead", 0, 10);
        Assert.Equal(["lead:L4", "lead:L5"], free.Select(j => j.Job.JobId));
        Assert.Equal(["lead:L5"], seen.TakeNotImporting("Lead", free[0].Sequence, 10).Select(j => j.Job.JobId));
        Assert.Empty(seen.TakeNotImporting("Company", first[^1].Sequence + 1_000_000_000_000_000, 10));
        Assert.Equal(["company:C1"], seen.TakeNotImporting("Company", 0, 10).Select(j => j.Job.JobId));

        // L2 enqueued again (new content the file did not hold) and L3 parked: the import's jobs to settle are L1 only, and
        // L2 stays out of new files while the import is stored.
        Queue(other).Enqueue([Job("L2", "{\"v\":2}", "Lead")], T0.AddMinutes(2));
        Queue(other).Park([(leads[2], "1003")], T0.AddMinutes(2));
        Assert.Equal(["lead:L1"], store.Pair(PairA.PairId).BulkImports.Jobs(11, 0, 10).Select(j => j.Job.JobId));
        Assert.Equal(["lead:L4", "lead:L5"], store.Pair(PairA.PairId).BulkImports.TakeNotImporting("Lead", 0, 10).Select(j => j.Job.JobId));

        store.Pair(PairA.PairId).BulkImports.Remove(11);
        store.Pair(PairA.PairId).BulkImports.Remove(11);
        Assert.Empty(other.Pair(PairA.PairId).BulkImports.Open());
        Assert.Empty(other.Pair(PairA.PairId).BulkImports.Jobs(11, 0, 10));
        Assert.Equal(["lead:L1", "lead:L2", "lead:L4", "lead:L5"], other.Pair(PairA.PairId).BulkImports.TakeNotImporting("Lead", 0, 10).Select(j => j.Job.JobId));
    }

    [Fact]
    public void Imports_come_back_oldest_first_per_pair_and_leave_with_the_pair()
    {
        using var store = Open();
        Queue(store).Enqueue([Job("L1", type: "Lead"), Job("L2", type: "Lead")], T0);
        Queue(store, PairB).Enqueue([Job("L9", type: "Lead")], T0);
        var leads = Queue(store).Take(QueuedJobStatus.Pending, "Lead", 10);
        var imports = store.Pair(PairA.PairId).BulkImports;
        imports.Add(new BulkImportBatch(30, 1, T0.AddMinutes(2)), [Member(leads[1])]);
        imports.Add(new BulkImportBatch(20, 1, T0.AddMinutes(1)), [Member(leads[0])]);
        store.Pair(PairB.PairId).BulkImports.Add(new BulkImportBatch(40, 1, T0), [Member(Queue(store, PairB).Take(QueuedJobStatus.Pending, null, 1)[0])]);

        Assert.Equal([20L, 30L], store.Pair(PairA.PairId).BulkImports.Open().Select(b => b.BatchId));
        Assert.Equal(["lead:L2"], store.Pair(PairA.PairId).BulkImports.Jobs(30, 0, 10).Select(j => j.Job.JobId));
        ((IPairStateTransfer)store.Pair(PairA.PairId)).Clear();
        Assert.Empty(store.Pair(PairA.PairId).BulkImports.Open());
        Assert.Equal([40L], store.Pair(PairB.PairId).BulkImports.Open().Select(b => b.BatchId));
    }
}
