using Microsoft.Data.Sqlite;
using static MlConnector.Engine.State.SqliteCommands;

namespace MlConnector.Engine.State;

/// <summary>Named high-water marks (e.g. "bc.customers.lastModified"). Only ever moved forward.</summary>
public sealed class Checkpoints
{
    private readonly SqliteConnection _connection;

    internal Checkpoints(SqliteConnection connection) => _connection = connection;

    public DateTimeOffset? Get(string name) => Guard(() =>
    {
        using var command = Create(_connection, "SELECT value FROM checkpoints WHERE name = $name;", ("$name", name));
        return command.ExecuteScalar() is string value ? ParseTime(value) : (DateTimeOffset?)null;
    });

    /// <summary>
    /// The records an incremental read already handled inside its overlap window (id → lastModifiedDateTime).
    /// The next read asks again from a little before the checkpoint; these, unchanged, need no second look.
    /// </summary>
    public IReadOnlyDictionary<Guid, DateTimeOffset> Boundary(string name) => Guard(() =>
    {
        using var command = Create(_connection, "SELECT record_id, last_modified FROM checkpoint_boundary WHERE name = $name;", ("$name", name));
        using var reader = command.ExecuteReader();
        var records = new Dictionary<Guid, DateTimeOffset>();
        while (reader.Read()) records[Guid.Parse(reader.GetString(0))] = ParseTime(reader.GetString(1));
        return (IReadOnlyDictionary<Guid, DateTimeOffset>)records;
    });

    /// <summary>Advances the checkpoint and replaces its boundary records, in one transaction.</summary>
    public void Advance(string name, DateTimeOffset value, IEnumerable<KeyValuePair<Guid, DateTimeOffset>> boundary, DateTimeOffset now) => Guard(() =>
    {
        using var transaction = _connection.BeginTransaction();
        using (var clear = Create(_connection, "DELETE FROM checkpoint_boundary WHERE name = $name;", ("$name", name)))
        {
            clear.Transaction = transaction;
            clear.ExecuteNonQuery();
        }
        using (var insert = Create(_connection, "INSERT OR REPLACE INTO checkpoint_boundary(name, record_id, last_modified) VALUES ($name, $id, $at);", ("$name", name)))
        {
            insert.Transaction = transaction;
            var id = insert.Parameters.Add("$id", SqliteType.Text);
            var at = insert.Parameters.Add("$at", SqliteType.Text);
            foreach (var (recordId, lastModified) in boundary)
            {
                id.Value = recordId.ToString("D");
                at.Value = Time(lastModified);
                insert.ExecuteNonQuery();
            }
        }
        using (var upsert = Create(_connection, """
            INSERT INTO checkpoints(name, value, updated_at) VALUES ($name, $value, $now)
            ON CONFLICT(name) DO UPDATE SET value = MAX(checkpoints.value, excluded.value), updated_at = excluded.updated_at;
            """, ("$name", name), ("$value", Time(value)), ("$now", Time(now))))
        {
            upsert.Transaction = transaction;
            upsert.ExecuteNonQuery();
        }
        transaction.Commit();
        return 0;
    });

    /// <summary>Moves the checkpoint to <paramref name="value"/> if that is later than what is stored.</summary>
    public void Advance(string name, DateTimeOffset value, DateTimeOffset now) => Guard(() =>
    {
        var current = Get(name);
        if (current is not null && current >= value) return 0;
        using var command = Create(_connection, """
            INSERT INTO checkpoints(name, value, updated_at) VALUES ($name, $value, $now)
            ON CONFLICT(name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at;
            """, ("$name", name), ("$value", Time(value)), ("$now", Time(now)));
        return command.ExecuteNonQuery();
    });
}
