using System.Globalization;
using Azure;
using Azure.Data.Tables;

namespace MlConnector.Engine.State.Tables;

/// <summary>
/// One pair's Bulk Lead Imports in flight, in the queue table beside its BC → Marketo jobs (partition = pair id): a row
/// "bulk|b|batch id" per import, and a row "bulk|j|job id" per job of its file, naming the batch, the job's updated time
/// when the file was made and its place in the queue while pending. The import's row is written before its jobs' and
/// removed after them, so a writer stopped halfway leaves jobs re-imported later (an upsert) rather than held forever;
/// jobs whose import is gone count as importing nothing. The job rows of the open imports are read once and kept while
/// the same imports are open (the import rows are read each time: another writer may have added or removed one).
/// </summary>
internal sealed class TableBulkImports(TableClient table, string pairId, TableWorkQueue queue) : IBulkImports
{
    private const string BatchPrefix = "bulk|b|";
    private const string JobPrefix = "bulk|j|";
    private readonly object _gate = new();
    private (string Open, List<Member> Rows)? _members;

    private sealed record Member(string JobId, long BatchId, DateTimeOffset UpdatedAt, long Sequence, string PendingKey);

    public IReadOnlyList<BulkImportBatch> Open() => TableQueries.Range(table, pairId, BatchPrefix, "list the bulk imports")
        .Select(row => new BulkImportBatch(row.GetInt64("BatchId") ?? 0, row.GetInt32("Rows") ?? 0, StateTime.Parse(row.GetString("SubmittedAt"))))
        .OrderBy(b => b.SubmittedAt).ThenBy(b => b.BatchId).ToList();

    public void Add(BulkImportBatch batch, IReadOnlyCollection<(string JobId, DateTimeOffset UpdatedAt)> jobs)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(jobs);
        TableCalls.Guard("store the bulk import " + batch.BatchId, () => table.UpsertEntity(new TableEntity(pairId, BatchKey(batch.BatchId))
        {
            ["BatchId"] = batch.BatchId, ["Rows"] = batch.Rows, ["SubmittedAt"] = StateTime.Format(batch.SubmittedAt),
        }, TableUpdateMode.Replace));
        var places = queue.Places(jobs.Select(j => j.JobId));
        var rows = jobs.Where(j => places.ContainsKey(j.JobId)).Select(j => new TableTransactionAction(TableTransactionActionType.UpsertReplace,
            new TableEntity(pairId, JobKey(j.JobId))
            {
                ["JobId"] = j.JobId, ["BatchId"] = batch.BatchId, ["JobUpdatedAt"] = StateTime.Format(j.UpdatedAt),
                ["Sequence"] = places[j.JobId].Sequence, ["PendingKey"] = places[j.JobId].PendingKey,
            }));
        TableBatches.Submit(table, rows, "store the jobs of the bulk import " + batch.BatchId);
        Forget();
    }

    public IReadOnlyList<(QueuedJob Job, long Sequence)> Jobs(long batchId, long afterSequence, int max)
    {
        var jobs = new List<(QueuedJob, long)>();
        var open = Open().Select(b => b.BatchId).ToHashSet();
        if (!open.Contains(batchId)) return jobs;
        foreach (var member in Members(open).Where(m => m.BatchId == batchId && m.Sequence > afterSequence))
        {
            if (jobs.Count >= max) break;
            // Still pending as it was when the file was made: a job enqueued again since has content the file did not hold.
            if (queue.PendingAt(member.PendingKey) is { } job && job.UpdatedAt == member.UpdatedAt) jobs.Add((job, member.Sequence));
        }
        return jobs;
    }

    public IReadOnlyList<(QueuedJob Job, long Sequence)> TakeNotImporting(string targetType, long afterSequence, int max)
    {
        var open = Open().Select(b => b.BatchId).ToHashSet();
        var importing = Members(open).Where(m => open.Contains(m.BatchId)).Select(m => m.JobId).ToHashSet(StringComparer.Ordinal);
        return queue.PendingAfter(targetType, afterSequence).Where(p => !importing.Contains(p.Job.JobId)).Take(max).ToList();
    }

    public void Remove(long batchId)
    {
        var rows = TableQueries.Query(table, TableClient.CreateQueryFilter(
                $"PartitionKey eq {pairId} and RowKey ge {JobPrefix} and RowKey lt {TableKeys.PrefixEnd(JobPrefix)} and BatchId eq {batchId}"), "list the jobs of a bulk import", ["RowKey"], null)
            .Select(row => new TableTransactionAction(TableTransactionActionType.Delete, new TableEntity(pairId, row.RowKey), ETag.All));
        TableBatches.Submit(table, rows, a => [a], _ => { }, "forget the jobs of the bulk import " + batchId);
        TableCalls.Guard("forget the bulk import " + batchId, () =>
        {
            try { table.DeleteEntity(pairId, BatchKey(batchId), ETag.All); }
            catch (RequestFailedException e) when (e.Status == 404) { }
        });
        Forget();
    }

    /// <summary>Every job row of the stored imports, in queue order; read again when other imports are open than when last read.</summary>
    private List<Member> Members(IReadOnlySet<long> open)
    {
        var key = string.Join(',', open.Order());
        lock (_gate)
        {
            if (_members is { } kept && kept.Open == key) return kept.Rows;
            var rows = TableQueries.Range(table, pairId, JobPrefix, "read the jobs of the bulk imports")
                .Select(row => new Member(row.GetString("JobId"), row.GetInt64("BatchId") ?? 0, StateTime.Parse(row.GetString("JobUpdatedAt")),
                    row.GetInt64("Sequence") ?? 0, row.GetString("PendingKey")))
                .OrderBy(m => m.Sequence).ToList();
            _members = (key, rows);
            return rows;
        }
    }

    private void Forget()
    {
        lock (_gate) _members = null;
    }

    private static string BatchKey(long batchId) => BatchPrefix + batchId.ToString("D19", CultureInfo.InvariantCulture);

    private static string JobKey(string jobId) => JobPrefix + TableKeys.Part(jobId);
}
