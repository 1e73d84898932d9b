using Microsoft.Data.Sqlite;
using static MlConnector.Engine.State.SqliteCommands;

namespace MlConnector.Engine.State;

/// <summary>Content hashes of what was last written per target record.</summary>
public sealed class RecordStates
{
    private readonly SqliteConnection _connection;

    internal RecordStates(SqliteConnection connection) => _connection = connection;

    public IReadOnlyDictionary<string, RecordState> Get(IEnumerable<string> targetKeys) => Guard(() =>
    {
        var result = new Dictionary<string, RecordState>(StringComparer.Ordinal);
        using var command = Create(_connection,
            "SELECT target_key, source_number, content_hash, marketo_id, written_at FROM record_state WHERE target_key = $key;");
        var key = command.Parameters.Add("$key", SqliteType.Text);
        foreach (var targetKey in targetKeys.Distinct(StringComparer.Ordinal))
        {
            key.Value = targetKey;
            using var reader = command.ExecuteReader();
            if (reader.Read())
            {
                result[targetKey] = new RecordState(reader.GetString(0), reader.GetString(1), reader.GetString(2),
                    reader.IsDBNull(3) ? null : reader.GetInt64(3), ParseTime(reader.GetString(4)));
            }
        }
        return (IReadOnlyDictionary<string, RecordState>)result;
    });

    public void Save(IEnumerable<RecordState> states) => Guard(() =>
    {
        using var transaction = _connection.BeginTransaction();
        using var command = Create(_connection, """
            INSERT INTO record_state(target_key, source_number, content_hash, marketo_id, written_at) VALUES ($key, $source, $hash, $id, $at)
            ON CONFLICT(target_key) DO UPDATE SET source_number = excluded.source_number, content_hash = excluded.content_hash,
                marketo_id = IFNULL(excluded.marketo_id, record_state.marketo_id), written_at = excluded.written_at;
            """);
        command.Transaction = transaction;
        var key = command.Parameters.Add("$key", SqliteType.Text);
        var source = command.Parameters.Add("$source", SqliteType.Text);
        var hash = command.Parameters.Add("$hash", SqliteType.Text);
        var id = command.Parameters.Add("$id", SqliteType.Integer);
        var at = command.Parameters.Add("$at", SqliteType.Text);
        foreach (var state in states)
        {
            key.Value = state.TargetKey;
            source.Value = state.SourceNumber;
            hash.Value = state.ContentHash;
            id.Value = (object?)state.MarketoId ?? DBNull.Value;
            at.Value = Time(state.WrittenAt);
            command.ExecuteNonQuery();
        }
        transaction.Commit();
        return 0;
    });

    public int Count() => Guard(() =>
    {
        using var command = Create(_connection, "SELECT COUNT(*) FROM record_state;");
        return Convert.ToInt32(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    });
}
