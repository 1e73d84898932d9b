using Microsoft.Data.Sqlite;
using static MlConnector.Engine.State.Sqlite.SqliteCommands;

namespace MlConnector.Engine.State.Sqlite;

/// <summary>One pair's checkpoints (checkpoints, checkpoint_boundary) and watermarks.</summary>
internal sealed class SqliteCheckpoints(SqliteConnection connection, string pairId) : ICheckpointStore
{
    public DateTimeOffset? Get(string name) => Guard(() =>
    {
        using var command = Create(connection, "SELECT value FROM checkpoints WHERE pair_id = $pair AND name = $name;", ("$pair", pairId), ("$name", name));
        return command.ExecuteScalar() is string value ? ParseTime(value) : (DateTimeOffset?)null;
    });

    public IReadOnlyDictionary<Guid, ReadVersion> Boundary(string name) => Guard(() =>
    {
        using var command = Create(connection,
            "SELECT record_id, last_modified, etag_digest FROM checkpoint_boundary WHERE pair_id = $pair AND name = $name;", ("$pair", pairId), ("$name", name));
        using var reader = command.ExecuteReader();
        var records = new Dictionary<Guid, ReadVersion>();
        while (reader.Read())
            records[Guid.Parse(reader.GetString(0))] = new ReadVersion(ParseTime(reader.GetString(1)), reader.IsDBNull(2) ? 0 : reader.GetInt64(2));
        return (IReadOnlyDictionary<Guid, ReadVersion>)records;
    });

    public void Advance(string name, DateTimeOffset value, IEnumerable<KeyValuePair<Guid, ReadVersion>> boundary, DateTimeOffset now) => Guard(() =>
    {
        using var transaction = connection.BeginTransaction();
        (string, object?) pair = ("$pair", pairId), named = ("$name", name);
        using (var clear = Create(connection, transaction, "DELETE FROM checkpoint_boundary WHERE pair_id = $pair AND name = $name;", pair, named))
            clear.ExecuteNonQuery();
        using (var insert = Create(connection, transaction,
            "INSERT OR REPLACE INTO checkpoint_boundary(pair_id, name, record_id, last_modified, etag_digest) VALUES ($pair, $name, $id, $at, $etag);",
            pair, named))
        {
            var id = insert.Parameters.Add("$id", SqliteType.Text);
            var at = insert.Parameters.Add("$at", SqliteType.Text);
            var etag = insert.Parameters.Add("$etag", SqliteType.Integer);
            foreach (var (recordId, version) in boundary)
            {
                id.Value = recordId.ToString("D");
                at.Value = Time(version.LastModified);
                etag.Value = version.ETagDigest == 0 ? DBNull.Value : version.ETagDigest;
                insert.ExecuteNonQuery();
            }
        }
        using (var upsert = Create(connection, transaction, """
            INSERT INTO checkpoints(pair_id, name, value, updated_at) VALUES ($pair, $name, $value, $now)
            ON CONFLICT(pair_id, name) DO UPDATE SET value = MAX(checkpoints.value, excluded.value), updated_at = excluded.updated_at;
            """, pair, named, ("$value", Time(value)), ("$now", Time(now))))
            upsert.ExecuteNonQuery();
        transaction.Commit();
    });

    public void Advance(string name, DateTimeOffset value, DateTimeOffset now) => Guard(() =>
    {
        using var command = Create(connection, """
            INSERT INTO checkpoints(pair_id, name, value, updated_at) VALUES ($pair, $name, $value, $now)
            ON CONFLICT(pair_id, name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at WHERE excluded.value > checkpoints.value;
            """, ("$pair", pairId), ("$name", name), ("$value", Time(value)), ("$now", Time(now)));
        command.ExecuteNonQuery();
    });

    public Watermark? GetWatermark(string name) => Guard(() =>
    {
        using var command = Create(connection, "SELECT token, at FROM watermarks WHERE pair_id = $pair AND name = $name;", ("$pair", pairId), ("$name", name));
        using var reader = command.ExecuteReader();
        return reader.Read() ? new Watermark(reader.GetString(0), ParseTime(reader.GetString(1))) : null;
    });

    public void SetWatermark(string name, Watermark watermark, DateTimeOffset now) => Guard(() =>
    {
        using var command = Create(connection, """
            INSERT INTO watermarks(pair_id, name, token, at, updated_at) VALUES ($pair, $name, $token, $at, $now)
            ON CONFLICT(pair_id, name) DO UPDATE SET token = excluded.token, at = excluded.at, updated_at = excluded.updated_at;
            """, ("$pair", pairId), ("$name", name), ("$token", watermark.Token), ("$at", Time(watermark.At)), ("$now", Time(now)));
        command.ExecuteNonQuery();
    });
}
