using Microsoft.Data.Sqlite;
using MlConnector.Engine.Sync;
using static MlConnector.Engine.State.Sqlite.SqliteCommands;

namespace MlConnector.Engine.State.Sqlite;

/// <summary>A pair's state read out row by row and written back as it was, for Copy-MlState.</summary>
internal sealed partial class SqlitePairState : IPairStateTransfer
{
    public IEnumerable<string> CheckpointNames() => Strings("SELECT name FROM checkpoints WHERE pair_id = $pair ORDER BY name;");

    public IEnumerable<string> WatermarkNames() => Strings("SELECT name FROM watermarks WHERE pair_id = $pair ORDER BY name;");

    public IEnumerable<StoredJob> AllJobs(SyncDirection direction) => Rows(
        $"SELECT {SqliteWorkQueue.Columns(null)}, answer FROM work_queue WHERE pair_id = $pair AND direction = $direction ORDER BY sequence;", direction,
        r => new StoredJob(SqliteWorkQueue.Read(r), r.IsDBNull(10) ? null : r.GetString(10)));

    public IEnumerable<RecordState> AllRecordStates(SyncDirection direction) => Rows(
        $"SELECT {SqliteRecordStates.Columns} FROM record_state WHERE pair_id = $pair AND direction = $direction ORDER BY target_key;",
        direction, SqliteRecordStates.State);

    public IEnumerable<RecordLink> AllLinks(LinkKind kind)
    {
        using var command = Create(connection, "SELECT bc_number, bc_id, marketo_id, marketo_key, updated_at FROM links WHERE pair_id = $pair AND kind = $kind ORDER BY bc_number;",
            ("$pair", pairId), ("$kind", kind.ToString()));
        using var reader = Guard(command.ExecuteReader);
        while (Guard(reader.Read))
        {
            yield return new RecordLink(kind, reader.GetString(0), reader.IsDBNull(1) ? null : Guid.Parse(reader.GetString(1)), reader.GetInt64(2),
                reader.IsDBNull(3) ? null : reader.GetString(3), ParseTime(reader.GetString(4)));
        }
    }

    public IEnumerable<(DateOnly Day, long Calls)> AllMarketoCalls()
    {
        using var command = Create(connection, "SELECT day, calls FROM marketo_calls WHERE pair_id = $pair ORDER BY day;", ("$pair", pairId));
        using var reader = Guard(command.ExecuteReader);
        while (Guard(reader.Read))
            yield return (DateOnly.ParseExact(reader.GetString(0), "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), reader.GetInt64(1));
    }

    public void RestoreJobs(SyncDirection direction, IEnumerable<StoredJob> jobs, DateTimeOffset now) => Guard(() =>
    {
        using var transaction = connection.BeginTransaction();
        long next;
        using (var max = Create(connection, transaction, "SELECT IFNULL(MAX(sequence), 0) FROM work_queue;"))
            next = Convert.ToInt64(max.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
        using var insert = Create(connection, transaction, """
            INSERT OR REPLACE INTO work_queue(pair_id, direction, job_id, target_type, source_type, source_number, payload, status, attempts, last_error, enqueued_at, updated_at,
                sequence, answer)
            VALUES ($pair, $direction, $id, $target, $sourceType, $source, $payload, $status, $attempts, $error, $enqueued, $updated, $sequence, $answer);
            """, ("$pair", pairId), ("$direction", direction.ToString()));
        var parameters = new[] { "$id", "$target", "$sourceType", "$source", "$payload", "$status", "$attempts", "$error", "$enqueued", "$updated", "$sequence", "$answer" }
            .Select(name => insert.Parameters.Add(new SqliteParameter { ParameterName = name })).ToArray();
        foreach (var (job, answer) in jobs)
        {
            object?[] values = [job.JobId, job.TargetType, job.SourceType, job.SourceNumber, job.Payload, job.Status.ToString(), job.Attempts, job.LastError,
                Time(job.EnqueuedAt), Time(job.UpdatedAt), ++next, answer];
            for (var i = 0; i < values.Length; i++) parameters[i].Value = values[i] ?? DBNull.Value;
            insert.ExecuteNonQuery();
        }
        transaction.Commit();
    });

    public void Clear() => Guard(() =>
    {
        using var transaction = connection.BeginTransaction();
        foreach (var table in SqliteMigrations.PairScopedTables.Concat(["subscriptions", "marketo_calls", "bulk_import_jobs", "bulk_imports", "sync_pairs"]))
        {
            using var delete = Create(connection, transaction, $"DELETE FROM {table} WHERE pair_id = $pair;", ("$pair", pairId));
            delete.ExecuteNonQuery();
        }
        transaction.Commit();
    });

    private IEnumerable<string> Strings(string sql)
    {
        using var command = Create(connection, sql, ("$pair", pairId));
        using var reader = Guard(command.ExecuteReader);
        while (Guard(reader.Read)) yield return reader.GetString(0);
    }

    private IEnumerable<T> Rows<T>(string sql, SyncDirection direction, Func<SqliteDataReader, T> read)
    {
        using var command = Create(connection, sql, ("$pair", pairId), ("$direction", direction.ToString()));
        using var reader = Guard(command.ExecuteReader);
        while (Guard(reader.Read)) yield return read(reader);
    }
}
