using Microsoft.Data.Sqlite;
using MlConnector.Engine.Security;

namespace MlConnector.Engine.State;

/// <summary>
/// The connector's durable state (checkpoints, work queue, content hashes) in one SQLite file.
/// Opening creates the file and applies schema migrations in order.
/// </summary>
public sealed class SqliteStateStore : IDisposable
{
    private static readonly string[] Migrations =
    [
        """
        CREATE TABLE IF NOT EXISTS store_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        """,
        """
        CREATE TABLE work_queue (
            job_id         TEXT PRIMARY KEY,
            target_type    TEXT NOT NULL,
            source_type    TEXT NOT NULL,
            source_number  TEXT NOT NULL,
            payload        TEXT NOT NULL,
            status         TEXT NOT NULL,
            attempts       INTEGER NOT NULL DEFAULT 0,
            last_error     TEXT NULL,
            enqueued_at    TEXT NOT NULL,
            updated_at     TEXT NOT NULL,
            sequence       INTEGER NOT NULL
        );
        CREATE INDEX work_queue_status ON work_queue(status, target_type, sequence);
        CREATE TABLE record_state (
            target_key     TEXT PRIMARY KEY,
            source_number  TEXT NOT NULL,
            content_hash   TEXT NOT NULL,
            marketo_id     INTEGER NULL,
            written_at     TEXT NOT NULL
        );
        CREATE TABLE checkpoints (
            name           TEXT PRIMARY KEY,
            value          TEXT NOT NULL,
            updated_at     TEXT NOT NULL
        );
        """,
        """
        CREATE TABLE checkpoint_boundary (
            name           TEXT NOT NULL,
            record_id      TEXT NOT NULL,
            last_modified  TEXT NOT NULL,
            PRIMARY KEY (name, record_id)
        );
        """,
    ];

    private readonly SqliteConnection _connection;

    private SqliteStateStore(string path, SqliteConnection connection)
    {
        Path = path;
        _connection = connection;
    }

    public string Path { get; }

    /// <summary>Records waiting to be sent (pending) or parked for replay, one job per BC record.</summary>
    public WorkQueue Queue => new(_connection);

    /// <summary>What was last written per target record (content hash, Marketo id), so unchanged records cost nothing.</summary>
    public RecordStates Records => new(_connection);

    /// <summary>Named high-water marks of incremental reads.</summary>
    public Checkpoints Checkpoints => new(_connection);

    public static SqliteStateStore Open(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var fullPath = System.IO.Path.GetFullPath(path);
        try
        {
            return OpenCore(fullPath);
        }
        catch (Exception ex) when (ex is SqliteException or IOException or UnauthorizedAccessException)
        {
            throw new StateStoreException($"The state database '{fullPath}' could not be opened: {ex.Message}", ex);
        }
    }

    private static SqliteStateStore OpenCore(string fullPath)
    {
        var folder = System.IO.Path.GetDirectoryName(fullPath);
        if (!string.IsNullOrEmpty(folder)) PrivateFiles.CreateDirectory(folder);

        var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = fullPath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = false,
        }.ToString());
        connection.Open();
        // Before the first page is written; SQLite gives the -wal and -shm files it creates the database file's mode.
        PrivateFiles.Restrict(fullPath, fullPath + "-wal", fullPath + "-shm", fullPath + "-journal");
        var store = new SqliteStateStore(fullPath, connection);
        store.Execute("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;");
        store.Migrate();
        return store;
    }

    public int SchemaVersion
    {
        get
        {
            using var command = _connection.CreateCommand();
            command.CommandText = "PRAGMA user_version;";
            return Convert.ToInt32(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
        }
    }

    public StateStoreInfo Describe()
    {
        Execute("PRAGMA wal_checkpoint(TRUNCATE);");
        return new StateStoreInfo
        {
            Path = Path,
            SchemaVersion = SchemaVersion,
            SqliteVersion = _connection.ServerVersion,
            SizeBytes = new FileInfo(Path).Length,
        };
    }

    private void Migrate()
    {
        var current = SchemaVersion;
        for (var version = current; version < Migrations.Length; version++)
        {
            using var transaction = _connection.BeginTransaction();
            Execute(Migrations[version], transaction);
            Execute($"PRAGMA user_version = {version + 1};", transaction);
            using (var stamp = _connection.CreateCommand())
            {
                stamp.Transaction = transaction;
                stamp.CommandText = "INSERT INTO store_meta(key, value) VALUES ('createdBy', $by) ON CONFLICT(key) DO NOTHING;";
                stamp.Parameters.AddWithValue("$by", "MlConnector " + Hosting.EngineRuntime.VersionOf(typeof(SqliteStateStore).Assembly));
                stamp.ExecuteNonQuery();
            }
            transaction.Commit();
        }
    }

    private void Execute(string sql, SqliteTransaction? transaction = null)
    {
        using var command = _connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    public void Dispose() => _connection.Dispose();
}
