using MlConnector.Engine.State;
using MlConnector.Engine.State.Sqlite;
using MlConnector.Engine.Sync;

namespace MlConnector.Engine.Tests.State;

/// <summary>What only the SQLite store does: a file that is not, or no longer, a database; its schema; a store created again. The rest is the contract (StateStoreContract).</summary>
public sealed class StateStoreTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 27, 10, 0, 0, TimeSpan.Zero);
    private static readonly SyncPairKey PairA = SyncPairKey.Create("tenant-a", "Production", Guid.Parse("00000000-0000-0000-0000-0000000000a1"), "111-AAA-111");
    private static readonly SyncPairKey PairB = SyncPairKey.Create("tenant-a", "Production", Guid.Parse("00000000-0000-0000-0000-0000000000b2"), "111-AAA-111");
    private readonly string _folder = Directory.CreateTempSubdirectory("mlc-state-").FullName;

    private string DbPath => Path.Combine(_folder, "state.db");

    private static QueuedJob Job(string number, string payload = "{}") =>
        new("company:" + number, "Company", "Customer", number, payload, QueuedJobStatus.Pending, 0, null, T0, T0);

    private static IWorkQueue Queue(SqliteStateStore store, SyncPairKey? pair = null) => store.Pair((pair ?? PairA).PairId).Queue(SyncDirection.BcToMarketo);

    [Fact]
    public void The_pair_key_ignores_case_and_spacing_and_gives_each_pair_its_own_stable_id()
    {
        var company = Guid.NewGuid();
        var a = SyncPairKey.Create("Contoso-Tenant", "Production", company, "123-abc-456");
        var b = SyncPairKey.Create(" contoso-tenant ", "PRODUCTION", company, "123-ABC-456");
        Assert.Equal(a, b);
        Assert.Equal(a.PairId, b.PairId);
        Assert.NotEqual(a.PairId, SyncPairKey.Create("contoso-tenant", "Production", company, "999-XYZ-999").PairId);
        Assert.NotEqual(a.PairId, SyncPairKey.Create("contoso-tenant", "Sandbox", company, "123-ABC-456").PairId);
        Assert.Matches("^pair-[0-9a-f]{16}$", a.PairId);
    }

    [Fact]
    public void A_file_that_is_not_a_database_reports_the_state_store_unavailable()
    {
        File.WriteAllText(DbPath, "this is not a SQLite database, but something else entirely; " + new string('x', 4096));
        var error = Assert.Throws<StateStoreException>(() => SqliteStateStore.Open(DbPath));
        Assert.Equal("StateStoreUnavailable", error.ErrorId);
        Assert.Contains(DbPath, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_empty_file_is_created_as_a_new_store()
    {
        File.WriteAllBytes(DbPath, []);
        using var store = SqliteStateStore.Open(DbPath);
        Assert.True(store.Created);
        Assert.Equal(SqliteMigrationsVersion, store.SchemaVersion);
    }

    [Fact]
    public void A_database_damaged_inside_reports_the_state_store_unavailable_when_it_is_read()
    {
        using (var store = SqliteStateStore.Open(DbPath))
        {
            store.RegisterPair(new SyncPair(PairA, "CRONUS", "", T0));
            Queue(store).Enqueue(Enumerable.Range(0, 200).Select(i => Job("C" + i, new string('x', 500))), T0);
            store.Describe();
        }
        // Keep the header page (the file still opens as SQLite), overwrite every page after it.
        var bytes = File.ReadAllBytes(DbPath);
        Assert.True(bytes.Length > 8192);
        for (var i = 4096; i < bytes.Length; i++) bytes[i] = 0x5A;
        File.WriteAllBytes(DbPath, bytes);

        var error = Assert.Throws<StateStoreException>(() =>
        {
            using var damaged = SqliteStateStore.Open(DbPath);
            damaged.Pairs();
            Queue(damaged).Count(QueuedJobStatus.Pending);
        });
        Assert.Equal("StateStoreUnavailable", error.ErrorId);
        Assert.IsAssignableFrom<MlConnectorException>(error);
    }

    [Fact]
    public void A_table_gone_from_under_an_open_store_reports_that_the_database_could_not_be_read_with_sqlites_reason()
    {
        using var store = SqliteStateStore.Open(DbPath);
        using (var other = new Microsoft.Data.Sqlite.SqliteConnection("Data Source=" + DbPath + ";Pooling=False"))
        {
            other.Open();
            using var drop = other.CreateCommand();
            drop.CommandText = "DROP TABLE work_queue;";
            drop.ExecuteNonQuery();
        }

        var error = Assert.Throws<StateStoreException>(() => Queue(store).Count(QueuedJobStatus.Pending));

        Assert.Equal("StateStoreUnavailable", error.ErrorId);
        Assert.StartsWith("The state database could not be read or written: ", error.Message, StringComparison.Ordinal);
        Assert.Contains("no such table: work_queue", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_store_created_again_after_runs_warns_that_everything_is_sent_again_and_a_first_store_says_so_verbosely(bool earlierRuns)
    {
        var audit = new MlConnector.Engine.Audit.AuditLog(Path.Combine(_folder, "audit"));
        if (earlierRuns) audit.Append(new MlConnector.Engine.Audit.AuditRecord
        {
            Time = T0, CorrelationId = "earlier", Direction = "BcToMarketo", SourceType = "Customer", SourceNumber = "C1", TargetType = "Company", Action = "Created",
        });
        var log = new MlConnector.Engine.Tests.BusinessCentral.TestLog();
        using (var store = SqliteStateStore.Open(DbPath)) SyncPairs.ReportCreatedStore(store, audit, log);
        using (var again = SqliteStateStore.Open(DbPath)) SyncPairs.ReportCreatedStore(again, audit, log);

        var line = Assert.Single(log.Lines);
        if (earlierRuns) Assert.StartsWith("WARNING " + MlConnector.Engine.Diagnostics.EngineWarnings.StateCreated, line, StringComparison.Ordinal);
        else Assert.StartsWith("VERBOSE ", line, StringComparison.Ordinal);
        Assert.Contains(DbPath, line, StringComparison.Ordinal);
    }

    private static int SqliteMigrationsVersion => 10;

    public void Dispose()
    {
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { }
    }
}
