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
