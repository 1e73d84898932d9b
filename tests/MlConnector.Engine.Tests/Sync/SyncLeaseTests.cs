using MlConnector.Engine.Diagnostics;
using MlConnector.Engine.State;
using MlConnector.Engine.State.Sqlite;
using MlConnector.Engine.Sync;

namespace MlConnector.Engine.Tests.Sync;

/// <summary>
/// One run per pair: the lease in the state store. Each test opens the database twice, as two runs (two processes,
/// or two runspaces of one) would.
/// </summary>
public sealed class SyncLeaseTests : IDisposable
{
    private static readonly SyncPairKey Pair = SyncPairKey.Create("tenant", "Production", Guid.NewGuid(), "111-AAA-111");
    private static readonly SyncPairKey OtherPair = SyncPairKey.Create("tenant", "Production", Guid.NewGuid(), "222-BBB-222");
    private readonly string _folder = Directory.CreateTempSubdirectory("mlc-lease-").FullName;

    private SqliteStateStore Open() => SqliteStateStore.Open(Path.Combine(_folder, "state.db"));

    private static Task<SyncLease> AcquireAsync(SqliteStateStore store, SyncPairKey pair, TimeSpan wait, TimeSpan? duration = null)
        => SyncLease.AcquireAsync(store.Pair(pair.PairId).Lease, pair.PairId,
            new SyncLeaseOptions { Wait = wait, Duration = duration ?? TimeSpan.FromMinutes(2) }, TimeProvider.System, NullEngineLog.Instance, CancellationToken.None);

    [Fact]
    public async Task A_second_run_of_the_pair_stops_with_the_busy_error_naming_the_holder_and_another_pair_runs_beside_it()
    {
        using var first = Open();
        using var second = Open();
        await using var held = await AcquireAsync(first, Pair, TimeSpan.Zero);

        var busy = await Assert.ThrowsAsync<MlConnectorException>(() => AcquireAsync(second, Pair, TimeSpan.Zero));
        Assert.Equal(SyncLease.BusyId, busy.ErrorId);
        Assert.Equal(MlErrorCategory.ResourceBusy, busy.Category);
        Assert.Contains($"process {Environment.ProcessId} on {Environment.MachineName}", busy.Message, StringComparison.Ordinal);
        Assert.Contains("expires", busy.Message, StringComparison.Ordinal);
        Assert.Contains("-LeaseTimeout", busy.Message, StringComparison.Ordinal);
        Assert.Equal(held.Holder.HolderId, second.Pair(Pair.PairId).Lease.Current(DateTimeOffset.UtcNow)!.HolderId);

        await using var beside = await AcquireAsync(second, OtherPair, TimeSpan.Zero);
        Assert.NotNull(beside);
    }

    [Fact]
    public async Task A_waiting_run_takes_the_lease_once_the_holder_releases_it()
    {
        using var first = Open();
        using var second = Open();
        var held = await AcquireAsync(first, Pair, TimeSpan.Zero);
        var waiting = AcquireAsync(second, Pair, TimeSpan.FromMinutes(1));
        Assert.False(waiting.IsCompleted);

        await held.DisposeAsync();
        await using var taken = await waiting;

        Assert.NotEqual(held.Holder.HolderId, taken.Holder.HolderId);
        Assert.Equal(taken.Holder.HolderId, first.Pair(Pair.PairId).Lease.Current(DateTimeOffset.UtcNow)!.HolderId);
    }

    [Fact]
    public async Task A_holder_that_died_blocks_the_pair_only_until_its_lease_expires()
    {
        using var store = Open();
        // What a SIGKILLed run leaves behind: its row, never renewed again.
        var expires = DateTimeOffset.UtcNow.AddSeconds(2);
        var dead = new LeaseHolder("dead-run", 999_999, "elsewhere", DateTimeOffset.UtcNow, expires);
        Assert.True(store.Pair(Pair.PairId).Lease.TryAcquire(dead, DateTimeOffset.UtcNow).Acquired);

        var busy = await Assert.ThrowsAsync<MlConnectorException>(() => AcquireAsync(store, Pair, TimeSpan.Zero));
        Assert.Contains("process 999999 on elsewhere", busy.Message, StringComparison.Ordinal);
        await using var taken = await AcquireAsync(store, Pair, TimeSpan.FromMinutes(1));

        Assert.True(DateTimeOffset.UtcNow >= expires);
        Assert.Equal(taken.Holder.HolderId, store.Pair(Pair.PairId).Lease.Current(DateTimeOffset.UtcNow)!.HolderId);
    }

    [Fact]
    public async Task The_heartbeat_keeps_a_short_lease_alive_and_a_run_that_loses_it_stops_with_the_lost_error()
    {
        using var store = Open();
        await using var lease = await AcquireAsync(store, Pair, TimeSpan.Zero, TimeSpan.FromSeconds(1));
        var row = store.Pair(Pair.PairId).Lease;
        var firstExpiry = row.Current(DateTimeOffset.UtcNow)!.ExpiresAt;
        // Renewed well inside its second: still held, and later, after the first expiry has passed.
        await WaitUntilAsync(() => row.Current(DateTimeOffset.UtcNow) is { } h && h.ExpiresAt > firstExpiry.AddMilliseconds(500));
        Assert.False(lease.Lost.IsCancellationRequested);

        // Another holder took the pair (as after an expiry the heartbeat missed): the run is stopped.
        var thief = new LeaseHolder("thief", 1, "elsewhere", DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddMinutes(5));
        Assert.True(row.TryAcquire(thief, DateTimeOffset.UtcNow.AddMinutes(1)).Acquired);
        var lost = await Assert.ThrowsAsync<MlConnectorException>(() => lease.RunAsync(token => Task.Delay(Timeout.Infinite, token), CancellationToken.None));
        Assert.Equal(SyncLease.LostId, lost.ErrorId);
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!condition()) await Task.Delay(50, timeout.Token);
    }

    public void Dispose()
    {
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { }
    }
}
