using MlConnector.Engine.State;
using MlConnector.Engine.Sync;

namespace MlConnector.Engine.Tests.State;

/// <summary>
/// The contract at its edges, on every store: ties in an order, a lease at the very instant it ends, several writes of
/// one key in a single save, a BC number too long for a table key, and an import stored again.
/// </summary>
public abstract partial class StateStoreContract
{
    [Fact]
    public void Pairs_created_at_the_same_instant_come_back_by_pair_id_and_a_run_of_an_unregistered_pair_registers_nothing()
    {
        using var store = Open();
        var (first, second) = string.CompareOrdinal(PairA.PairId, PairB.PairId) < 0 ? (PairA, PairB) : (PairB, PairA);
        store.RegisterPair(new SyncPair(second, "B", "", T0));
        store.RegisterPair(new SyncPair(first, "A", "", T0));
        store.RecordRun("pair-0000000000000000", T0.AddHours(1));

        Assert.Equal([first.PairId, second.PairId], store.Pairs().Select(p => p.PairId));
    }

    [Fact]
    public void A_pair_registered_again_without_a_company_name_has_none()
    {
        using var store = Open();
        store.RegisterPair(new SyncPair(PairA, "CRONUS", "", T0));
        var again = store.RegisterPair(new SyncPair(PairA, null, "UK-", T0.AddDays(1)));

        Assert.Null(again.Pair.BcCompanyName);
        Assert.Equal((null, "UK-"), (Assert.Single(store.Pairs()).BcCompanyName, store.Pairs()[0].CompanyKeyPrefix));
    }

    [Fact]
    public void A_lease_is_free_from_the_instant_it_expires()
    {
        using var store = Open();
        var lease = store.Pair(PairA.PairId).Lease;
        var a = new LeaseHolder("run-a", 11, "host-a", T0, T0.AddMinutes(2));
        Assert.True(lease.TryAcquire(a, T0).Acquired);

        Assert.Equal("run-a", lease.Current(T0.AddMinutes(2).AddTicks(-1))?.HolderId);
        Assert.Null(lease.Current(T0.AddMinutes(2)));
        Assert.True(lease.TryAcquire(new LeaseHolder("run-b", 22, "host-b", T0.AddMinutes(2), T0.AddMinutes(4)), T0.AddMinutes(2)).Acquired);
    }

    [Fact]
    public void The_last_of_several_states_of_one_record_in_a_save_wins_with_its_own_target_id_and_digests()
    {
        using var store = Open();
        var records = store.Pair(PairA.PairId).Records(SyncDirection.BcToMarketo);
        var first = new Dictionary<string, string>(StringComparer.Ordinal) { ["name"] = "h1" };
        var last = new Dictionary<string, string>(StringComparer.Ordinal) { ["name"] = "h2" };
        records.Save([new RecordState("company:C1", "C1", "a", "41", T0) { FieldHashes = first }, new RecordState("company:C1", "C1", "b", "42", T0) { FieldHashes = last }]);

        var state = records.Get(["company:C1"])["company:C1"];
        Assert.Equal(("b", "42"), (state.ContentHash, state.TargetId));
        Assert.Equal(last, state.FieldHashes);
    }

    [Fact]
    public void A_link_saved_twice_in_one_save_keeps_the_bc_id_only_the_first_knew_and_a_long_bc_number_comes_back_whole()
    {
        using var store = Open();
        var links = store.Pair(PairA.PairId).Links;
        var known = Guid.NewGuid();
        var longNumber = "C" + new string('9', 900);
        links.Save([new RecordLink(LinkKind.Customer, "C1", known, 501, "C1", T0), new RecordLink(LinkKind.Customer, "C1", null, 502, "C1", T0.AddMinutes(1)),
            new RecordLink(LinkKind.Customer, "C2", Guid.NewGuid(), 503, "C2", T0), new RecordLink(LinkKind.Customer, "C2", known, 503, "C2", T0.AddMinutes(1)),
            new RecordLink(LinkKind.Customer, longNumber, null, 504, null, T0)]);

        var found = links.ByBcNumber(LinkKind.Customer, ["C1", "C2"]);
        Assert.Equal((known, 502L), (found["C1"].BcId, found["C1"].MarketoId));
        Assert.Equal(known, found["C2"].BcId);
        Assert.Equal(longNumber, links.ByMarketoId(LinkKind.Customer, [504])[504].BcNumber);
        Assert.Contains(longNumber, ((IPairStateTransfer)store.Pair(PairA.PairId)).AllLinks(LinkKind.Customer).Select(l => l.BcNumber));
    }

    [Fact]
    public void Imports_submitted_at_the_same_instant_come_back_by_batch_id()
    {
        using var store = Open();
        var imports = store.Pair(PairA.PairId).BulkImports;
        imports.Add(new BulkImportBatch(30, 0, T0), []);
        imports.Add(new BulkImportBatch(20, 0, T0), []);

        Assert.Equal([20L, 30L], imports.Open().Select(b => b.BatchId));
    }

    [Fact]
    public void An_import_stored_again_holds_the_jobs_of_its_latest_store_for_every_writer()
    {
        using var store = Open();
        using var other = Open();
        Queue(store).Enqueue([Job("L1", type: "Lead"), Job("L2", type: "Lead")], T0);
        var leads = Queue(store).Take(QueuedJobStatus.Pending, "Lead", 10);
        var imports = store.Pair(PairA.PairId).BulkImports;
        string[] JobsOf(long batchId) => imports.Jobs(batchId, 0, 10).Select(j => j.Job.JobId).ToArray();

        imports.Add(new BulkImportBatch(11, 1, T0), [Member(leads[0])]);
        Assert.Equal(["lead:L1"], JobsOf(11));
        // Stored again with one more job (a writer that retries storing it): both are the import's.
        imports.Add(new BulkImportBatch(11, 2, T0), [Member(leads[0]), Member(leads[1])]);
        Assert.Equal(["lead:L1", "lead:L2"], JobsOf(11));

        // Removed, then stored again by another writer with one job: the first writer sees that job only.
        imports.Remove(11);
        other.Pair(PairA.PairId).BulkImports.Add(new BulkImportBatch(11, 1, T0.AddMinutes(1)), [Member(leads[1])]);
        Assert.Equal(["lead:L2"], JobsOf(11));
    }
}
