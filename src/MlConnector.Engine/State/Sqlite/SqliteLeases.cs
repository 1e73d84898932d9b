using Microsoft.Data.Sqlite;
using static MlConnector.Engine.State.Sqlite.SqliteCommands;

namespace MlConnector.Engine.State.Sqlite;

/// <summary>
/// One pair's lease in the leases table, on a connection of its own (the heartbeat renews from a timer while the run
/// uses the store's main connection). Acquiring reads and writes in one immediate transaction, so two processes
/// asking at once are serialised by SQLite's write lock.
/// </summary>
internal sealed class SqliteLeases(SqliteLeaseConnection lease, string pairId) : ILeaseStore
{
    private const string Columns = "holder_id, process_id, host_name, started_at, expires_at";

    public LeaseAttempt TryAcquire(LeaseHolder holder, DateTimeOffset now) => lease.Use(connection =>
    {
        using var transaction = connection.BeginTransaction(deferred: false);
        var current = Read(connection, transaction);
        if (current is not null && current.HolderId != holder.HolderId && current.ExpiresAt > now) return new LeaseAttempt(false, current);
        using (var write = Create(connection, transaction, $"""
            INSERT INTO leases(pair_id, {Columns}) VALUES ($pair, $holder, $pid, $host, $started, $expires)
            ON CONFLICT(pair_id) DO UPDATE SET holder_id = excluded.holder_id, process_id = excluded.process_id, host_name = excluded.host_name,
                started_at = excluded.started_at, expires_at = excluded.expires_at;
            """, ("$pair", pairId), ("$holder", holder.HolderId), ("$pid", holder.ProcessId), ("$host", holder.HostName),
            ("$started", Time(holder.StartedAt)), ("$expires", Time(holder.ExpiresAt))))
            write.ExecuteNonQuery();
        transaction.Commit();
        return new LeaseAttempt(true, holder);
    });

    public bool Renew(string holderId, DateTimeOffset expiresAt) => lease.Use(connection =>
    {
        using var command = Create(connection, "UPDATE leases SET expires_at = $expires WHERE pair_id = $pair AND holder_id = $holder;",
            ("$pair", pairId), ("$holder", holderId), ("$expires", Time(expiresAt)));
        return command.ExecuteNonQuery() == 1;
    });

    public void Release(string holderId) => lease.Use(connection =>
    {
        using var command = Create(connection, "DELETE FROM leases WHERE pair_id = $pair AND holder_id = $holder;", ("$pair", pairId), ("$holder", holderId));
        return command.ExecuteNonQuery();
    });

    public LeaseHolder? Current(DateTimeOffset now) => lease.Use(connection =>
    {
        var current = Read(connection, null);
        return current is not null && current.ExpiresAt > now ? current : null;
    });

    private LeaseHolder? Read(SqliteConnection connection, SqliteTransaction? transaction)
    {
        using var command = Create(connection, $"SELECT {Columns} FROM leases WHERE pair_id = $pair;", ("$pair", pairId));
        command.Transaction = transaction;
        using var reader = command.ExecuteReader();
        return reader.Read()
            ? new LeaseHolder(reader.GetString(0), reader.GetInt32(1), reader.GetString(2), ParseTime(reader.GetString(3)), ParseTime(reader.GetString(4)))
            : null;
    }
}

/// <summary>The store's second connection, for leases only, opened at first use; calls on it are serialised.</summary>
internal sealed class SqliteLeaseConnection(Func<SqliteConnection> open) : IDisposable
{
    private readonly object _gate = new();
    private SqliteConnection? _connection;

    public T Use<T>(Func<SqliteConnection, T> action) => Guard(() =>
    {
        lock (_gate)
        {
            _connection ??= open();
            return action(_connection);
        }
    });

    public void Dispose()
    {
        lock (_gate) _connection?.Dispose();
    }
}
