using System.Collections.Concurrent;
using System.Globalization;
using Azure;
using Azure.Data.Tables;
using MlConnector.Engine.Sync;

namespace MlConnector.Engine.State.Tables;

/// <summary>
/// One pair's work queue in one direction, in the queue table (partition = pair id). A job is two rows written and
/// removed together in one transaction: the job row, keyed "dir|j|status|type|sequence|job id" so pending work of a type
/// is one ordered key range, and the index row "dir|i|job id", which names the job row (enqueueing the same job again
/// finds it there). Every change to a job row is conditional on the ETag it was read with; a writer that loses a race
/// reads again and retries, so a second enqueue, park or completion is never lost. A job held with the target's answer
/// (status Answered) keeps that answer in the column Answer of its row until it is settled or parked.
/// </summary>
internal sealed class TableWorkQueue(TableClient table, string pairId, SyncDirection direction) : IWorkQueue
{
    private static long s_lastSequence;
    private readonly string _direction = direction.ToString();

    // Jobs handed out by Take, with the row and ETag they were read from: Complete and Park need no second read.
    private readonly ConcurrentDictionary<string, Row> _taken = new(StringComparer.Ordinal);

    private sealed record Row(string Key, ETag ETag, QueuedJob Job, long Sequence, string? Answer);

    public int Enqueue(IEnumerable<QueuedJob> jobs, DateTimeOffset now)
    {
        var given = jobs.ToList();
        // One row per job id, at the place it was first given, with the payload given last (as SQLite's upserts in order).
        var latest = new Dictionary<string, QueuedJob>(StringComparer.Ordinal);
        foreach (var job in given) latest[job.JobId] = job;
        var fresh = latest.Values.Select(job => (Job: job with { Status = QueuedJobStatus.Pending, Attempts = 0, LastError = null, EnqueuedAt = now, UpdatedAt = now },
            Sequence: NextSequence(now))).ToList();
        var existing = new List<QueuedJob>();
        TableBatches.Submit(table, fresh, unit => Insert(unit.Job, unit.Sequence), unit => existing.Add(unit.Job), "enqueue jobs");
        foreach (var job in existing) EnqueueAgain(job, now);
        return given.Count;
    }

    public IReadOnlyList<QueuedJob> Take(QueuedJobStatus status, string? targetType, int max, IReadOnlyCollection<string>? sourceNumberPatterns = null)
    {
        if (max <= 0) return [];
        var matcher = new SourceNumberPatterns(sourceNumberPatterns);
        var filtered = sourceNumberPatterns is { Count: > 0 };
        var rows = targetType is null
            ? Rows(JobPrefix(status), null).Where(r => matcher.Matches(r.Job.SourceNumber)).OrderBy(r => r.Sequence).Take(max)
            : Rows(JobPrefix(status, targetType), filtered ? null : Math.Min(max, 1000)).Where(r => matcher.Matches(r.Job.SourceNumber)).Take(max);
        var jobs = new List<QueuedJob>();
        foreach (var row in rows)
        {
            _taken[row.Job.JobId] = row;
            jobs.Add(row.Job);
        }
        return jobs;
    }

    public ISet<string> JobIds(QueuedJobStatus status)
        => TableQueries.Range(table, pairId, JobPrefix(status), "list queued jobs", ["JobId"]).Select(r => r.GetString("JobId")).ToHashSet(StringComparer.Ordinal);

    public int Count(QueuedJobStatus status, string? targetType = null)
        => TableQueries.Count(table, pairId, targetType is null ? JobPrefix(status) : JobPrefix(status, targetType), "count queued jobs");

    public void Complete(IEnumerable<QueuedJob> jobs)
    {
        // Removed only while the row is still the one taken (same UpdatedAt): a job enqueued again since stays, and
        // pending if it was held with an answer (that answer is settled now).
        _ = Apply(jobs, job => job, "complete jobs",
            (job, row) => row.Job.UpdatedAt == job.UpdatedAt
                ?
                [
                    new TableTransactionAction(TableTransactionActionType.Delete, new TableEntity(pairId, row.Key), row.ETag),
                    new TableTransactionAction(TableTransactionActionType.Delete, new TableEntity(pairId, IndexKey(job.JobId)), ETag.All),
                ]
                : row.Job.Status == QueuedJobStatus.Answered ? Move(row, row.Job with { Status = QueuedJobStatus.Pending }, answer: null) : null);
    }

    public void Park(IEnumerable<(QueuedJob Job, string Reason)> failures, DateTimeOffset now)
        => _ = Apply(failures, f => f.Job, "park failed jobs",
            (failure, row) => Move(row, row.Job with { Status = QueuedJobStatus.Parked, Attempts = row.Job.Attempts + 1, LastError = failure.Reason, UpdatedAt = now },
                answer: null));

    public void HoldAnswers(IEnumerable<(QueuedJob Job, string Answer)> answered)
        => _ = Apply(answered, a => a.Job, "hold the target's answers", (held, row) => Move(row, row.Job with { Status = QueuedJobStatus.Answered }, held.Answer));

    public IReadOnlyList<(QueuedJob Job, string Answer)> Answered()
    {
        var held = new List<(QueuedJob, string)>();
        foreach (var row in Rows(JobPrefix(QueuedJobStatus.Answered), null).OrderBy(r => r.Sequence))
        {
            _taken[row.Job.JobId] = row;
            held.Add((row.Job, row.Answer ?? ""));
        }
        return held;
    }

    public int Unpark(IReadOnlyCollection<string>? sourceNumberPatterns, DateTimeOffset now)
    {
        var matcher = new SourceNumberPatterns(sourceNumberPatterns);
        var parked = Rows(JobPrefix(QueuedJobStatus.Parked), null).Where(r => matcher.Matches(r.Job.SourceNumber)).Select(r => r.Job).ToList();
        return Apply(parked, job => job, "unpark jobs",
            (_, row) => row.Job.Status != QueuedJobStatus.Parked ? null : Move(row, row.Job with { Status = QueuedJobStatus.Pending, UpdatedAt = now }, answer: null));
    }

    /// <summary>Every job of the direction, pending, parked and answered (with the answer held), in queue order (for copying a pair's state).</summary>
    public IEnumerable<StoredJob> All() => Rows(TableKeys.Prefix(_direction, "j"), null).OrderBy(r => r.Sequence).Select(r => new StoredJob(r.Job, r.Answer));

    /// <summary>Writes jobs as they are (status, attempts, last error, times, a held answer), after any already queued, in the order given.</summary>
    public void Restore(IEnumerable<StoredJob> jobs, DateTimeOffset now)
    {
        var rows = jobs.Select(stored => (Stored: stored, Sequence: NextSequence(now)));
        TableBatches.Submit(table, rows, unit => Insert(unit.Stored.Job, unit.Sequence, TableTransactionActionType.UpsertReplace, unit.Stored.Answer), _ => { },
            "restore queued jobs");
    }

    /// <summary>Pending jobs of a type after <paramref name="afterSequence"/>, in queue order (a key range: no job before it is read).</summary>
    public IEnumerable<(QueuedJob Job, long Sequence)> PendingAfter(string targetType, long afterSequence)
    {
        var prefix = JobPrefix(QueuedJobStatus.Pending, targetType);
        return TableQueries.RangeAfter(table, pairId, prefix, prefix + afterSequence.ToString("D19", CultureInfo.InvariantCulture) + (char)(TableKeys.Separator + 1),
            "read pending jobs").Select(ToRow).Select(r => (r.Job, r.Sequence));
    }

    /// <summary>Where each job would be while pending (its queue place, whatever its status now), for the jobs still queued.</summary>
    public IReadOnlyDictionary<string, (long Sequence, string PendingKey)> Places(IEnumerable<string> jobIds)
        => TableReads.PointReads(table, jobIds.Distinct(StringComparer.Ordinal), id => (pairId, IndexKey(id)), "find queued jobs")
            .Select(found => (JobId: found.Key, Key: found.Value.GetString("Job")))
            .Select(f => (f.JobId, Parts: f.Key.Split(TableKeys.Separator)))
            .ToDictionary(f => f.JobId, f => (long.Parse(f.Parts[4], CultureInfo.InvariantCulture),
                string.Join(TableKeys.Separator, f.Parts.Select((part, i) => i == 2 ? QueuedJobStatus.Pending.ToString() : part))), StringComparer.Ordinal);

    /// <summary>The job in the row at <paramref name="pendingKey"/> (see <see cref="Places"/>), if it is there: pending, in that place.</summary>
    public QueuedJob? PendingAt(string pendingKey) => TableCalls.Guard("read a queued job", () =>
    {
        var found = table.GetEntityIfExists<TableEntity>(pairId, pendingKey);
        return found.HasValue ? TableJobRows.Job(found.Value!) : null;
    });

    /// <summary>Drops the rows remembered from Take (the pair's state was removed).</summary>
    public void Forget() => _taken.Clear();

    private IReadOnlyList<TableTransactionAction> Insert(QueuedJob job, long sequence, TableTransactionActionType type = TableTransactionActionType.Add, string? answer = null)
    {
        var key = JobKey(job.Status, job.TargetType, sequence, job.JobId);
        return
        [
            new TableTransactionAction(type, new TableEntity(pairId, IndexKey(job.JobId)) { ["Job"] = key }),
            new TableTransactionAction(type, TableJobRows.Entity(pairId, key, job, sequence, answer)),
        ];
    }

    /// <summary>A job given again: the new payload, pending again (a held answer stays held), in its old place in the queue.</summary>
    private void EnqueueAgain(QueuedJob job, DateTimeOffset now) => TableCalls.Optimistic("enqueue " + job.JobId, () =>
    {
        if (Find(job.JobId) is not { } row)
        {
            // Completed since the insert found it: a new job after all.
            table.SubmitTransaction(Insert(job with { EnqueuedAt = now, UpdatedAt = now, Status = QueuedJobStatus.Pending }, NextSequence(now)).ToList());
            return;
        }
        var status = row.Job.Status == QueuedJobStatus.Answered ? QueuedJobStatus.Answered : QueuedJobStatus.Pending;
        table.SubmitTransaction(Move(row, row.Job with { Payload = job.Payload, Status = status, UpdatedAt = now }, row.Answer).ToList());
    });

    /// <summary>
    /// The actions that turn <paramref name="row"/> into <paramref name="changed"/> holding <paramref name="answer"/>: a
    /// replace in place, or (status changed) a move and the index with it.
    /// </summary>
    private IReadOnlyList<TableTransactionAction> Move(Row row, QueuedJob changed, string? answer)
    {
        var key = JobKey(changed.Status, changed.TargetType, row.Sequence, changed.JobId);
        var entity = TableJobRows.Entity(pairId, key, changed, row.Sequence, answer);
        if (key == row.Key) return [new TableTransactionAction(TableTransactionActionType.UpdateReplace, entity, row.ETag)];
        return
        [
            new TableTransactionAction(TableTransactionActionType.Delete, new TableEntity(pairId, row.Key), row.ETag),
            new TableTransactionAction(TableTransactionActionType.Add, entity),
            new TableTransactionAction(TableTransactionActionType.UpsertReplace, new TableEntity(pairId, IndexKey(changed.JobId)) { ["Job"] = key }),
        ];
    }

    /// <summary>
    /// Applies a change to each item's job in transactions, first on the row Take handed out (when it still matches the
    /// job given), then — for any that lost a race — one by one on a fresh read. <paramref name="change"/> returns null to
    /// leave a job alone; a job no longer queued is left alone. Returns how many jobs were changed.
    /// </summary>
    private int Apply<T>(IEnumerable<T> items, Func<T, QueuedJob> jobOf, string what, Func<T, Row, IReadOnlyList<TableTransactionAction>?> change)
    {
        var last = new Dictionary<string, T>(StringComparer.Ordinal);
        foreach (var item in items) last[jobOf(item).JobId] = item;
        var units = new List<(T Item, IReadOnlyList<TableTransactionAction> Actions)>();
        foreach (var item in last.Values)
        {
            var job = jobOf(item);
            var row = _taken.TryRemove(job.JobId, out var taken) && taken.Job.UpdatedAt == job.UpdatedAt ? taken : Find(job.JobId);
            if (row is not null && change(item, row) is { } actions) units.Add((item, actions));
        }
        var lost = new List<T>();
        TableBatches.Submit(table, units, u => u.Actions, u => lost.Add(u.Item), what);
        var changed = units.Count - lost.Count;
        foreach (var item in lost)
        {
            changed += TableCalls.Optimistic(what, () =>
            {
                if (Find(jobOf(item).JobId) is not { } row || change(item, row) is not { } actions) return 0;
                table.SubmitTransaction(actions.ToList());
                return 1;
            });
        }
        return changed;
    }

    /// <summary>
    /// The job's row as it is now, or null when the job is no longer queued. The index names the row; when the row is
    /// gone by the time it is read, another writer moved it (park, unpark, enqueue again) or removed it in the meantime,
    /// so the index is read again until the two agree.
    /// </summary>
    private Row? Find(string jobId) => TableCalls.Guard("read a queued job", () =>
    {
        string? previous = null;
        while (true)
        {
            var index = table.GetEntityIfExists<TableEntity>(pairId, IndexKey(jobId));
            if (!index.HasValue) return null;
            var key = index.Value!.GetString("Job");
            var found = table.GetEntityIfExists<TableEntity>(pairId, key);
            if (found.HasValue) return ToRow(found.Value!);
            // The same index twice and still no row: nothing is moving it, the job is gone.
            if (key == previous) return null;
            previous = key;
        }
    });

    private IEnumerable<Row> Rows(string prefix, int? pageSize) => TableQueries.Range(table, pairId, prefix, "read queued jobs", pageSize: pageSize).Select(ToRow);

    private static Row ToRow(TableEntity entity) => new(entity.RowKey, entity.ETag, TableJobRows.Job(entity), TableJobRows.Sequence(entity), TableJobRows.Answer(entity));

    private string JobPrefix(QueuedJobStatus status) => TableKeys.Prefix(_direction, "j", status.ToString());

    private string JobPrefix(QueuedJobStatus status, string targetType) => TableKeys.Prefix(_direction, "j", status.ToString(), TableKeys.Part(targetType));

    private string JobKey(QueuedJobStatus status, string targetType, long sequence, string jobId)
        => JobPrefix(status, targetType) + sequence.ToString("D19", CultureInfo.InvariantCulture) + TableKeys.Separator + TableKeys.Part(jobId);

    private string IndexKey(string jobId) => TableKeys.Prefix(_direction, "i") + TableKeys.Part(jobId);

    /// <summary>Queue order: the enqueue time in ticks, strictly increasing within the process (calls in one tick, or with one clock value, keep their order).</summary>
    private static long NextSequence(DateTimeOffset now)
    {
        while (true)
        {
            var last = Interlocked.Read(ref s_lastSequence);
            var next = Math.Max(last + 1, now.UtcTicks);
            if (Interlocked.CompareExchange(ref s_lastSequence, next, last) == last) return next;
        }
    }
}
