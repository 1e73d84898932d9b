using MlConnector.Engine.State;
using MlConnector.Engine.Sync;

namespace MlConnector.Engine.Tests.State;

/// <summary>
/// The contract's part for what the audit-before-settle work added to the seam: jobs held with the target's answer
/// (status Answered) while their audit line could not be written, counts per target type, and per-field digests in the
/// record state. Each behaves on every store as SqliteWorkQueue and SqliteRecordStates define it.
/// </summary>
public abstract partial class StateStoreContract
{
    [Fact]
    public void Held_answers_are_neither_pending_nor_parked_come_back_in_queue_order_and_survive_another_writer()
    {
        using var store = Open();
        Queue(store).Enqueue([Job("C1", "p1"), Job("C2", "p2"), Job("C3", "p3")], T0);
        var taken = Queue(store).Take(QueuedJobStatus.Pending, null, 10);
        Queue(store).HoldAnswers([(taken[2], "{\"answer\":3}"), (taken[0], "{\"answer\":1}")]);

        Assert.Equal(2, Queue(store).Count(QueuedJobStatus.Answered));
        Assert.Equal(["company:C2"], Queue(store).Take(QueuedJobStatus.Pending, null, 10).Select(j => j.JobId));
        Assert.Equal(0, Queue(store).Count(QueuedJobStatus.Parked));
        Assert.Equal(["company:C1", "company:C3"], Queue(store).JobIds(QueuedJobStatus.Answered).Order(StringComparer.Ordinal));

        using var other = Open();
        var held = Queue(other).Answered();
        Assert.Equal([("company:C1", "p1", "{\"answer\":1}"), ("company:C3", "p3", "{\"answer\":3}")], held.Select(h => (h.Job.JobId, h.Job.Payload, h.Answer)));
        // Holding an answer is not an update of the job: it keeps the time it was taken with, which settling compares.
        Assert.Equal([T0, T0], held.Select(h => h.Job.UpdatedAt));
        Assert.All(held, h => Assert.Equal(QueuedJobStatus.Answered, h.Job.Status));
        Assert.Empty(Queue(other, direction: SyncDirection.MarketoToBc).Answered());
    }

    [Fact]
    public void A_held_job_enqueued_again_keeps_its_answer_until_settled_and_then_is_pending_with_the_new_payload()
    {
        using var store = Open();
        Queue(store).Enqueue([Job("C1", "old"), Job("C2", "two")], T0);
        var taken = Queue(store).Take(QueuedJobStatus.Pending, null, 10);
        Queue(store).HoldAnswers(taken.Select(j => (j, "answer " + j.SourceNumber)));

        using var other = Open();
        Queue(other).Enqueue([Job("C1", "new")], T0.AddMinutes(1));
        var held = Queue(store).Answered();
        Assert.Equal([("company:C1", "new", "answer C1"), ("company:C2", "two", "answer C2")], held.Select(h => (h.Job.JobId, h.Job.Payload, h.Answer)));
        Assert.Equal(0, Queue(store).Count(QueuedJobStatus.Pending));

        // Settled as they were taken when answered: C2 leaves the queue; C1, enqueued again since, stays — pending now, its answer dropped.
        Queue(store).Complete(taken);
        Assert.Empty(Queue(other).Answered());
        var left = Assert.Single(Queue(other).Take(QueuedJobStatus.Pending, null, 10));
        Assert.Equal(("company:C1", "new", T0.AddMinutes(1)), (left.JobId, left.Payload, left.UpdatedAt));
        Assert.Equal(1, Queue(store).Count(QueuedJobStatus.Pending));
    }

    [Fact]
    public void A_held_job_parked_drops_its_answer_and_comes_back_pending_on_unpark()
    {
        using var store = Open();
        Queue(store).Enqueue([Job("C1")], T0);
        var taken = Queue(store).Take(QueuedJobStatus.Pending, null, 1);
        Queue(store).HoldAnswers([(taken[0], "refused")]);
        Queue(store).Park([(Queue(store).Answered()[0].Job, "1003 bad")], T0.AddMinutes(1));

        Assert.Empty(Queue(store).Answered());
        var parked = Assert.Single(Queue(store).Take(QueuedJobStatus.Parked, null, 10));
        Assert.Equal(("1003 bad", 1), (parked.LastError, parked.Attempts));
        Assert.Equal(1, Queue(store).Unpark(null, T0.AddMinutes(2)));
        Assert.Equal(1, Queue(store).Count(QueuedJobStatus.Pending));
        Assert.Equal(0, Queue(store).Count(QueuedJobStatus.Answered));
        Assert.Null(Assert.Single(((IPairStateTransfer)store.Pair(PairA.PairId)).AllJobs(SyncDirection.BcToMarketo)).Answer);
    }

    [Fact]
    public void A_long_answer_comes_back_whole()
    {
        using var store = Open();
        var answer = "{\"reason\":\"" + string.Concat(Enumerable.Repeat("ab😀", 20_000)) + "\"}";
        Queue(store).Enqueue([Job("C1")], T0);
        Queue(store).HoldAnswers([(Queue(store).Take(QueuedJobStatus.Pending, null, 1)[0], answer)]);
        Assert.Equal(answer, Assert.Single(Queue(store).Answered()).Answer);
    }

    [Fact]
    public void Counts_can_be_of_one_target_type()
    {
        using var store = Open();
        Queue(store).Enqueue([Job("C1"), Job("C2"), Job("P1", type: "Lead"), Job("P2", type: "Lead"), Job("P3", type: "Lead")], T0);
        var leads = Queue(store).Take(QueuedJobStatus.Pending, "Lead", 2);
        Queue(store).Park([(leads[0], "1007")], T0);
        Queue(store).HoldAnswers([(leads[1], "ok")]);

        Assert.Equal((2, 1, 3), (Queue(store).Count(QueuedJobStatus.Pending, "Company"), Queue(store).Count(QueuedJobStatus.Pending, "Lead"), Queue(store).Count(QueuedJobStatus.Pending)));
        Assert.Equal((1, 0), (Queue(store).Count(QueuedJobStatus.Parked, "Lead"), Queue(store).Count(QueuedJobStatus.Parked, "Company")));
        Assert.Equal((1, 0), (Queue(store).Count(QueuedJobStatus.Answered, "Lead"), Queue(store).Count(QueuedJobStatus.Answered, "Contact")));
    }

    [Fact]
    public void Jobs_restored_with_a_held_answer_keep_it()
    {
        using var store = Open();
        var transfer = (IPairStateTransfer)store.Pair(PairA.PairId);
        var answered = new StoredJob(Job("C1", "p1") with { Status = QueuedJobStatus.Answered }, "{\"held\":true}");
        transfer.RestoreJobs(SyncDirection.MarketoToBc, [answered, new StoredJob(Job("C2"), null)], T0);

        Assert.Equal([answered, new StoredJob(Job("C2"), null)], transfer.AllJobs(SyncDirection.MarketoToBc));
        Assert.Equal(("company:C1", "{\"held\":true}"), Queue(store, direction: SyncDirection.MarketoToBc).Answered().Select(h => (h.Job.JobId, h.Answer)).Single());
        Assert.Equal(1, Queue(store, direction: SyncDirection.MarketoToBc).Count(QueuedJobStatus.Pending));
    }

    [Fact]
    public void Record_state_keeps_the_field_digests_it_was_given_and_the_known_ones_when_a_later_save_has_none()
    {
        using var store = Open();
        var records = store.Pair(PairA.PairId).Records(SyncDirection.BcToMarketo);
        records.Save([new RecordState("company:C1", "C1", "h1", "42", T0) { FieldHashes = new Dictionary<string, string> { ["city"] = "0a0b0c0d", ["phone"] = "01020304" } }]);
        Assert.Equal(new Dictionary<string, string> { ["city"] = "0a0b0c0d", ["phone"] = "01020304" }, records.Get(["company:C1"])["company:C1"].FieldHashes);

        // A record skipped rather than written (CRM sync) saves no digests: those of its last write stay.
        records.Save([new RecordState("company:C1", "C1", "crm:h2", null, T0.AddMinutes(1))]);
        Assert.Equal("01020304", records.Get(["company:C1"])["company:C1"].FieldHashes!["phone"]);

        records.Save([new RecordState("company:C1", "C1", "h3", "42", T0.AddMinutes(2)) { FieldHashes = new Dictionary<string, string> { ["city"] = "ffffffff" } }]);
        Assert.Equal(new Dictionary<string, string> { ["city"] = "ffffffff" }, records.Get(["company:C1"])["company:C1"].FieldHashes);
        records.Save([new RecordState("company:C2", "C2", "h", "7", T0)]);
        Assert.Null(records.Get(["company:C2"])["company:C2"].FieldHashes);

        // In one batch too, as saving one after another: the later state without digests keeps the earlier one's.
        records.Save([new RecordState("company:C3", "C3", "a", "8", T0) { FieldHashes = new Dictionary<string, string> { ["name"] = "12345678" } },
            new RecordState("company:C3", "C3", "b", null, T0.AddMinutes(1))]);
        var c3 = records.Get(["company:C3"])["company:C3"];
        Assert.Equal(("b", "8", "12345678"), (c3.ContentHash, c3.TargetId, c3.FieldHashes!["name"]));
        using var other = Open();
        var copied = ((IPairStateTransfer)other.Pair(PairA.PairId)).AllRecordStates(SyncDirection.BcToMarketo).Single(r => r.TargetKey == "company:C3");
        Assert.Equal("12345678", copied.FieldHashes!["name"]);
    }
}
