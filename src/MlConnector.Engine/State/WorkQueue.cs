using Microsoft.Data.Sqlite;
using static MlConnector.Engine.State.SqliteCommands;

namespace MlConnector.Engine.State;

/// <summary>The durable work queue: enqueue (upsert by job id), take pending work in order, complete or park.</summary>
public sealed class WorkQueue
{
    private readonly SqliteConnection _connection;

    internal WorkQueue(SqliteConnection connection) => _connection = connection;

    /// <summary>Adds or refreshes jobs in one transaction. A parked job enqueued again becomes pending with the new payload.</summary>
    public int Enqueue(IEnumerable<QueuedJob> jobs, DateTimeOffset now) => Guard(() =>
    {
        using var transaction = _connection.BeginTransaction();
        var count = 0;
        // The next sequence is read once per call: MAX(sequence) per row scans the whole table (no index leads with
        // sequence), which made enqueueing a large first load quadratic. An update keeps its job's old sequence.
        long next;
        using (var max = Create(_connection, "SELECT IFNULL(MAX(sequence), 0) FROM work_queue;"))
        {
            max.Transaction = transaction;
            next = Convert.ToInt64(max.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
        }
        using var command = Create(_connection, """
            INSERT INTO work_queue(job_id, target_type, source_type, source_number, payload, status, attempts, last_error, enqueued_at, updated_at, sequence)
            VALUES ($id, $target, $sourceType, $source, $payload, 'Pending', 0, NULL, $now, $now, $sequence)
            ON CONFLICT(job_id) DO UPDATE SET payload = excluded.payload, status = 'Pending', updated_at = excluded.updated_at;
            """);
        command.Transaction = transaction;
        var sequence = command.Parameters.Add("$sequence", SqliteType.Integer);
        var id = command.Parameters.Add("$id", SqliteType.Text);
        var target = command.Parameters.Add("$target", SqliteType.Text);
        var sourceType = command.Parameters.Add("$sourceType", SqliteType.Text);
        var source = command.Parameters.Add("$source", SqliteType.Text);
        var payload = command.Parameters.Add("$payload", SqliteType.Text);
        command.Parameters.AddWithValue("$now", Time(now));
        foreach (var job in jobs)
        {
            id.Value = job.JobId;
            target.Value = job.TargetType;
            sourceType.Value = job.SourceType;
            source.Value = job.SourceNumber;
            payload.Value = job.Payload;
            sequence.Value = ++next;
            count += command.ExecuteNonQuery();
        }
        transaction.Commit();
        return count;
    });

    public IReadOnlyList<QueuedJob> Take(QueuedJobStatus status, string? targetType, int max, string? sourceNumberLike = null) => Guard(() =>
    {
        using var command = Create(_connection, """
            SELECT job_id, target_type, source_type, source_number, payload, status, attempts, last_error, enqueued_at, updated_at
            FROM work_queue
            WHERE status = $status AND ($target IS NULL OR target_type = $target) AND ($like IS NULL OR source_number LIKE $like)
            ORDER BY sequence LIMIT $max;
            """, ("$status", status.ToString()), ("$target", targetType), ("$max", max), ("$like", sourceNumberLike));
        using var reader = command.ExecuteReader();
        var jobs = new List<QueuedJob>();
        while (reader.Read())
        {
            jobs.Add(new QueuedJob(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetString(4),
                Enum.Parse<QueuedJobStatus>(reader.GetString(5)), reader.GetInt32(6), reader.IsDBNull(7) ? null : reader.GetString(7),
                ParseTime(reader.GetString(8)), ParseTime(reader.GetString(9))));
        }
        return (IReadOnlyList<QueuedJob>)jobs;
    });

    public ISet<string> JobIds(QueuedJobStatus status) => Guard(() =>
    {
        using var command = Create(_connection, "SELECT job_id FROM work_queue WHERE status = $status;", ("$status", status.ToString()));
        using var reader = command.ExecuteReader();
        var ids = new HashSet<string>(StringComparer.Ordinal);
        while (reader.Read()) ids.Add(reader.GetString(0));
        return (ISet<string>)ids;
    });

    public int Count(QueuedJobStatus status) => Guard(() =>
    {
        using var command = Create(_connection, "SELECT COUNT(*) FROM work_queue WHERE status = $status;", ("$status", status.ToString()));
        return Convert.ToInt32(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    });

    /// <summary>Removes finished jobs, unless they were enqueued again (a newer payload) since they were taken.</summary>
    public void Complete(IEnumerable<QueuedJob> jobs) => Guard(() =>
    {
        using var transaction = _connection.BeginTransaction();
        using var command = Create(_connection, "DELETE FROM work_queue WHERE job_id = $id AND updated_at = $updated;");
        command.Transaction = transaction;
        var id = command.Parameters.Add("$id", SqliteType.Text);
        var updated = command.Parameters.Add("$updated", SqliteType.Text);
        foreach (var job in jobs)
        {
            id.Value = job.JobId;
            updated.Value = Time(job.UpdatedAt);
            command.ExecuteNonQuery();
        }
        transaction.Commit();
        return 0;
    });

    /// <summary>Parks jobs that failed permanently, with the reason, for Invoke-MlReplay.</summary>
    public void Park(IEnumerable<(QueuedJob Job, string Reason)> failures, DateTimeOffset now) => Guard(() =>
    {
        using var transaction = _connection.BeginTransaction();
        using var command = Create(_connection,
            "UPDATE work_queue SET status = 'Parked', attempts = attempts + 1, last_error = $reason, updated_at = $now WHERE job_id = $id;");
        command.Transaction = transaction;
        var id = command.Parameters.Add("$id", SqliteType.Text);
        var reason = command.Parameters.Add("$reason", SqliteType.Text);
        command.Parameters.AddWithValue("$now", Time(now));
        foreach (var (job, why) in failures)
        {
            id.Value = job.JobId;
            reason.Value = why;
            command.ExecuteNonQuery();
        }
        transaction.Commit();
        return 0;
    });

    /// <summary>Moves parked jobs back to pending (replay), optionally only those whose source number matches a LIKE pattern.</summary>
    public int Unpark(string? sourceNumberLike, DateTimeOffset now) => Guard(() =>
    {
        using var command = Create(_connection,
            "UPDATE work_queue SET status = 'Pending', updated_at = $now WHERE status = 'Parked' AND ($like IS NULL OR source_number LIKE $like);",
            ("$now", Time(now)), ("$like", sourceNumberLike));
        return command.ExecuteNonQuery();
    });
}
