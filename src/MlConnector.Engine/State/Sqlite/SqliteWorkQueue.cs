using Microsoft.Data.Sqlite;
using MlConnector.Engine.Sync;
using static MlConnector.Engine.State.Sqlite.SqliteCommands;

namespace MlConnector.Engine.State.Sqlite;

/// <summary>The work queue of one pair and direction in the work_queue table.</summary>
internal sealed class SqliteWorkQueue(SqliteConnection connection, string pairId, SyncDirection direction) : IWorkQueue
{
    private const string Scope = "pair_id = $pair AND direction = $direction";
    private readonly string _direction = direction.ToString();

    public int Enqueue(IEnumerable<QueuedJob> jobs, DateTimeOffset now) => Guard(() =>
    {
        using var transaction = connection.BeginTransaction();
        var count = 0;
        // The next sequence is read once per call: MAX(sequence) per row scans the whole table (no index leads with
        // sequence), which made enqueueing a large first load quadratic. An update keeps its job's old sequence.
        long next;
        using (var max = Create(connection, transaction, "SELECT IFNULL(MAX(sequence), 0) FROM work_queue;"))
            next = Convert.ToInt64(max.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
        using var command = Scoped(transaction, """
            INSERT INTO work_queue(pair_id, direction, job_id, target_type, source_type, source_number, payload, status, attempts, last_error, enqueued_at, updated_at, sequence)
            VALUES ($pair, $direction, $id, $target, $sourceType, $source, $payload, 'Pending', 0, NULL, $now, $now, $sequence)
            ON CONFLICT(pair_id, direction, job_id) DO UPDATE SET payload = excluded.payload,
                status = CASE work_queue.status WHEN 'Answered' THEN 'Answered' ELSE 'Pending' END, updated_at = excluded.updated_at;
            """);
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

    public IReadOnlyList<QueuedJob> Take(QueuedJobStatus status, string? targetType, int max, IReadOnlyCollection<string>? sourceNumberPatterns = null) => Guard(() =>
    {
        using var command = Scoped(null, "", ("$status", status.ToString()), ("$target", targetType), ("$max", max));
        command.CommandText = $"""
            SELECT {Columns(null)}
            FROM work_queue
            WHERE {Scope} AND status = $status AND ($target IS NULL OR target_type = $target){MatchingAny(command, "source_number", sourceNumberPatterns)}
            ORDER BY sequence LIMIT $max;
            """;
        using var reader = command.ExecuteReader();
        var jobs = new List<QueuedJob>();
        while (reader.Read()) jobs.Add(Read(reader));
        return (IReadOnlyList<QueuedJob>)jobs;
    });

    /// <summary>The columns <see cref="Read"/> reads, first in a SELECT, optionally of a table alias.</summary>
    internal static string Columns(string? alias) => string.Join(", ",
        new[] { "job_id", "target_type", "source_type", "source_number", "payload", "status", "attempts", "last_error", "enqueued_at", "updated_at" }
            .Select(c => alias is null ? c : alias + "." + c));

    internal static QueuedJob Read(SqliteDataReader reader) => new(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3),
        reader.GetString(4), Enum.Parse<QueuedJobStatus>(reader.GetString(5)), reader.GetInt32(6), reader.IsDBNull(7) ? null : reader.GetString(7),
        ParseTime(reader.GetString(8)), ParseTime(reader.GetString(9)));

    public ISet<string> JobIds(QueuedJobStatus status) => Guard(() =>
    {
        using var command = Scoped(null, $"SELECT job_id FROM work_queue WHERE {Scope} AND status = $status;", ("$status", status.ToString()));
        using var reader = command.ExecuteReader();
        var ids = new HashSet<string>(StringComparer.Ordinal);
        while (reader.Read()) ids.Add(reader.GetString(0));
        return (ISet<string>)ids;
    });

    public int Count(QueuedJobStatus status, string? targetType = null) => Guard(() =>
    {
        using var command = Scoped(null, $"SELECT COUNT(*) FROM work_queue WHERE {Scope} AND status = $status AND ($target IS NULL OR target_type = $target);",
            ("$status", status.ToString()), ("$target", targetType));
        return Convert.ToInt32(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    });

    public void Complete(IEnumerable<QueuedJob> jobs) => Guard(() =>
    {
        using var transaction = connection.BeginTransaction();
        using var command = Scoped(transaction, $"""
            DELETE FROM work_queue WHERE {Scope} AND job_id = $id AND updated_at = $updated;
            UPDATE work_queue SET status = 'Pending', answer = NULL WHERE {Scope} AND job_id = $id AND status = 'Answered';
            """);
        var id = command.Parameters.Add("$id", SqliteType.Text);
        var updated = command.Parameters.Add("$updated", SqliteType.Text);
        foreach (var job in jobs)
        {
            id.Value = job.JobId;
            updated.Value = Time(job.UpdatedAt);
            command.ExecuteNonQuery();
        }
        transaction.Commit();
    });

    public void Park(IEnumerable<(QueuedJob Job, string Reason)> failures, DateTimeOffset now) => Guard(() =>
    {
        using var transaction = connection.BeginTransaction();
        using var command = Scoped(transaction,
            $"UPDATE work_queue SET status = 'Parked', attempts = attempts + 1, last_error = $reason, answer = NULL, updated_at = $now WHERE {Scope} AND job_id = $id;",
            ("$now", Time(now)));
        var id = command.Parameters.Add("$id", SqliteType.Text);
        var reason = command.Parameters.Add("$reason", SqliteType.Text);
        foreach (var (job, why) in failures)
        {
            id.Value = job.JobId;
            reason.Value = why;
            command.ExecuteNonQuery();
        }
        transaction.Commit();
    });

    public void HoldAnswers(IEnumerable<(QueuedJob Job, string Answer)> answered) => Guard(() =>
    {
        using var transaction = connection.BeginTransaction();
        using var command = Scoped(transaction, $"UPDATE work_queue SET status = 'Answered', answer = $answer WHERE {Scope} AND job_id = $id;");
        var id = command.Parameters.Add("$id", SqliteType.Text);
        var answer = command.Parameters.Add("$answer", SqliteType.Text);
        foreach (var (job, text) in answered)
        {
            id.Value = job.JobId;
            answer.Value = text;
            command.ExecuteNonQuery();
        }
        transaction.Commit();
    });

    public IReadOnlyList<(QueuedJob Job, string Answer)> Answered() => Guard(() =>
    {
        using var command = Scoped(null, $"SELECT {Columns(null)}, answer FROM work_queue WHERE {Scope} AND status = 'Answered' ORDER BY sequence;");
        using var reader = command.ExecuteReader();
        var held = new List<(QueuedJob, string)>();
        while (reader.Read()) held.Add((Read(reader), reader.GetString(10)));
        return (IReadOnlyList<(QueuedJob, string)>)held;
    });

    public int Unpark(IReadOnlyCollection<string>? sourceNumberPatterns, DateTimeOffset now) => Guard(() =>
    {
        using var command = Scoped(null, "", ("$now", Time(now)));
        command.CommandText = $"UPDATE work_queue SET status = 'Pending', updated_at = $now WHERE {Scope} AND status = 'Parked'{MatchingAny(command, "source_number", sourceNumberPatterns)};";
        return command.ExecuteNonQuery();
    });

    private SqliteCommand Scoped(SqliteTransaction? transaction, string sql, params (string Name, object? Value)[] parameters)
    {
        var command = Create(connection, sql, [("$pair", pairId), ("$direction", _direction), .. parameters]);
        command.Transaction = transaction;
        return command;
    }
}
