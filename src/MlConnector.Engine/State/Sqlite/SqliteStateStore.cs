using System.Globalization;
using Microsoft.Data.Sqlite;
using MlConnector.Engine.Security;
using MlConnector.Engine.Sync;
using static MlConnector.Engine.State.Sqlite.SqliteCommands;

namespace MlConnector.Engine.State.Sqlite;

/// <summary>
/// The default state store: one SQLite file per home (WAL, a busy timeout, immediate transactions), shared by every
/// sync pair and by concurrent runs of different pairs. Opening creates the file and applies schema migrations.
/// One instance is used by one run at a time; only its leases may be used from another thread.
/// </summary>
public sealed class SqliteStateStore : IStateStore
{
    private const int BusyTimeoutSeconds = 30;
    private readonly SqliteConnection _connection;
    private readonly SqliteLeaseConnection _leases;

    private SqliteStateStore(string path, SqliteConnection connection, bool created, Func<SqliteConnection>? leaseConnection = null)
    {
        Path = path;
        _connection = connection;
        Created = created;
        _leases = new SqliteLeaseConnection(leaseConnection ?? (() => Connect(path)));
    }

    public string Path { get; }

    public string Location => Path;

    public bool Created { get; }

    public static SqliteStateStore Open(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var fullPath = System.IO.Path.GetFullPath(path);
        try
        {
            var folder = System.IO.Path.GetDirectoryName(fullPath);
            if (!string.IsNullOrEmpty(folder)) PrivateFiles.CreateDirectory(folder);
            var connection = Connect(fullPath);
            try
            {
                var before = Migrate(connection);
                return new SqliteStateStore(fullPath, connection, created: before == 0);
            }
            catch
            {
                connection.Dispose();
                throw;
            }
        }
        catch (Exception ex) when (ex is SqliteException or IOException or UnauthorizedAccessException)
        {
            throw new StateStoreException($"The state database '{fullPath}' could not be opened: {ex.Message}", ex);
        }
    }

    /// <summary>
    /// An empty store that lives in memory only, named after <paramref name="path"/> for messages: what a -WhatIf plan
    /// reads when no state file exists yet, since opening the path would create it. Nothing written to it outlives it.
    /// </summary>
    public static SqliteStateStore InMemory(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = ":memory:", Pooling = false }.ToString());
        try
        {
            connection.Open();
            Migrate(connection);
            // One connection: a second ":memory:" connection would be another, empty database.
            return new SqliteStateStore(System.IO.Path.GetFullPath(path), connection, created: true, leaseConnection: () => connection);
        }
        catch (SqliteException ex)
        {
            connection.Dispose();
            throw new StateStoreException($"An in-memory state store could not be made: {ex.Message}", ex);
        }
    }

    public int SchemaVersion => Guard(() => UserVersion(_connection, null));

    public StateStoreInfo Describe() => Guard(() =>
    {
        Execute(_connection, null, "PRAGMA wal_checkpoint(TRUNCATE);");
        return new StateStoreInfo
        {
            Path = Path,
            SchemaVersion = SchemaVersion,
            SqliteVersion = _connection.ServerVersion,
            SizeBytes = new FileInfo(Path).Length,
        };
    });

    public IReadOnlyList<SyncPair> Pairs() => Guard(() =>
    {
        using var command = Create(_connection, """
            SELECT bc_tenant, bc_environment, bc_company_id, marketo_instance, bc_company_name, company_key_prefix, created_at, last_run_at
            FROM sync_pairs ORDER BY created_at, pair_id;
            """);
        using var reader = command.ExecuteReader();
        var pairs = new List<SyncPair>();
        while (reader.Read())
        {
            var key = SyncPairKey.Create(reader.GetString(0), reader.GetString(1), Guid.Parse(reader.GetString(2)), reader.GetString(3));
            pairs.Add(new SyncPair(key, reader.IsDBNull(4) ? null : reader.GetString(4), reader.GetString(5), ParseTime(reader.GetString(6)),
                reader.IsDBNull(7) ? null : ParseTime(reader.GetString(7))));
        }
        return (IReadOnlyList<SyncPair>)pairs;
    });

    public PairRegistration RegisterPair(SyncPair pair) => Guard(() =>
    {
        using var transaction = _connection.BeginTransaction(deferred: false);
        (string, object?) id = ("$pair", pair.PairId), name = ("$name", pair.BcCompanyName), prefix = ("$prefix", pair.CompanyKeyPrefix);
        using (var update = Create(_connection, transaction, "UPDATE sync_pairs SET bc_company_name = $name, company_key_prefix = $prefix WHERE pair_id = $pair;",
            id, name, prefix))
        {
            if (update.ExecuteNonQuery() == 1)
            {
                transaction.Commit();
                return new PairRegistration(Pairs().First(p => p.PairId == pair.PairId), false, 0);
            }
        }
        using (var insert = Create(_connection, transaction, """
            INSERT INTO sync_pairs(pair_id, bc_tenant, bc_environment, bc_company_id, bc_company_name, marketo_instance, company_key_prefix, created_at)
            VALUES ($pair, $tenant, $environment, $company, $name, $marketo, $prefix, $created);
            """, id, name, prefix, ("$tenant", pair.Key.BcTenant), ("$environment", pair.Key.BcEnvironment), ("$company", pair.Key.BcCompanyId.ToString("D")),
            ("$marketo", pair.Key.MarketoInstance), ("$created", Time(pair.CreatedAt))))
            insert.ExecuteNonQuery();
        var adopted = 0;
        foreach (var table in SqliteMigrations.PairScopedTables)
        {
            using var adopt = Create(_connection, transaction, $"UPDATE {table} SET pair_id = $pair WHERE pair_id = $unclaimed;", id, ("$unclaimed", SyncPairKey.Unclaimed));
            adopted += adopt.ExecuteNonQuery();
        }
        if (adopted > 0)
        {
            using var note = Create(_connection, transaction, """
                INSERT INTO store_meta(key, value) VALUES ('unclaimedAdoptedBy', $pair), ('unclaimedAdoptedAt', $at)
                ON CONFLICT(key) DO UPDATE SET value = excluded.value;
                """, id, ("$at", Time(pair.CreatedAt)));
            note.ExecuteNonQuery();
        }
        transaction.Commit();
        return new PairRegistration(pair with { LastRunAt = null }, true, adopted);
    });

    public void RecordRun(string pairId, DateTimeOffset at) => Guard(() =>
    {
        using var command = Create(_connection, "UPDATE sync_pairs SET last_run_at = $at WHERE pair_id = $pair;", ("$pair", pairId), ("$at", Time(at)));
        command.ExecuteNonQuery();
    });

    public bool HasUnclaimedState() => Guard(() =>
    {
        var exists = string.Join(" OR ", SqliteMigrations.PairScopedTables.Select(t => $"EXISTS (SELECT 1 FROM {t} WHERE pair_id = $unclaimed)"));
        using var command = Create(_connection, $"SELECT {exists};", ("$unclaimed", SyncPairKey.Unclaimed));
        return Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture) != 0;
    });

    public IPairState Pair(string pairId) => new SqlitePairState(_connection, _leases, pairId);

    public void Dispose()
    {
        _leases.Dispose();
        _connection.Dispose();
    }

    private static SqliteConnection Connect(string fullPath)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = fullPath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = false,
            DefaultTimeout = BusyTimeoutSeconds,
        }.ToString());
        connection.Open();
        // Before the first page is written; SQLite gives the -wal and -shm files it creates the database file's mode.
        PrivateFiles.Restrict(fullPath, fullPath + "-wal", fullPath + "-shm", fullPath + "-journal");
        try
        {
            // Another process (a run of another pair, Get-MlSyncState) may hold the write lock for a moment: wait for it.
            Execute(connection, null, $"PRAGMA busy_timeout = {BusyTimeoutSeconds * 1000}; PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;");
        }
        catch
        {
            connection.Dispose();
            throw;
        }
        return connection;
    }

    /// <summary>Applies the missing migrations, each in an immediate transaction that re-reads the version (another process may be migrating too). Returns the version found.</summary>
    private static int Migrate(SqliteConnection connection)
    {
        var found = UserVersion(connection, null);
        while (true)
        {
            using var transaction = connection.BeginTransaction(deferred: false);
            var version = UserVersion(connection, transaction);
            if (version >= SqliteMigrations.Scripts.Length) return found;
            Execute(connection, transaction, SqliteMigrations.Scripts[version]);
            Execute(connection, transaction, $"PRAGMA user_version = {version + 1};");
            using (var stamp = Create(connection, transaction, "INSERT INTO store_meta(key, value) VALUES ('createdBy', $by) ON CONFLICT(key) DO NOTHING;",
                ("$by", "MlConnector " + Hosting.EngineRuntime.VersionOf(typeof(SqliteStateStore).Assembly))))
                stamp.ExecuteNonQuery();
            transaction.Commit();
        }
    }

    private static int UserVersion(SqliteConnection connection, SqliteTransaction? transaction)
    {
        using var command = Create(connection, "PRAGMA user_version;");
        command.Transaction = transaction;
        return Convert.ToInt32(command.ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    private static void Execute(SqliteConnection connection, SqliteTransaction? transaction, string sql)
    {
        using var command = Create(connection, sql);
        command.Transaction = transaction;
        command.ExecuteNonQuery();
    }
}

/// <summary>One pair's views over the store's tables (its transfer half is in SqliteStateTransfer.cs).</summary>
internal sealed partial class SqlitePairState(SqliteConnection connection, SqliteLeaseConnection leases, string pairId) : IPairState
{
    public string PairId => pairId;

    public ICheckpointStore Checkpoints => new SqliteCheckpoints(connection, pairId);

    public IWorkQueue Queue(SyncDirection direction) => new SqliteWorkQueue(connection, pairId, direction);

    public IRecordStates Records(SyncDirection direction) => new SqliteRecordStates(connection, pairId, direction);

    public ILinkStore Links => new SqliteLinks(connection, pairId);

    public ILeaseStore Lease => new SqliteLeases(leases, pairId);

    public ISubscriptionStore Subscriptions => new SqliteSubscriptions(connection, pairId);

    public IMarketoCallCounts MarketoCalls => new SqliteMarketoCalls(connection, pairId);

    public IBulkImports BulkImports => new SqliteBulkImports(connection, pairId);
}
