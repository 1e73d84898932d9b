using MlConnector.Engine.Diagnostics;
using MlConnector.Engine.State;
using MlConnector.Engine.State.Sqlite;
using MlConnector.Engine.Sync;

namespace MlConnector.Engine.Tests.State;

/// <summary>
/// Copy-MlState between two SQLite files: what it refuses before copying anything, what it counts and reports while it
/// copies, and where a cancelled copy stops. Copies between SQLite and Table Storage are in Azurite/TableStoreSyncTests.
/// </summary>
public sealed class StateCopyTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 27, 10, 0, 0, TimeSpan.Zero);
    private static readonly SyncPairKey Key = SyncPairKey.Create("tenant-a", "Production", Guid.Parse("00000000-0000-0000-0000-0000000000a1"), "111-AAA-111");
    private readonly string _folder = Directory.CreateTempSubdirectory("mlc-copy-").FullName;
    private readonly SqliteStateStore _from;
    private readonly SqliteStateStore _to;
    private readonly SyncPair _pair;

    public StateCopyTests()
    {
        _from = SqliteStateStore.Open(Path.Combine(_folder, "from.db"));
        _to = SqliteStateStore.Open(Path.Combine(_folder, "to.db"));
        _pair = _from.RegisterPair(new SyncPair(Key, "CRONUS", "", T0)).Pair;
    }

    private IPairState Source => _from.Pair(_pair.PairId);

    private IPairState Target => _to.Pair(_pair.PairId);

    private Task<StateCopyResult> CopyAsync(IStateStore? from = null, IStateStore? to = null, SyncPair? pair = null, bool replace = false,
        IProgress<SyncProgress>? progress = null, SyncLeaseOptions? lease = null, CancellationToken cancel = default)
        => StateCopy.CopyPairAsync(from ?? _from, to ?? _to, pair ?? _pair, replace, lease ?? new SyncLeaseOptions(), TimeProvider.System, NullEngineLog.Instance, progress, cancel);

    private static QueuedJob Job(string number, QueuedJobStatus status = QueuedJobStatus.Pending) =>
        new("company:" + number, "Company", "Customer", number, "{}", status, status == QueuedJobStatus.Parked ? 1 : 0, null, T0, T0);

    private static IEnumerable<RecordState> Records(int count) => Enumerable.Range(0, count).Select(i => new RecordState($"company:C{i:D4}", $"C{i:D4}", "h", "1", T0));

    private static IEnumerable<RecordLink> Links(int count) => Enumerable.Range(0, count).Select(i => new RecordLink(LinkKind.Customer, $"C{i:D4}", null, i + 1, null, T0));

    private static IEnumerable<StoredJob> Jobs(int count) => Enumerable.Range(0, count).Select(i => new StoredJob(Job($"C{i:D4}"), null));

    [Fact]
    public async Task A_copy_counts_the_checkpoints_watermarks_and_pending_jobs_it_carried()
    {
        Source.Checkpoints.Advance(SyncCheckpoints.Customers, T0, T0);
        Source.Checkpoints.Advance(SyncCheckpoints.Contacts, T0, T0);
        Source.Checkpoints.SetWatermark(SyncCheckpoints.LeadChanges, new Watermark("token", T0), T0);
        ((IPairStateTransfer)Source).RestoreJobs(SyncDirection.BcToMarketo,
            [new(Job("C1"), null), new(Job("C2"), null), new(Job("C3"), null), new(Job("C4", QueuedJobStatus.Parked), null)], T0);

        var copied = await CopyAsync();

        Assert.Equal((2, 1, 3, 1, 0), (copied.Checkpoints, copied.Watermarks, copied.Pending, copied.Parked, copied.Answered));
        Assert.Equal((_pair.PairId, "CRONUS", "111-AAA-111", _from.Location, _to.Location), (copied.PairId, copied.BcCompanyName, copied.MunchkinId, copied.From, copied.To));
        Assert.Equal(T0, Target.Checkpoints.Get(SyncCheckpoints.Contacts));
        Assert.Equal(3, Target.Queue(SyncDirection.BcToMarketo).Count(QueuedJobStatus.Pending));
    }

    [Fact]
    public async Task A_copy_reports_its_progress_per_batch_of_a_thousand_rows()
    {
        Source.Records(SyncDirection.BcToMarketo).Save(Records(1001));
        ((IPairStateTransfer)Source).RestoreJobs(SyncDirection.MarketoToBc,
            [.. Jobs(2), new(Job("P1", QueuedJobStatus.Parked), null), new(Job("A1", QueuedJobStatus.Answered), "{\"id\":1}")], T0);
        Source.Links.Save(Links(3));
        var reports = new Reports();

        var copied = await CopyAsync(progress: reports);

        Assert.Equal([new("Copying record state", 1000), new("Copying record state", 1001), new("Copying queued jobs", 4), new SyncProgress("Copying links", 3)],
            reports.Seen);
        Assert.Equal((1001, 2, 1, 1, 3), (copied.Records, copied.Pending, copied.Parked, copied.Answered, copied.Links));
    }

    [Theory]
    [InlineData("records")]
    [InlineData("jobs")]
    [InlineData("links")]
    public async Task A_copy_cancelled_while_it_runs_stops_before_its_next_batch(string rows)
    {
        switch (rows)
        {
            case "records": Source.Records(SyncDirection.BcToMarketo).Save(Records(1001)); break;
            case "jobs": ((IPairStateTransfer)Source).RestoreJobs(SyncDirection.BcToMarketo, Jobs(1001), T0); break;
            default: Source.Links.Save(Links(1001)); break;
        }
        using var cancel = new CancellationTokenSource();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => CopyAsync(progress: new Reports(cancel.Cancel), cancel: cancel.Token));

        var copied = rows switch
        {
            "records" => Target.Records(SyncDirection.BcToMarketo).Count(),
            "jobs" => Target.Queue(SyncDirection.BcToMarketo).Count(QueuedJobStatus.Pending),
            _ => Target.Links.Count(LinkKind.Customer),
        };
        Assert.Equal(1000, copied);
    }

    [Fact]
    public async Task A_copy_refuses_a_target_that_holds_the_pair_naming_both_stores_and_how_to_replace_it()
    {
        await CopyAsync();

        var error = await Assert.ThrowsAsync<MlConnectorException>(() => CopyAsync());

        Assert.Equal(StateCopy.TargetHoldsPairId, error.ErrorId);
        Assert.Contains($"{_to.Location} already holds state for sync pair {_pair.PairId} (CRONUS <-> Marketo 111-AAA-111)", error.Message, StringComparison.Ordinal);
        Assert.EndsWith("Add -Force to replace it with the state from " + _from.Location + ".", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_copy_to_the_same_store_is_refused_naming_it()
    {
        using var again = SqliteStateStore.Open(Path.Combine(_folder, "from.db"));

        var error = await Assert.ThrowsAsync<MlConnectorException>(() => CopyAsync(to: again));

        Assert.Equal(StateCopy.SameStoreId, error.ErrorId);
        Assert.Contains(_from.Location, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_copy_to_a_store_holding_state_from_before_pairs_is_refused_and_leaves_that_state_unclaimed()
    {
        _to.Pair(SyncPairKey.Unclaimed).Queue(SyncDirection.BcToMarketo).Enqueue([Job("OLD")], T0);

        var error = await Assert.ThrowsAsync<MlConnectorException>(() => CopyAsync());

        Assert.Equal(StateCopy.TargetUnclaimedId, error.ErrorId);
        Assert.StartsWith(_to.Location + " holds state written before sync pairs", error.Message, StringComparison.Ordinal);
        Assert.Empty(_to.Pairs());
        Assert.True(_to.HasUnclaimedState());
    }

    [Fact]
    public async Task A_copy_of_a_pair_another_run_holds_is_refused_naming_the_pair()
    {
        Assert.True(Source.Lease.TryAcquire(new LeaseHolder("run", 4242, "host-a", DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddHours(1)), DateTimeOffset.UtcNow).Acquired);

        var error = await Assert.ThrowsAsync<MlConnectorException>(() => CopyAsync());

        Assert.Equal(SyncLease.BusyId, error.ErrorId);
        Assert.Contains($"Sync pair {_pair.PairId} (CRONUS <-> Marketo 111-AAA-111) is busy", error.Message, StringComparison.Ordinal);
        Assert.Empty(_to.Pairs());
    }

    [Fact]
    public async Task A_copy_without_a_source_target_or_pair_is_refused()
    {
        await Assert.ThrowsAsync<ArgumentNullException>(() => StateCopy.CopyPairAsync(null!, _to, _pair, false, new SyncLeaseOptions(), TimeProvider.System, NullEngineLog.Instance, null, default));
        await Assert.ThrowsAsync<ArgumentNullException>(() => StateCopy.CopyPairAsync(_from, null!, _pair, false, new SyncLeaseOptions(), TimeProvider.System, NullEngineLog.Instance, null, default));
        await Assert.ThrowsAsync<ArgumentNullException>(() => StateCopy.CopyPairAsync(_from, _to, null!, false, new SyncLeaseOptions(), TimeProvider.System, NullEngineLog.Instance, null, default));
    }

    /// <summary>Progress seen as it is reported (Progress&lt;T&gt; would report later, on the thread pool).</summary>
    private sealed class Reports(Action? onReport = null) : IProgress<SyncProgress>
    {
        public List<SyncProgress> Seen { get; } = [];

        public void Report(SyncProgress value)
        {
            Seen.Add(value);
            onReport?.Invoke();
        }
    }

    public void Dispose()
    {
        _from.Dispose();
        _to.Dispose();
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { }
    }
}
