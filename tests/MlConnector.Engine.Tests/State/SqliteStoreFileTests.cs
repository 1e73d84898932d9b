using Microsoft.Data.Sqlite;
using MlConnector.Engine.State;
using MlConnector.Engine.State.Sqlite;
using MlConnector.Engine.Sync;

namespace MlConnector.Engine.Tests.State;

/// <summary>
/// The SQLite store's file: where it is made, its write-ahead log, what its metadata notes, that a disposed store lets
/// go of it; and the in-memory store a -WhatIf plan reads, which makes no file at all.
/// </summary>
public sealed class SqliteStoreFileTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 27, 10, 0, 0, TimeSpan.Zero);
    private static readonly SyncPairKey PairA = SyncPairKey.Create("tenant-a", "Production", Guid.Parse("00000000-0000-0000-0000-0000000000a1"), "111-AAA-111");
    private readonly string _folder = Directory.CreateTempSubdirectory("mlc-file-").FullName;

    private string DbPath => Path.Combine(_folder, "state.db");

    private static QueuedJob Job(string number) =>
        new("company:" + number, "Company", "Customer", number, new string('x', 500), QueuedJobStatus.Pending, 0, null, T0, T0);

    private static LeaseHolder Holder(string id) => new(id, 1, "host", T0, T0.AddMinutes(2));

    /// <summary>Reads the file as any SQLite client would, outside the store.</summary>
    private static string? Read(string path, string sql)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar()?.ToString();
    }

    private string? Meta(string key) => Read(DbPath, $"SELECT value FROM store_meta WHERE key = '{key}';");

    [Fact]
    public void A_store_in_folders_that_do_not_exist_yet_creates_them()
    {
        var path = Path.Combine(_folder, "home", "state", "state.db");

        using var store = SqliteStateStore.Open(path);

        Assert.True(store.Created);
        Assert.True(File.Exists(path));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public void A_blank_path_is_refused(string path)
    {
        Assert.Throws<ArgumentException>(() => SqliteStateStore.Open(path));
        Assert.Throws<ArgumentException>(() => SqliteStateStore.InMemory(path));
    }

    [Fact]
    public void The_file_keeps_a_write_ahead_log_so_readers_do_not_wait_for_a_run()
    {
        using (SqliteStateStore.Open(DbPath)) { }

        Assert.Equal("wal", Read(DbPath, "PRAGMA journal_mode;"));
    }

    [Fact]
    public void Describe_counts_what_is_still_in_the_write_ahead_log()
    {
        using var store = SqliteStateStore.Open(DbPath);
        store.Pair(PairA.PairId).Queue(SyncDirection.BcToMarketo).Enqueue(Enumerable.Range(0, 400).Select(i => Job("C" + i)), T0);

        var info = store.Describe();

        // 400 payloads of 500 characters: 200 KB that, before Describe, lived in the -wal file only.
        Assert.True(info.SizeBytes > 200_000, $"{info.SizeBytes} bytes");
        Assert.Equal(new FileInfo(DbPath).Length, info.SizeBytes);
        Assert.Equal(0, new FileInfo(DbPath + "-wal").Length);
        Assert.Equal((DbPath, SqliteMigrations.Scripts.Length), (info.Path, info.SchemaVersion));
    }

    [Fact]
    public void A_disposed_store_closes_the_file_and_its_lease_connection_so_its_log_is_folded_in_and_removed()
    {
        var store = SqliteStateStore.Open(DbPath);
        var lease = store.Pair(PairA.PairId).Lease;
        Assert.True(lease.TryAcquire(Holder("run"), T0).Acquired);
        Assert.True(lease.Renew("run", T0.AddMinutes(3)));
        Assert.True(File.Exists(DbPath + "-wal"));

        store.Dispose();

        // SQLite removes the -wal file when the last connection to the database closes.
        Assert.False(File.Exists(DbPath + "-wal"));
    }

    [Security.UnixFact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void A_log_a_crashed_run_left_readable_by_others_is_narrowed_when_the_store_opens()
    {
        var crashed = Path.Combine(_folder, "crashed");
        Directory.CreateDirectory(crashed);
        using (var store = SqliteStateStore.Open(DbPath))
        {
            store.Pair(PairA.PairId).Queue(SyncDirection.BcToMarketo).Enqueue([Job("C1")], T0);
            // The files as a process killed now would leave them: the write is still in the -wal file.
            foreach (var suffix in new[] { "", "-wal", "-shm" }) File.Copy(DbPath + suffix, Path.Combine(crashed, "state.db" + suffix));
        }
        var copy = Path.Combine(crashed, "state.db");
        const UnixFileMode owner = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        foreach (var suffix in new[] { "", "-wal", "-shm" }) File.SetUnixFileMode(copy + suffix, owner | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        using var reopened = SqliteStateStore.Open(copy);

        Assert.Equal([owner, owner, owner], new[] { "", "-wal", "-shm" }.Select(suffix => File.GetUnixFileMode(copy + suffix)));
        Assert.Equal(1, reopened.Pair(PairA.PairId).Queue(SyncDirection.BcToMarketo).Count(QueuedJobStatus.Pending));
    }

    [Fact]
    public void A_new_store_notes_the_engine_version_that_created_it()
    {
        using (SqliteStateStore.Open(DbPath)) { }
        using (SqliteStateStore.Open(DbPath)) { }

        Assert.Equal("MlConnector " + Engine.Hosting.EngineRuntime.Describe().EngineVersion, Meta("createdBy"));
    }

    [Fact]
    public void The_pair_that_adopts_state_from_before_pairs_is_noted_with_when_and_a_pair_that_adopts_nothing_is_not()
    {
        using (var store = SqliteStateStore.Open(DbPath))
        {
            store.RegisterPair(new SyncPair(PairA, "A", "", T0));
            Assert.Null(Meta("unclaimedAdoptedBy"));
            store.Pair(SyncPairKey.Unclaimed).Queue(SyncDirection.BcToMarketo).Enqueue([Job("OLD")], T0);
            var other = SyncPairKey.Create("tenant-a", "Production", Guid.NewGuid(), "111-AAA-111");

            Assert.Equal(1, store.RegisterPair(new SyncPair(other, "B", "", T0.AddDays(1))).AdoptedRows);

            Assert.Equal(other.PairId, Meta("unclaimedAdoptedBy"));
            Assert.Equal(StateTime.Format(T0.AddDays(1)), Meta("unclaimedAdoptedAt"));
        }
    }

    [Fact]
    public void An_in_memory_store_makes_no_file_and_holds_what_is_written_until_it_is_disposed()
    {
        using (var plan = SqliteStateStore.InMemory(DbPath))
        {
            Assert.True(plan.Created);
            Assert.Equal(Path.GetFullPath(DbPath), plan.Location);
            Assert.Empty(plan.Pairs());
            plan.Pair(PairA.PairId).Queue(SyncDirection.BcToMarketo).Enqueue([Job("C1")], T0);
            var lease = plan.Pair(PairA.PairId).Lease;
            Assert.True(lease.TryAcquire(Holder("plan"), T0).Acquired);
            Assert.Equal("plan", lease.Current(T0)!.HolderId);
            Assert.Equal(1, plan.Pair(PairA.PairId).Queue(SyncDirection.BcToMarketo).Count(QueuedJobStatus.Pending));
        }
        Assert.Empty(Directory.EnumerateFileSystemEntries(_folder));

        using var next = SqliteStateStore.InMemory(DbPath);
        Assert.Equal(0, next.Pair(PairA.PairId).Queue(SyncDirection.BcToMarketo).Count(QueuedJobStatus.Pending));
        Assert.Null(next.Pair(PairA.PairId).Lease.Current(T0));
    }

    public void Dispose()
    {
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { }
    }
}
