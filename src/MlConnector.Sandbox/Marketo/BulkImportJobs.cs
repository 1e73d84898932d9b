using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace MlConnector.Sandbox.Marketo;

/// <summary>One Bulk Lead Import job (bulk-lead-import.md): the parsed file, where it stands, and its failed and warned rows.</summary>
public sealed class BulkImportJob(int batchId, char delimiter, string[] header, List<string[]> rows, FieldDef lookup, long? listId, int partitionId, DateTimeOffset createdAt)
{
    public int BatchId { get; } = batchId;
    public char Delimiter { get; } = delimiter;
    public string[] Header { get; } = header;
    public List<string[]> Rows { get; } = rows;
    public FieldDef Lookup { get; } = lookup;
    public long? ListId { get; } = listId;
    public int PartitionId { get; } = partitionId;
    public DateTimeOffset CreatedAt { get; } = createdAt;
    public DateTimeOffset? StartedAt { get; set; }
    public DateTimeOffset? FinishedAt { get; set; }

    /// <summary>Queued, Importing, Complete or Failed.</summary>
    public string Status { get; set; } = "Queued";
    public int Slot { get; set; } = -1;
    public string? FailureMessage { get; set; }
    public int Processed { get; set; }
    public int Imported { get; set; }
    public List<(string[] Row, string Reason)> Failures { get; } = new();
    public List<(string[] Row, string Reason)> Warnings { get; } = new();
    public bool Running => Status is "Queued" or "Importing";
}

/// <summary>
/// The import queue: at most <see cref="MarketoOptions.BulkImportConcurrent"/> jobs importing, first in first out, and
/// <see cref="MarketoOptions.BulkImportQueued"/> queued or importing in all (1016 beyond). Rows are processed at
/// <see cref="MarketoOptions.BulkImportRowsPerSecond"/> on the sandbox clock, whenever the queue is looked at.
/// </summary>
public sealed class BulkImportJobs(MarketoStore store, MarketoOptions options, LeadSync leads)
{
    private readonly object _gate = new();
    private readonly Dictionary<int, BulkImportJob> _jobs = new();
    private readonly List<DateTimeOffset> _slotFreeAt = new();  // per import slot: when it became free (MaxValue while busy)
    private int _nextBatchId = 3400;

    public BulkImportJob Add(char delimiter, string[] header, List<string[]> rows, FieldDef lookup, long? listId, int partitionId, DateTimeOffset now)
    {
        lock (_gate)
        {
            Advance(now);
            if (_jobs.Values.Count(j => j.Running) >= options.BulkImportQueued) throw MarketoException.Of("1016");
            var job = new BulkImportJob(++_nextBatchId, delimiter, header, rows, lookup, listId, partitionId, now);
            _jobs.Add(job.BatchId, job); // answered as Queued; it starts from its creation time once a slot is free
            return job;
        }
    }

    /// <summary>The job as of now; jobs older than 7 days are gone (batchId validity, bulk-lead-import.md).</summary>
    public BulkImportJob? Get(int batchId, DateTimeOffset now)
    {
        lock (_gate)
        {
            Advance(now);
            return _jobs.TryGetValue(batchId, out var job) && job.CreatedAt > now - TimeSpan.FromDays(7) ? job : null;
        }
    }

    public IReadOnlyList<BulkImportJob> Snapshot(DateTimeOffset now)
    {
        lock (_gate)
        {
            Advance(now);
            return _jobs.Values.OrderBy(j => j.BatchId).ToArray();
        }
    }

    /// <summary>Runs the queue up to now: starts queued jobs as slots free up and processes rows at the configured rate.</summary>
    private void Advance(DateTimeOffset now)
    {
        var rate = Math.Max(1, options.BulkImportRowsPerSecond);
        while (true)
        {
            var importing = _jobs.Values.Where(j => j.Status == "Importing").ToList();
            foreach (var job in importing)
            {
                var due = Math.Min(job.Rows.Count, (int)Math.Floor((now - job.StartedAt!.Value).TotalSeconds * rate));
                while (job.Processed < due) ProcessRow(job, job.Rows[job.Processed++], job.StartedAt.Value.AddSeconds(job.Processed / (double)rate));
                if (job.Processed < job.Rows.Count) continue;
                job.Status = "Complete";
                job.FinishedAt = job.StartedAt.Value.AddSeconds(job.Rows.Count / (double)rate);
                _slotFreeAt[job.Slot] = job.FinishedAt.Value;
            }
            while (_slotFreeAt.Count < options.BulkImportConcurrent) _slotFreeAt.Add(DateTimeOffset.MinValue);
            var next = _jobs.Values.Where(j => j.Status == "Queued").OrderBy(j => j.BatchId).FirstOrDefault();
            if (next is null) return;
            // The slot that freed up first; none is free while every slot holds an importing job.
            var slot = Enumerable.Range(0, Math.Min(options.BulkImportConcurrent, _slotFreeAt.Count))
                .Where(i => _slotFreeAt[i] <= now).OrderBy(i => _slotFreeAt[i]).DefaultIfEmpty(-1).First();
            if (slot < 0) return;
            next.Status = "Importing";
            next.Slot = slot;
            next.StartedAt = _slotFreeAt[slot] > next.CreatedAt ? _slotFreeAt[slot] : next.CreatedAt;
            _slotFreeAt[slot] = DateTimeOffset.MaxValue;
        }
    }

    private void ProcessRow(BulkImportJob job, string[] row, DateTimeOffset at)
    {
        var record = new JsonObject();
        for (var i = 0; i < job.Header.Length; i++)
            record[job.Header[i]] = i < row.Length && row[i].Length > 0 ? JsonValue.Create(row[i]) : null;
        var origin = ActivityOrigin.Api("importLead", "bulk#" + job.BatchId.ToString("x", CultureInfo.InvariantCulture), options.ApiUser);
        lock (store.Gate)
        {
            var result = leads.ImportRow(record, job.Lookup, job.PartitionId, at, origin);
            if (result["status"]?.GetValue<string>() == "skipped")
            {
                job.Failures.Add((row, result["reasons"]![0]!["message"]!.GetValue<string>()));
                return;
            }
            job.Imported++;
            var id = result["id"]!.GetValue<long>();
            if (job.ListId is { } listId && store.Lists.TryGetValue(listId, out var list)) list.Members.Add(id);
            var external = record["externalCompanyId"]?.GetValue<string>();
            if (external is not null && store.CompanyByExternalId(external) is null)
                job.Warnings.Add((row, $"Company '{external}' not found; the lead is not linked to a company"));
        }
    }

    /// <summary>The failures or warnings file: the original header and rows plus the reason column, in the job's format.</summary>
    public static string File(BulkImportJob job, bool failures)
    {
        var output = new StringBuilder();
        BulkFormat.AppendRow(output, job.Header.Append(failures ? "Import Failure Reason" : "Import Warning Reason"), job.Delimiter);
        foreach (var (row, reason) in failures ? job.Failures : job.Warnings) BulkFormat.AppendRow(output, row.Append(reason), job.Delimiter);
        return output.ToString();
    }

    /// <summary>The status item: batchId, importId, status and the counts (message when done), as bulk-lead-import.md shows it.</summary>
    public static JsonObject Status(BulkImportJob job, bool counts = true)
    {
        var item = new JsonObject
        {
            ["batchId"] = job.BatchId,
            ["importId"] = job.BatchId.ToString(CultureInfo.InvariantCulture),
            ["status"] = job.Status,
        };
        if (!counts) return item;
        item["numOfLeadsProcessed"] = job.Imported;
        item["numOfRowsFailed"] = job.Failures.Count;
        item["numOfRowsWithWarning"] = job.Warnings.Count;
        if (job.Status == "Failed") item["message"] = job.FailureMessage;
        else if (job.Status == "Complete")
            item["message"] = job.Failures.Count == 0
                ? $"Import succeeded, {job.Imported} records imported ({job.Imported} members)"
                : $"Import completed with errors, {job.Imported} records imported ({job.Imported} members), {job.Failures.Count} failed";
        return item;
    }

    /// <summary>A job that could not start (a header naming no field): it fails at once with a message.</summary>
    public BulkImportJob AddFailed(char delimiter, string[] header, FieldDef lookup, DateTimeOffset now, string message)
    {
        lock (_gate)
        {
            var job = new BulkImportJob(++_nextBatchId, delimiter, header, new List<string[]>(), lookup, null, 1, now)
            {
                Status = "Failed", FailureMessage = message, StartedAt = now, FinishedAt = now,
            };
            _jobs.Add(job.BatchId, job);
            return job;
        }
    }
}
