using Microsoft.Data.Sqlite;
using MlConnector.Engine.Sync;
using static MlConnector.Engine.State.Sqlite.SqliteCommands;

namespace MlConnector.Engine.State.Sqlite;

/// <summary>One pair's Bulk Lead Imports in flight in the bulk_imports and bulk_import_jobs tables, read against its BC → Marketo work queue.</summary>
internal sealed class SqliteBulkImports(SqliteConnection connection, string pairId) : IBulkImports
{
    private static readonly string Direction = SyncDirection.BcToMarketo.ToString();

    public IReadOnlyList<BulkImportBatch> Open() => Guard(() =>
    {
        using var command = Create(connection, "SELECT batch_id, rows, submitted_at FROM bulk_imports WHERE pair_id = $pair ORDER BY submitted_at, batch_id;", ("$pair", pairId));
        using var reader = command.ExecuteReader();
        var batches = new List<BulkImportBatch>();
        while (reader.Read()) batches.Add(new BulkImportBatch(reader.GetInt64(0), reader.GetInt32(1), ParseTime(reader.GetString(2))));
        return (IReadOnlyList<BulkImportBatch>)batches;
    });

    public void Add(BulkImportBatch batch, IReadOnlyCollection<(string JobId, DateTimeOffset UpdatedAt)> jobs) => Guard(() =>
    {
        using var transaction = connection.BeginTransaction();
        (string, object?) pair = ("$pair", pairId), id = ("$batch", batch.BatchId);
        using (var add = Create(connection, transaction, "INSERT OR REPLACE INTO bulk_imports(pair_id, batch_id, rows, submitted_at) VALUES ($pair, $batch, $rows, $at);",
            pair, id, ("$rows", batch.Rows), ("$at", Time(batch.SubmittedAt))))
            add.ExecuteNonQuery();
        using var row = Create(connection, transaction, "INSERT OR REPLACE INTO bulk_import_jobs(pair_id, batch_id, job_id, job_updated_at) VALUES ($pair, $batch, $job, $updated);", pair, id);
        var job = row.Parameters.Add("$job", SqliteType.Text);
        var updated = row.Parameters.Add("$updated", SqliteType.Text);
        foreach (var (jobId, updatedAt) in jobs)
        {
            job.Value = jobId;
            updated.Value = Time(updatedAt);
            row.ExecuteNonQuery();
        }
        transaction.Commit();
    });

    public IReadOnlyList<(QueuedJob Job, long Sequence)> Jobs(long batchId, long afterSequence, int max) => Read($"""
            SELECT {SqliteWorkQueue.Columns("w")}, w.sequence
            FROM bulk_import_jobs b JOIN work_queue w
              ON w.pair_id = b.pair_id AND w.direction = $direction AND w.job_id = b.job_id AND w.updated_at = b.job_updated_at
            WHERE b.pair_id = $pair AND b.batch_id = $batch AND w.status = 'Pending' AND w.sequence > $after
            ORDER BY w.sequence LIMIT $max;
            """, ("$batch", batchId), ("$after", afterSequence), ("$max", max));

    public IReadOnlyList<(QueuedJob Job, long Sequence)> TakeNotImporting(string targetType, long afterSequence, int max) => Read($"""
            SELECT {SqliteWorkQueue.Columns("w")}, w.sequence
            FROM work_queue w
            WHERE w.pair_id = $pair AND w.direction = $direction AND w.status = 'Pending' AND w.target_type = $target AND w.sequence > $after
              AND NOT EXISTS (SELECT 1 FROM bulk_import_jobs b WHERE b.pair_id = w.pair_id AND b.job_id = w.job_id)
            ORDER BY w.sequence LIMIT $max;
            """, ("$target", targetType), ("$after", afterSequence), ("$max", max));

    /// <summary>Queue rows with their sequence (the column after <see cref="SqliteWorkQueue.Columns"/>), for this pair's BC → Marketo queue.</summary>
    private IReadOnlyList<(QueuedJob Job, long Sequence)> Read(string sql, params (string Name, object? Value)[] parameters) => Guard(() =>
    {
        using var command = Create(connection, sql, [("$pair", pairId), ("$direction", Direction), .. parameters]);
        using var reader = command.ExecuteReader();
        var jobs = new List<(QueuedJob, long)>();
        while (reader.Read()) jobs.Add((SqliteWorkQueue.Read(reader), reader.GetInt64(10)));
        return (IReadOnlyList<(QueuedJob, long)>)jobs;
    });

    public void Remove(long batchId) => Guard(() =>
    {
        using var transaction = connection.BeginTransaction();
        foreach (var table in new[] { "bulk_import_jobs", "bulk_imports" })
        {
            using var command = Create(connection, transaction, $"DELETE FROM {table} WHERE pair_id = $pair AND batch_id = $batch;", ("$pair", pairId), ("$batch", batchId));
            command.ExecuteNonQuery();
        }
        transaction.Commit();
    });
}
