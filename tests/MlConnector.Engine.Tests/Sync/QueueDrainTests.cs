using MlConnector.Engine.State;
using MlConnector.Engine.Sync;
using MlConnector.Engine.Tests.BusinessCentral;
using Microsoft.Extensions.Time.Testing;

namespace MlConnector.Engine.Tests.Sync;

/// <summary>
/// The drain on its own, over a real SQLite state store and audit trail, with a scripted target in place of Marketo:
/// how many batches it keeps in flight, which jobs it reads and when, how it reports progress, how it stops after a
/// failure, and how it settles what a target answered. The sync tests reach it only through whole runs, where a wrong
/// count of batches, reads or reports makes no visible difference to the records in Marketo.
/// </summary>
public sealed class QueueDrainTests : IAsyncLifetime
{
    private const string Company = "Company";
    private const string Lead = "Lead";
    private SyncSandbox _sandbox = null!;

    public async Task InitializeAsync() => _sandbox = await SyncSandbox.StartAsync(customers: 0);

    public async Task DisposeAsync() => await _sandbox.DisposeAsync();

    private IWorkQueue Queue => _sandbox.State.Queue(SyncDirection.BcToMarketo);

    [Fact]
    public async Task Start_keeps_no_more_batches_in_flight_than_its_concurrency_each_no_larger_than_the_batch_size_and_says_how_many_it_started()
    {
        Enqueue(Company, 12);
        var sender = new ScriptedSender(_sandbox.Host.Clock, answerAtOnce: false);
        var drain = Drain(concurrency: 2);

        Assert.Equal(2, drain.Start(Target(Company, 3, sender), partial: true, CancellationToken.None));
        Assert.Equal(2, drain.InFlight);
        var (first, second) = await TwoInOrderAsync(sender);
        Assert.Equal(["Company:000", "Company:001", "Company:002"], first.JobIds);
        Assert.Equal(["Company:003", "Company:004", "Company:005"], second.JobIds);

        // No slot is free until a batch has answered and been settled.
        Assert.Equal(0, drain.Start(Target(Company, 3, sender), partial: true, CancellationToken.None));
        first.Answer();
        await drain.AnyAnswered()!;
        Assert.Equal(3, drain.SettleAnswered().Count);
        Assert.Equal(1, drain.Start(Target(Company, 3, sender), partial: true, CancellationToken.None));
        Assert.Equal(["Company:006", "Company:007", "Company:008"], (await sender.NextAsync()).JobIds);
    }

    [Fact]
    public async Task Full_batches_only_sends_an_exactly_full_batch_and_holds_the_rest_until_a_partial_start()
    {
        Enqueue(Company, 4);
        var sender = new ScriptedSender(_sandbox.Host.Clock);
        var drain = Drain(concurrency: 5);

        Assert.Equal(1, drain.Start(Target(Company, 3, sender), partial: false, CancellationToken.None));
        Assert.Equal(3, (await sender.NextAsync()).Jobs.Count);
        Assert.Equal(0, drain.Start(Target(Company, 3, sender), partial: false, CancellationToken.None));
        Assert.True(drain.Holds(Company));

        Assert.Equal(1, drain.Start(Target(Company, 3, sender), partial: true, CancellationToken.None));
        Assert.Equal(["Company:003"], (await sender.NextAsync()).JobIds);
    }

    [Fact]
    public async Task Another_type_starts_only_once_the_jobs_of_the_type_that_waits_are_sent()
    {
        Enqueue(Company, 4);
        Enqueue(Lead, 3);
        var companies = new ScriptedSender(_sandbox.Host.Clock);
        var leads = new ScriptedSender(_sandbox.Host.Clock);
        var drain = Drain(concurrency: 5);

        Assert.Equal(1, drain.Start(Target(Company, 3, companies), partial: false, CancellationToken.None));
        // One company job waits for a partial start: leads must not go first, nor be sent through the company target.
        Assert.Equal(0, drain.Start(Target(Lead, 3, leads), partial: true, CancellationToken.None));
        Assert.Equal(1, drain.InFlight);
        Assert.True(drain.Holds(Company));
        Assert.False(drain.Holds(Lead));

        Assert.Equal(1, drain.Start(Target(Company, 3, companies), partial: true, CancellationToken.None));
        await SettleAllAsync(drain);
        Assert.Equal(1, drain.Start(Target(Lead, 3, leads), partial: true, CancellationToken.None));
        Assert.Equal(["Lead:000", "Lead:001", "Lead:002"], (await leads.NextAsync()).JobIds);
        Assert.All(companies.Batches, b => Assert.All(b.Jobs, j => Assert.Equal(Company, j.TargetType)));
    }

    [Fact]
    public async Task A_type_is_done_only_when_its_queue_was_read_empty_and_none_of_its_jobs_is_in_flight()
    {
        Enqueue(Company, 2);
        var sender = new ScriptedSender(_sandbox.Host.Clock, answerAtOnce: false);
        var drain = Drain(concurrency: 2);
        Assert.False(drain.Done(Company));

        drain.Start(Target(Company, 5, sender), partial: true, CancellationToken.None);
        var batch = await sender.NextAsync();
        Assert.False(drain.Done(Company));
        Assert.True(drain.Holds(Company));

        batch.Answer();
        await SettleAllAsync(drain);
        Assert.True(drain.Done(Company));
        Assert.False(drain.Holds(Company));
    }

    [Fact]
    public async Task A_drained_type_is_read_again_only_after_it_is_told_that_jobs_were_enqueued()
    {
        Enqueue(Company, 2);
        var sender = new ScriptedSender(_sandbox.Host.Clock);
        var drain = await DrainedOnceAsync(sender);

        Enqueue(Company, 2, from: 10);
        Assert.Equal(0, drain.Start(Target(Company, 5, sender), partial: true, CancellationToken.None));
        drain.Enqueued(Company);
        Assert.Equal(1, drain.Start(Target(Company, 5, sender), partial: true, CancellationToken.None));
        Assert.Equal(["Company:010", "Company:011"], (await sender.NextAsync()).JobIds);
    }

    [Fact]
    public async Task Draining_by_type_name_reads_the_queue_afresh_on_every_call()
    {
        var sender = new ScriptedSender(_sandbox.Host.Clock);
        var drain = Drain(concurrency: 1);
        Enqueue(Lead, 2);
        Assert.Equal(2, (await BcSandbox.ToListAsync(drain.DrainAsync(Lead, 5, sender.Send, "Writing", CancellationToken.None))).Count);

        Enqueue(Lead, 1, from: 5);
        var second = await BcSandbox.ToListAsync(drain.DrainAsync(Lead, 5, sender.Send, "Writing", CancellationToken.None));
        Assert.Equal(["N005"], second.Select(r => r.SourceNumber));
    }

    [Fact]
    public async Task A_job_settled_and_enqueued_again_in_the_same_drain_is_sent_again_with_its_new_payload()
    {
        Enqueue(Company, 1);
        var sender = new ScriptedSender(_sandbox.Host.Clock);
        var drain = await DrainedOnceAsync(sender);

        Enqueue(Company, 1, payload: "second");
        drain.Enqueued(Company);
        Assert.Equal(1, drain.Start(Target(Company, 5, sender), partial: true, CancellationToken.None));
        Assert.Equal("second", Assert.Single((await sender.NextAsync()).Jobs).Payload);
    }

    [Fact]
    public void One_read_of_the_queue_fills_every_free_slot()
    {
        Enqueue(Company, 12);
        var counting = new CountingPairState(_sandbox.State);
        var drain = new QueueDrain(_sandbox.Context(state: counting), SyncDirection.BcToMarketo, concurrency: 2);

        Assert.Equal(2, drain.Start(Target(Company, 3, new ScriptedSender(_sandbox.Host.Clock, answerAtOnce: false)), partial: true, CancellationToken.None));
        Assert.Equal(1, counting.QueueReads);
    }

    [Fact]
    public async Task A_read_that_comes_back_short_marks_the_type_drained_without_another_read()
    {
        // One batch in flight at a time, two jobs a read: 2 + 2 + 2 + 2 + 1 needs five reads, the last one short.
        Enqueue(Company, 9);
        var counting = new CountingPairState(_sandbox.State);
        var drain = new QueueDrain(_sandbox.Context(state: counting), SyncDirection.BcToMarketo, concurrency: 1);

        var results = await BcSandbox.ToListAsync(drain.DrainAsync(Target(Company, 2, new ScriptedSender(_sandbox.Host.Clock)), CancellationToken.None));
        Assert.Equal(9, results.Count);
        Assert.Equal(5, counting.QueueReads);
        Assert.True(drain.Done(Company));
    }

    [Fact]
    public async Task Each_settled_batch_reports_the_jobs_done_so_far_of_the_phase_and_its_total()
    {
        Enqueue(Company, 5);
        var reports = new List<SyncProgress>();
        var progress = new ReverseSandbox.Hook(reports.Add);
        var settled = 0;
        var drain = new QueueDrain(_sandbox.Context(progress: progress), SyncDirection.BcToMarketo, concurrency: 1, settled: () => settled++);

        await BcSandbox.ToListAsync(drain.DrainAsync(Target(Company, 2, new ScriptedSender(_sandbox.Host.Clock)), CancellationToken.None));
        Assert.Equal([new SyncProgress("Writing", 2, 5), new SyncProgress("Writing", 4, 5), new SyncProgress("Writing", 5, 5)], reports);
        Assert.Equal(3, settled);
        Assert.Equal(5, drain.Settled);
    }

    [Fact]
    public async Task Progress_totals_count_the_queue_at_most_once_per_ten_seconds_and_take_in_jobs_enqueued_since_at_the_next_count()
    {
        Enqueue(Company, 6);
        var clock = new FakeTimeProvider(_sandbox.Host.Clock.GetUtcNow());
        var counting = new CountingPairState(_sandbox.State);
        var reports = new List<SyncProgress>();
        var progress = new ReverseSandbox.Hook(reports.Add);
        var drain = new QueueDrain(_sandbox.Context(progress: progress, state: counting, time: clock), SyncDirection.BcToMarketo, concurrency: 1);
        var sender = new ScriptedSender(clock, answerAtOnce: false);
        var target = Target(Company, 2, sender);

        async Task SendOneBatchAsync()
        {
            Assert.Equal(1, drain.Start(target, partial: true, CancellationToken.None));
            (await sender.NextAsync()).Answer();
            await drain.AnyAnswered()!;
            drain.SettleAnswered();
        }

        await SendOneBatchAsync();
        Enqueue(Company, 2, from: 10);
        drain.Enqueued(Company);
        clock.Advance(PendingTally.RecountAfter - TimeSpan.FromTicks(1));
        await SendOneBatchAsync();
        Assert.Equal(1, counting.QueueCounts);
        clock.Advance(TimeSpan.FromTicks(1));
        await SendOneBatchAsync();
        Assert.Equal(2, counting.QueueCounts);

        Assert.Equal([new SyncProgress("Writing", 2, 6), new SyncProgress("Writing", 4, 6), new SyncProgress("Writing", 6, 8)], reports);
    }

    [Fact]
    public async Task After_a_batch_fails_no_batch_starts_and_the_first_failure_is_the_one_reported()
    {
        Enqueue(Company, 6);
        var sender = new ScriptedSender(_sandbox.Host.Clock, answerAtOnce: false);
        var settled = 0;
        var drain = new QueueDrain(_sandbox.Context(), SyncDirection.BcToMarketo, concurrency: 2, settled: () => settled++);
        drain.Start(Target(Company, 2, sender), partial: true, CancellationToken.None);
        var (first, second) = await TwoInOrderAsync(sender);

        first.Fail(new InvalidOperationException("first"));
        await drain.AnyAnswered()!;
        Assert.Empty(drain.SettleAnswered());
        Assert.Equal(1, drain.InFlight);
        second.Fail(new TimeoutException("second"));
        await drain.AnyAnswered()!;
        Assert.Empty(drain.SettleAnswered());

        Assert.Equal("first", Assert.IsType<InvalidOperationException>(drain.StoppedBy!.SourceException).Message);
        Assert.Equal(2, settled);
        Assert.Equal(0, drain.Start(Target(Company, 2, sender), partial: true, CancellationToken.None));
        Assert.Equal(6, Queue.Count(QueuedJobStatus.Pending));
    }

    [Fact]
    public async Task Draining_rethrows_the_failure_that_stopped_it_and_leaves_the_jobs_pending()
    {
        Enqueue(Company, 3);
        var drain = Drain(concurrency: 1);
        JobSender failing = (_, _) => throw new InvalidDataException("refused");

        var thrown = await Assert.ThrowsAsync<InvalidDataException>(() => BcSandbox.ToListAsync(drain.DrainAsync(Target(Company, 2, failing), CancellationToken.None)));
        Assert.Equal("refused", thrown.Message);
        Assert.Equal(3, Queue.Count(QueuedJobStatus.Pending));
    }

    [Fact]
    public async Task Draining_first_settles_the_answers_held_back_by_an_unwritable_audit_without_sending_them_again()
    {
        Enqueue(Company, 3);
        var held = Queue.Take(QueuedJobStatus.Pending, Company, 2);
        var now = _sandbox.Host.Clock.GetUtcNow();
        Queue.HoldAnswers(held.Select(job => (job, HeldAnswers.Write(SentBatch.Created(job, now), job.UpdatedAt))));
        var sender = new ScriptedSender(_sandbox.Host.Clock);

        var results = await BcSandbox.ToListAsync(Drain(concurrency: 1).DrainAsync(Target(Company, 5, sender), CancellationToken.None));

        Assert.Equal(["Company:002"], Assert.Single(sender.Batches).JobIds);
        Assert.Equal(["N002"], results.Select(r => r.SourceNumber));
        Assert.All(new[] { "N000", "N001", "N002" }, n => Assert.Equal("Created", Assert.Single(_sandbox.Audited(n)).Action));
        Assert.Empty(Queue.Answered());
        Assert.Equal(0, Queue.Count(QueuedJobStatus.Pending));
        Assert.Contains(_sandbox.Log.Lines, l => l.StartsWith("VERBOSE Wrote the audit lines of 2 record(s)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Draining_with_no_held_answers_says_nothing_of_them()
    {
        Enqueue(Company, 1);
        await BcSandbox.ToListAsync(Drain(concurrency: 1).DrainAsync(Target(Company, 5, new ScriptedSender(_sandbox.Host.Clock)), CancellationToken.None));
        Assert.DoesNotContain(_sandbox.Log.Lines, l => l.Contains("Wrote the audit lines", StringComparison.Ordinal));
    }

    [Fact]
    public void A_failure_is_parked_with_its_reason_or_with_one_when_it_gave_none()
    {
        Enqueue(Company, 2);
        var jobs = Queue.Take(QueuedJobStatus.Pending, Company, 5);
        Drain(concurrency: 1).Settle(jobs, [new JobOutcome(SentBatch.Result(jobs[0], SyncAction.Failed), null),
            new JobOutcome(SentBatch.Result(jobs[1], SyncAction.Failed, "1003: Field 'email' is invalid"), null)]);

        var parked = Queue.Take(QueuedJobStatus.Parked, Company, 5).ToDictionary(j => j.JobId, j => j.LastError);
        Assert.Equal("failed", parked["Company:000"]);
        Assert.Equal("1003: Field 'email' is invalid", parked["Company:001"]);
    }

    [Fact]
    public void Only_updates_are_told_which_fields_changed_and_an_update_without_record_state_is_settled_as_it_is()
    {
        Enqueue(Company, 3);
        var jobs = Queue.Take(QueuedJobStatus.Pending, Company, 5);
        var now = _sandbox.Host.Clock.GetUtcNow();
        var before = new Dictionary<string, string> { ["name"] = "a", ["city"] = "b" };
        _sandbox.State.Records(SyncDirection.BcToMarketo).Save(jobs.Select(j => new RecordState(j.JobId, j.SourceNumber, "old", null, now) { FieldHashes = before }));

        var after = new Dictionary<string, string> { ["name"] = "a", ["city"] = "c" };
        var created = new JobOutcome(SentBatch.Result(jobs[0], SyncAction.Created), new RecordState(jobs[0].JobId, "N000", "new", null, now) { FieldHashes = after });
        created.Result.ChangedFields = ["name", "city"];
        var updated = new JobOutcome(SentBatch.Result(jobs[1], SyncAction.Updated), new RecordState(jobs[1].JobId, "N001", "new", null, now) { FieldHashes = after });
        var stateless = new JobOutcome(SentBatch.Result(jobs[2], SyncAction.Updated), null);

        var results = Drain(concurrency: 1).Settle(jobs, [created, updated, stateless]);

        Assert.Equal(["name", "city"], results[0].ChangedFields);
        Assert.Equal(["city"], results[1].ChangedFields);
        Assert.Empty(results[2].ChangedFields);
        Assert.Equal(0, Queue.Count(QueuedJobStatus.Pending));
    }

    [Fact]
    public void Links_are_written_only_when_an_answer_named_one()
    {
        Enqueue(Company, 2);
        var jobs = Queue.Take(QueuedJobStatus.Pending, Company, 5);
        var counting = new CountingPairState(_sandbox.State);
        var drain = new QueueDrain(_sandbox.Context(state: counting), SyncDirection.BcToMarketo);
        var now = _sandbox.Host.Clock.GetUtcNow();

        drain.Settle([jobs[0]], [SentBatch.Created(jobs[0], now)]);
        Assert.Equal(0, counting.LinkSaves);
        drain.Settle([jobs[1]], [SentBatch.Created(jobs[1], now) with { Link = new RecordLink(LinkKind.Customer, "N001", null, 42, "N001", now) }]);
        Assert.Equal(1, counting.LinkSaves);
        Assert.Equal(42, _sandbox.State.Links.ByBcNumber(LinkKind.Customer, ["N001"])["N001"].MarketoId);
    }

    // The send pump: while the run's flow waits for something else, each answered batch is settled and the next started.
    [Fact]
    public async Task While_the_flow_waits_the_pump_settles_an_answered_batch_and_starts_the_next_before_the_wait_ends()
    {
        var (pump, _, sender) = PumpOverTwoBatches();
        var first = await sender.NextAsync();
        var awaited = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);

        var waiting = pump.WaitAsync(awaited.Task);
        first.Answer();

        // Only a pump working during the wait frees the one slot for the second batch: the awaited task is still open.
        Assert.Equal(["Company:003", "Company:004", "Company:005"], (await sender.NextAsync()).JobIds);
        Assert.False(waiting.IsCompleted);
        awaited.SetResult(7);
        Assert.Equal(7, await waiting);
        Assert.Equal(first.Jobs.Select(j => j.SourceNumber), pump.TakeResults().Select(r => r.SourceNumber));
    }

    [Fact]
    public async Task A_wait_for_what_has_already_finished_still_settles_what_answered_and_starts_what_may_start()
    {
        var (pump, drain, sender) = PumpOverTwoBatches();
        (await sender.NextAsync()).Answer();
        await drain.AnyAnswered()!;

        await pump.WaitAsync(Task.CompletedTask);

        Assert.Equal(3, pump.TakeResults().Count);
        Assert.Equal(["Company:003", "Company:004", "Company:005"], (await sender.NextAsync()).JobIds);
    }

    [Fact]
    public async Task A_wait_for_work_that_fails_ends_with_that_failure()
    {
        var (pump, _, _) = PumpOverTwoBatches();

        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => pump.WaitAsync(Task.FromException(new InvalidOperationException("describe failed"))));

        Assert.Equal("describe failed", failure.Message);
    }

    [Fact]
    public async Task A_flow_that_fails_hands_on_what_the_pump_settled_for_it_before_the_failure()
    {
        var (pump, drain, sender) = PumpOverTwoBatches();
        (await sender.NextAsync()).Answer();
        await drain.AnyAnswered()!;
        var streamed = new List<string>();

        var failure = await Assert.ThrowsAsync<InvalidOperationException>(async () =>
        {
            await foreach (var result in pump.HandOnAsync(FailingAfterWaitAsync(pump))) streamed.Add(result.SourceNumber);
        });

        Assert.Equal("BC read failed", failure.Message);
        Assert.Equal(["N000", "N001", "N002"], streamed);
        Assert.Empty(pump.TakeResults());
    }

    [Fact]
    public async Task A_flow_that_ends_hands_on_only_its_own_results()
    {
        var (pump, drain, sender) = PumpOverTwoBatches();
        (await sender.NextAsync()).Answer();
        await drain.AnyAnswered()!;
        pump.Pump();

        var streamed = new List<SyncResult>();
        await foreach (var result in pump.HandOnAsync(AsyncEnumerable.Empty<SyncResult>())) streamed.Add(result);

        Assert.Empty(streamed);
        Assert.Equal(3, pump.TakeResults().Count);
    }

    /// <summary>A flow whose wait lets the pump settle a batch, and which then fails before it hands that batch on.</summary>
    private static async IAsyncEnumerable<SyncResult> FailingAfterWaitAsync(SendPump pump, bool fails = true)
    {
        await pump.WaitAsync(Task.CompletedTask);
        if (fails) throw new InvalidOperationException("BC read failed");
        yield break;
    }

    /// <summary>Two batches of three companies, one in flight at a time, answered when the test says; the first is started.</summary>
    private (SendPump Pump, QueueDrain Drain, ScriptedSender Sender) PumpOverTwoBatches()
    {
        Enqueue(Company, 6);
        var sender = new ScriptedSender(_sandbox.Host.Clock, answerAtOnce: false);
        var drain = Drain(concurrency: 1);
        var pump = new SendPump(drain, () => drain.Start(Target(Company, 3, sender), partial: true, CancellationToken.None));
        pump.Pump();
        return (pump, drain, sender);
    }

    private QueueDrain Drain(int concurrency) => new(_sandbox.Context(), SyncDirection.BcToMarketo, concurrency);

    private static JobTarget Target(string type, int batchSize, ScriptedSender sender) => Target(type, batchSize, sender.Send);

    private static JobTarget Target(string type, int batchSize, JobSender send) => new(type, batchSize, send, job => job.JobId, "Writing");

    private void Enqueue(string type, int count, int from = 0, string payload = "{}")
    {
        var now = _sandbox.Host.Clock.GetUtcNow();
        Queue.Enqueue(Enumerable.Range(from, count).Select(i => new QueuedJob($"{type}:{i:D3}", type, "Customer", $"N{i:D3}", payload,
            QueuedJobStatus.Pending, 0, null, now, now)), now);
    }

    /// <summary>A drain that has sent every company job queued so far, in one batch, and settled it.</summary>
    private async Task<QueueDrain> DrainedOnceAsync(ScriptedSender sender)
    {
        var drain = Drain(concurrency: 1);
        Assert.Equal(1, drain.Start(Target(Company, 5, sender), partial: true, CancellationToken.None));
        await sender.NextAsync();
        await SettleAllAsync(drain);
        return drain;
    }

    /// <summary>Two batches started together, in queue order (each is handed over on its own thread-pool task).</summary>
    private static async Task<(SentBatch First, SentBatch Second)> TwoInOrderAsync(ScriptedSender sender)
    {
        var batches = new[] { await sender.NextAsync(), await sender.NextAsync() }.OrderBy(b => b.JobIds[0], StringComparer.Ordinal).ToArray();
        return (batches[0], batches[1]);
    }

    private static async Task SettleAllAsync(QueueDrain drain)
    {
        while (drain.AnyAnswered() is { } answered)
        {
            await answered;
            drain.SettleAnswered();
        }
    }
}
