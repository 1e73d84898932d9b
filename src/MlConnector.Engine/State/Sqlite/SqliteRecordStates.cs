using Microsoft.Data.Sqlite;
using MlConnector.Engine.Sync;
using static MlConnector.Engine.State.Sqlite.SqliteCommands;

namespace MlConnector.Engine.State.Sqlite;

/// <summary>The record state of one pair and direction in the record_state table.</summary>
internal sealed class SqliteRecordStates(SqliteConnection connection, string pairId, SyncDirection direction) : IRecordStates
{
    public const string Columns = "target_key, source_number, content_hash, target_id, written_at, field_hashes";

    private readonly string _direction = direction.ToString();

    /// <summary>A row read with <see cref="Columns"/>.</summary>
    public static RecordState State(SqliteDataReader reader) => new(reader.GetString(0), reader.GetString(1), reader.GetString(2),
        reader.IsDBNull(3) ? null : reader.GetString(3), ParseTime(reader.GetString(4)))
    {
        FieldHashes = FieldHashesJson.Read(reader.IsDBNull(5) ? null : reader.GetString(5)),
    };

    public IReadOnlyDictionary<string, RecordState> Get(IEnumerable<string> targetKeys) => Guard(() =>
    {
        var result = new Dictionary<string, RecordState>(StringComparer.Ordinal);
        using var command = Create(connection, $"SELECT {Columns} FROM record_state WHERE pair_id = $pair AND direction = $direction AND target_key = $key;",
            ("$pair", pairId), ("$direction", _direction));
        var key = command.Parameters.Add("$key", SqliteType.Text);
        foreach (var targetKey in targetKeys.Distinct(StringComparer.Ordinal))
        {
            key.Value = targetKey;
            using var reader = command.ExecuteReader();
            if (reader.Read()) result[targetKey] = State(reader);
        }
        return (IReadOnlyDictionary<string, RecordState>)result;
    });

    public void Save(IEnumerable<RecordState> states) => Guard(() =>
    {
        using var transaction = connection.BeginTransaction();
        using var command = Create(connection, transaction, """
            INSERT INTO record_state(pair_id, direction, target_key, source_number, content_hash, target_id, written_at, field_hashes)
            VALUES ($pair, $direction, $key, $source, $hash, $id, $at, $fields)
            ON CONFLICT(pair_id, direction, target_key) DO UPDATE SET source_number = excluded.source_number, content_hash = excluded.content_hash,
                target_id = IFNULL(excluded.target_id, record_state.target_id), written_at = excluded.written_at,
                field_hashes = IFNULL(excluded.field_hashes, record_state.field_hashes);
            """, ("$pair", pairId), ("$direction", _direction));
        var key = command.Parameters.Add("$key", SqliteType.Text);
        var source = command.Parameters.Add("$source", SqliteType.Text);
        var hash = command.Parameters.Add("$hash", SqliteType.Text);
        var id = command.Parameters.Add("$id", SqliteType.Text);
        var at = command.Parameters.Add("$at", SqliteType.Text);
        var fields = command.Parameters.Add("$fields", SqliteType.Text);
        foreach (var state in states)
        {
            key.Value = state.TargetKey;
            source.Value = state.SourceNumber;
            hash.Value = state.ContentHash;
            id.Value = (object?)state.TargetId ?? DBNull.Value;
            at.Value = Time(state.WrittenAt);
            fields.Value = (object?)FieldHashesJson.Write(state.FieldHashes) ?? DBNull.Value;
            command.ExecuteNonQuery();
        }
        transaction.Commit();
    });

    public int Count() => Guard(() =>
    {
        using var command = Create(connection, "SELECT COUNT(*) FROM record_state WHERE pair_id = $pair AND direction = $direction;", ("$pair", pairId), ("$direction", _direction));
        return Convert.ToInt32(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    });
}
