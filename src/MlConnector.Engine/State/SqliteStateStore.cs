using Microsoft.Data.Sqlite;

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
    ];

    private readonly SqliteConnection _connection;

    private SqliteStateStore(string path, SqliteConnection connection)
    {
        Path = path;
        _connection = connection;
    }

    public string Path { get; }

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
        if (!string.IsNullOrEmpty(folder)) Directory.CreateDirectory(folder);

        var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = fullPath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = false,
        }.ToString());
        connection.Open();
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
