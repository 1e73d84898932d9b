using MlConnector.Engine.State;

namespace MlConnector.Engine.Tests.State;

public sealed class StateStoreTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 27, 10, 0, 0, TimeSpan.Zero);
    private readonly string _folder = Directory.CreateTempSubdirectory("mlc-state-").FullName;

    private string DbPath => Path.Combine(_folder, "state.db");

    private static QueuedJob Job(string number, string payload = "{}") =>
        new("company:" + number, "Company", "Customer", number, payload, QueuedJobStatus.Pending, 0, null, T0, T0);

    [Fact]
    public void Same_record_enqueued_twice_is_one_job_with_the_latest_payload()
    {
        using var store = SqliteStateStore.Open(DbPath);
        store.Queue.Enqueue([Job("C1", "{\"v\":1}")], T0);
        store.Queue.Enqueue([Job("C1", "{\"v\":2}"), Job("C2")], T0.AddSeconds(1));

        var pending = store.Queue.Take(QueuedJobStatus.Pending, "Company", 10);
        Assert.Equal(["company:C1", "company:C2"], pending.Select(j => j.JobId));
        Assert.Equal("{\"v\":2}", pending[0].Payload);
    }

    [Fact]
    public void Queue_survives_reopening_the_file()
    {
        using (var store = SqliteStateStore.Open(DbPath)) store.Queue.Enqueue([Job("C1")], T0);
        using var reopened = SqliteStateStore.Open(DbPath);
        Assert.Equal(1, reopened.Queue.Count(QueuedJobStatus.Pending));
    }

    [Fact]
    public void Completing_a_job_that_was_enqueued_again_keeps_the_newer_one()
    {
        using var store = SqliteStateStore.Open(DbPath);
        store.Queue.Enqueue([Job("C1", "old")], T0);
        var taken = store.Queue.Take(QueuedJobStatus.Pending, null, 10);
        store.Queue.Enqueue([Job("C1", "new")], T0.AddSeconds(5));
        store.Queue.Complete(taken);
        var left = Assert.Single(store.Queue.Take(QueuedJobStatus.Pending, null, 10));
        Assert.Equal("new", left.Payload);
    }

    [Fact]
    public void Parked_jobs_keep_their_reason_and_come_back_on_unpark()
    {
        using var store = SqliteStateStore.Open(DbPath);
        store.Queue.Enqueue([Job("C1"), Job("C2")], T0);
        var taken = store.Queue.Take(QueuedJobStatus.Pending, null, 10);
        store.Queue.Park([(taken[0], "1006 Field 'x' not found")], T0.AddMinutes(1));

        var parked = Assert.Single(store.Queue.Take(QueuedJobStatus.Parked, null, 10));
        Assert.Equal("1006 Field 'x' not found", parked.LastError);
        Assert.Equal(1, parked.Attempts);
        Assert.Equal(1, store.Queue.Unpark("C1", T0.AddMinutes(2)));
        Assert.Equal(0, store.Queue.Count(QueuedJobStatus.Parked));
    }

    [Fact]
    public void Record_state_keeps_the_known_marketo_id_when_a_later_write_has_none()
    {
        using var store = SqliteStateStore.Open(DbPath);
        store.Records.Save([new RecordState("company:C1", "C1", "h1", 42, T0)]);
        store.Records.Save([new RecordState("company:C1", "C1", "h2", null, T0.AddMinutes(1))]);
        var state = store.Records.Get(["company:C1", "company:missing"]);
        Assert.Equal("h2", state["company:C1"].ContentHash);
        Assert.Equal(42, state["company:C1"].MarketoId);
        Assert.False(state.ContainsKey("company:missing"));
    }

    [Fact]
    public void Checkpoint_only_moves_forward()
    {
        using var store = SqliteStateStore.Open(DbPath);
        Assert.Null(store.Checkpoints.Get("bc.customers"));
        store.Checkpoints.Advance("bc.customers", T0, T0);
        store.Checkpoints.Advance("bc.customers", T0.AddHours(-1), T0);
        Assert.Equal(T0, store.Checkpoints.Get("bc.customers"));
    }

    [Fact]
    public void Checkpoint_boundary_is_replaced_with_the_checkpoint_and_survives_reopening()
    {
        var a = Guid.NewGuid();
        var b = Guid.NewGuid();
        using (var store = SqliteStateStore.Open(DbPath))
        {
            store.Checkpoints.Advance("bc.contacts", T0, [new(a, T0.AddSeconds(-30)), new(b, T0)], T0);
            store.Checkpoints.Advance("bc.contacts", T0.AddMinutes(1), [new(b, T0.AddMinutes(1))], T0);
        }
        using var reopened = SqliteStateStore.Open(DbPath);
        Assert.Equal(T0.AddMinutes(1), reopened.Checkpoints.Get("bc.contacts"));
        var boundary = reopened.Checkpoints.Boundary("bc.contacts");
        Assert.Equal(T0.AddMinutes(1), Assert.Single(boundary, r => r.Key == b).Value);
        Assert.False(boundary.ContainsKey(a));
    }

    public void Dispose()
    {
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { }
    }
}
