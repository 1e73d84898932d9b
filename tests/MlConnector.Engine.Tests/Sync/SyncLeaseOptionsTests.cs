using MlConnector.Engine.Diagnostics;
using MlConnector.Engine.State;
using MlConnector.Engine.Sync;
using MlConnector.Engine.Tests.BusinessCentral;

namespace MlConnector.Engine.Tests.Sync;

/// <summary>
/// The lease's timings, its wait for a busy pair and its heartbeat, without a database or a real clock: scripted lease
/// stores, and a clock whose every delay passes at once (so the waits a run makes can be read off it).
/// </summary>
public sealed class SyncLeaseOptionsTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 30, 6, 0, 0, TimeSpan.Zero);

    [Fact]
    public void The_heartbeat_is_a_quarter_of_the_lease_and_the_poll_a_quarter_of_it_but_never_more_than_a_second()
    {
        var standard = new SyncLeaseOptions();
        Assert.Equal(TimeSpan.FromSeconds(30), standard.Heartbeat);
        Assert.Equal(TimeSpan.FromSeconds(1), standard.Poll);

        var short_ = new SyncLeaseOptions { Duration = TimeSpan.FromSeconds(2) };
        Assert.Equal(TimeSpan.FromMilliseconds(500), short_.Heartbeat);
        Assert.Equal(TimeSpan.FromMilliseconds(500), short_.Poll);
    }

    [Theory]
    [InlineData("300", 300)]
    [InlineData("0", 120)]
    [InlineData("-3", 120)]
    [InlineData("soon", 120)]
    [InlineData(null, 120)]
    public void From_environment_takes_a_positive_number_of_seconds_and_else_the_two_minute_default_and_always_the_wait(string? configured, int expectedSeconds)
    {
        // Only positive values other than the default are set: a notification test reading it meanwhile gets a longer lease, no shorter.
        var before = Environment.GetEnvironmentVariable(SyncLeaseOptions.DurationVariable);
        Environment.SetEnvironmentVariable(SyncLeaseOptions.DurationVariable, configured);
        try
        {
            var options = SyncLeaseOptions.FromEnvironment(TimeSpan.FromSeconds(7));
            Assert.Equal(TimeSpan.FromSeconds(expectedSeconds), options.Duration);
            Assert.Equal(TimeSpan.FromSeconds(7), options.Wait);
        }
        finally
        {
            Environment.SetEnvironmentVariable(SyncLeaseOptions.DurationVariable, before);
        }
    }

    [Fact]
    public async Task Acquire_refuses_a_missing_store_or_options_by_name()
    {
        var options = new SyncLeaseOptions();
        Assert.Equal("store", (await Assert.ThrowsAsync<ArgumentNullException>(() =>
            SyncLease.AcquireAsync(null!, "p", options, TimeProvider.System, NullEngineLog.Instance, CancellationToken.None))).ParamName);
        Assert.Equal("options", (await Assert.ThrowsAsync<ArgumentNullException>(() =>
            SyncLease.AcquireAsync(new BusyLease(), "p", null!, TimeProvider.System, NullEngineLog.Instance, CancellationToken.None))).ParamName);
    }

    [Fact]
    public async Task A_busy_pair_is_polled_every_poll_interval_then_for_what_is_left_of_the_wait_and_the_wait_is_said_once()
    {
        var store = new BusyLease();
        var clock = new InstantClock(T0);
        var log = new TestLog();
        var options = new SyncLeaseOptions { Duration = TimeSpan.FromSeconds(4), Wait = TimeSpan.FromSeconds(2.5) };

        var busy = await Assert.ThrowsAsync<MlConnectorException>(() => SyncLease.AcquireAsync(store, "pair-1", options, clock, log, CancellationToken.None));

        Assert.Equal([TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(0.5)], clock.Delays);
        Assert.Equal(4, store.Attempts);
        Assert.Equal(SyncLease.BusyId, busy.ErrorId);
        Assert.Contains("started 2026-11-30 05:00:00Z, its lease expires 2026-11-30 06:02:00Z unless renewed", busy.Message, StringComparison.Ordinal);
        Assert.EndsWith("a run that was killed blocks the pair only until its lease expires.", busy.Message, StringComparison.Ordinal);
        Assert.Equal("VERBOSE Sync pair pair-1 is busy (process 4242 on elsewhere since 2026-11-30 05:00:00Z): waiting up to 3 s.", Assert.Single(log.Lines));
    }

    [Fact]
    public async Task Without_a_wait_a_busy_pair_is_refused_at_the_first_attempt_without_a_delay_or_a_word()
    {
        var store = new BusyLease();
        var clock = new InstantClock(T0);
        var log = new TestLog();

        await Assert.ThrowsAsync<MlConnectorException>(() => SyncLease.AcquireAsync(store, "pair-1", new SyncLeaseOptions(), clock, log, CancellationToken.None));

        Assert.Equal(1, store.Attempts);
        Assert.Empty(clock.Delays);
        Assert.Empty(log.Lines);
    }

    // With every delay passing at once, the heartbeat renews every 30 s of clock time until the lease is lost.
    [Fact]
    public async Task A_renewal_the_store_cannot_make_is_tried_again_until_the_lease_expires_and_then_the_run_is_told_it_lost_it()
    {
        var store = new ScriptedRenewals(Refused, Refused, Refused, Refused);
        var log = new TestLog();

        await using var lease = await SyncLease.AcquireAsync(store, "pair", new SyncLeaseOptions(), new InstantClock(T0), log, CancellationToken.None);
        await LostAsync(lease);

        Assert.Equal([T0.AddSeconds(150), T0.AddSeconds(180), T0.AddSeconds(210), T0.AddSeconds(240)], store.AskedUntil);
        Assert.Equal(4, log.Lines.Count(l => l.StartsWith("VERBOSE The sync pair's lease could not be renewed this time: ", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Each_renewal_moves_the_expiry_on_so_a_store_failing_after_one_keeps_the_lease_until_the_renewed_expiry()
    {
        var store = new ScriptedRenewals(Renewed, Refused, Refused, Refused, Refused);

        await using var lease = await SyncLease.AcquireAsync(store, "pair", new SyncLeaseOptions(), new InstantClock(T0), new TestLog(), CancellationToken.None);
        await LostAsync(lease);

        Assert.Equal(5, store.AskedUntil.Count);
    }

    [Fact]
    public async Task A_renewal_the_store_turns_down_loses_the_lease_at_once()
    {
        var store = new ScriptedRenewals(TurnedDown);

        await using var lease = await SyncLease.AcquireAsync(store, "pair", new SyncLeaseOptions(), new InstantClock(T0), new TestLog(), CancellationToken.None);
        await LostAsync(lease);

        Assert.Single(store.AskedUntil);
    }

    [Fact]
    public async Task A_lease_the_store_cannot_release_is_left_to_expire_and_says_so()
    {
        var store = new ScriptedRenewals(TurnedDown) { ReleaseFails = true };
        var log = new TestLog();
        var lease = await SyncLease.AcquireAsync(store, "pair", new SyncLeaseOptions(), new InstantClock(T0), log, CancellationToken.None);
        await LostAsync(lease);

        await lease.DisposeAsync();

        Assert.Equal([lease.Holder.HolderId], store.ReleaseAsked);
        Assert.Contains(log.Lines, l => l.StartsWith("VERBOSE The sync pair's lease could not be released (it expires by itself): ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Work_running_when_the_lease_is_lost_is_cancelled_and_ends_with_the_lost_lease_error()
    {
        var store = new ScriptedRenewals(TurnedDown);
        await using var lease = await SyncLease.AcquireAsync(store, "pair", new SyncLeaseOptions(), new InstantClock(T0), new TestLog(), CancellationToken.None);

        var lost = await Assert.ThrowsAsync<MlConnectorException>(() =>
            lease.RunAsync(work => Task.Delay(Timeout.Infinite, work), CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30)));

        Assert.Equal(SyncLease.LostId, lost.ErrorId);
        Assert.Equal(MlErrorCategory.ResourceBusy, lost.Category);
        Assert.StartsWith("The run lost its lease on the sync pair (it could not renew it before it expired) and stopped", lost.Message, StringComparison.Ordinal);
        Assert.EndsWith("What it had not finished is still queued and is sent by the next run.", lost.Message, StringComparison.Ordinal);
        Assert.IsAssignableFrom<OperationCanceledException>(lost.InnerException);
    }

    [Fact]
    public async Task Work_the_caller_cancels_while_the_lease_is_held_ends_as_cancelled_not_as_a_lost_lease()
    {
        // A real clock and a two-minute lease: no renewal falls due during the test.
        var store = new ScriptedRenewals();
        await using var lease = await SyncLease.AcquireAsync(store, "pair", new SyncLeaseOptions(), TimeProvider.System, new TestLog(), CancellationToken.None);
        using var caller = new CancellationTokenSource();
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var run = lease.RunAsync(async work =>
        {
            started.SetResult();
            await Task.Delay(Timeout.Infinite, work);
        }, caller.Token);
        await started.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await caller.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.False(lease.Lost.IsCancellationRequested);
        Assert.Empty(store.AskedUntil);
    }

    [Fact]
    public async Task A_timeout_of_the_work_itself_while_the_lease_is_held_is_not_taken_for_a_lost_lease()
    {
        var store = new ScriptedRenewals();
        await using var lease = await SyncLease.AcquireAsync(store, "pair", new SyncLeaseOptions(), TimeProvider.System, new TestLog(), CancellationToken.None);

        var timedOut = await Assert.ThrowsAsync<TaskCanceledException>(() =>
            lease.RunAsync(_ => throw new TaskCanceledException("The request was canceled due to the configured HttpClient.Timeout."), CancellationToken.None));

        Assert.StartsWith("The request was canceled", timedOut.Message, StringComparison.Ordinal);
    }

    private const int Renewed = 0, TurnedDown = 1, Refused = 2;

    private static async Task LostAsync(SyncLease lease)
    {
        var lost = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var registration = lease.Lost.Register(() => lost.TrySetResult());
        await lost.Task.WaitAsync(TimeSpan.FromSeconds(30));
    }

    /// <summary>A lease store that grants the lease and answers each renewal as scripted: renewed, turned down, or refused (the store failed).</summary>
    private sealed class ScriptedRenewals(params int[] answers) : ILeaseStore
    {
        private readonly Queue<int> _answers = new(answers);

        public List<DateTimeOffset> AskedUntil { get; } = new();

        public List<string> ReleaseAsked { get; } = new();

        public bool ReleaseFails { get; init; }

        public LeaseAttempt TryAcquire(LeaseHolder holder, DateTimeOffset now) => new(true, holder);

        public bool Renew(string holderId, DateTimeOffset expiresAt)
        {
            AskedUntil.Add(expiresAt);
            if (!_answers.TryDequeue(out var answer)) throw new InvalidOperationException("The lease was renewed more often than scripted.");
            return answer == Refused ? throw new StateStoreException("The state store could not be reached.", new IOException("unreachable")) : answer == Renewed;
        }

        public void Release(string holderId)
        {
            ReleaseAsked.Add(holderId);
            if (ReleaseFails) throw new StateStoreException("The state store could not be reached.", new IOException("unreachable"));
        }

        public LeaseHolder? Current(DateTimeOffset now) => null;
    }

    /// <summary>A lease another run holds (an hour-old run in another process, held for two more minutes), whoever asks.</summary>
    private sealed class BusyLease : ILeaseStore
    {
        private static readonly LeaseHolder Other = new("other-run", 4242, "elsewhere", T0.AddHours(-1), T0.AddMinutes(2));

        public int Attempts { get; private set; }

        public LeaseAttempt TryAcquire(LeaseHolder holder, DateTimeOffset now)
        {
            // A run that never gives up would ask forever; fail the test instead.
            if (++Attempts > 20) throw new InvalidOperationException("The lease was asked for more than 20 times.");
            return new LeaseAttempt(false, Other);
        }

        public bool Renew(string holderId, DateTimeOffset expiresAt) => throw new NotSupportedException();

        public void Release(string holderId) => throw new NotSupportedException();

        public LeaseHolder? Current(DateTimeOffset now) => Other;
    }

    /// <summary>A clock on which every delay passes as soon as it is asked for, moving the clock on by it.</summary>
    private sealed class InstantClock(DateTimeOffset start) : TimeProvider
    {
        private readonly List<TimeSpan> _delays = new();
        private DateTimeOffset _now = start;

        public IReadOnlyList<TimeSpan> Delays => _delays;

        public override DateTimeOffset GetUtcNow() => _now;

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            _delays.Add(dueTime);
            _now += dueTime;
            callback(state);
            return new PassedTimer();
        }

        private sealed class PassedTimer : ITimer
        {
            public bool Change(TimeSpan dueTime, TimeSpan period) => false;
            public void Dispose() { }
            public ValueTask DisposeAsync() => ValueTask.CompletedTask;
        }
    }
}
