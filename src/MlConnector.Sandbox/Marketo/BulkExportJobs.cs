using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace MlConnector.Sandbox.Marketo;

/// <summary>One Bulk Lead Extract job (bulk-lead-extract.md, bulk-extract.md).</summary>
public sealed class BulkExportJob(string exportId, IReadOnlyList<FieldDef> fields, IReadOnlyDictionary<string, string> headers, char delimiter, string format,
    Func<LeadRecord, bool> filter, DateTimeOffset createdAt)
{
    public string ExportId { get; } = exportId;
    public IReadOnlyList<FieldDef> Fields { get; } = fields;
    public IReadOnlyDictionary<string, string> Headers { get; } = headers;
    public char Delimiter { get; } = delimiter;
    public string Format { get; } = format;
    public Func<LeadRecord, bool> Filter { get; } = filter;
    public DateTimeOffset CreatedAt { get; } = createdAt;
    public DateTimeOffset? QueuedAt { get; set; }
    public DateTimeOffset? StartedAt { get; set; }
    public DateTimeOffset? FinishedAt { get; set; }

    /// <summary>Created, Queued, Processing, Canceled, Completed or Failed.</summary>
    public string Status { get; set; } = "Created";
    public int Records { get; set; }

    /// <summary>The errorMsg the job ends Failed with, chosen when it starts (<see cref="MarketoOptions.BulkExportFailures"/>); null ends it Completed.</summary>
    public string? FailsWith { get; set; }
    public byte[]? File { get; set; }
    public bool InQueue => Status is "Queued" or "Processing";
}

/// <summary>
/// The export queue: <see cref="MarketoOptions.BulkExportConcurrent"/> jobs processing, <see cref="MarketoOptions.BulkExportQueued"/>
/// queued in all (1029 "Too many jobs in queue"), the daily allowance metered on file size and reset at midnight US Central
/// (1029 "Export daily quota ...MB exceeded" on create and enqueue). A job reads its leads when it starts and completes after
/// records / <see cref="MarketoOptions.BulkExportRecordsPerSecond"/> on the sandbox clock; no partial file is ever served.
/// </summary>
public sealed class BulkExportJobs(MarketoStore store, MarketoOptions options)
{
    private readonly object _gate = new();
    private readonly List<BulkExportJob> _jobs = new();
    private readonly Dictionary<DateOnly, long> _bytesPerDay = new();

    public BulkExportJob Create(IReadOnlyList<FieldDef> fields, IReadOnlyDictionary<string, string> headers, char delimiter, string format, Func<LeadRecord, bool> filter, DateTimeOffset now)
    {
        lock (_gate)
        {
            Advance(now);
            RequireAllowance(now);
            var job = new BulkExportJob(Guid.NewGuid().ToString("D"), fields, headers, delimiter, format, filter, now);
            _jobs.Add(job);
            return job;
        }
    }

    public BulkExportJob Enqueue(string exportId, DateTimeOffset now)
    {
        lock (_gate)
        {
            Advance(now);
            var job = Find(exportId);
            if (job.Status != "Created") throw new MarketoException("1029", "Job already queued");
            if (_jobs.Count(j => j.InQueue) >= options.BulkExportQueued) throw new MarketoException("1029", "Too many jobs in queue");
            RequireAllowance(now);
            job.Status = "Queued"; // answered as Queued; it starts from now once a slot is free
            job.QueuedAt = now;
            return job;
        }
    }

    public BulkExportJob Cancel(string exportId, DateTimeOffset now)
    {
        lock (_gate)
        {
            Advance(now);
            var job = Find(exportId);
            if (job.Status is "Created" or "Queued" or "Processing") job.Status = "Canceled";
            return job;
        }
    }

    public BulkExportJob Status(string exportId, DateTimeOffset now)
    {
        lock (_gate)
        {
            Advance(now);
            return Find(exportId);
        }
    }

    /// <summary>Jobs of the last 7 days, newest first, optionally only some statuses.</summary>
    public IReadOnlyList<BulkExportJob> List(IReadOnlyCollection<string> statuses, DateTimeOffset now)
    {
        lock (_gate)
        {
            Advance(now);
            return _jobs.Where(j => j.CreatedAt > now.AddDays(-7) && (statuses.Count == 0 || statuses.Contains(j.Status, StringComparer.OrdinalIgnoreCase)))
                .OrderByDescending(j => j.CreatedAt).ToArray();
        }
    }

    /// <summary>The file of a completed job still within its retention, else null (the endpoint answers 404).</summary>
    public byte[]? File(string exportId, DateTimeOffset now)
    {
        lock (_gate)
        {
            Advance(now);
            var job = _jobs.FirstOrDefault(j => j.ExportId == exportId);
            return job is { Status: "Completed" } && job.FinishedAt > now - options.BulkExportFileRetention ? job.File : null;
        }
    }

    private BulkExportJob Find(string exportId) => _jobs.FirstOrDefault(j => j.ExportId == exportId) ?? throw new MarketoException("1003", $"Export job '{exportId}' not found");

    private void RequireAllowance(DateTimeOffset now)
    {
        if (_bytesPerDay.GetValueOrDefault(MarketoLimiter.CentralDate(now)) >= options.DailyExportQuotaBytes)
            throw new MarketoException("1029", $"Export daily quota {options.DailyExportQuotaBytes / (1024 * 1024)}MB exceeded");
    }

    /// <summary>Moves the queue up to now: completes processing jobs whose time has come and starts queued ones in order.</summary>
    private void Advance(DateTimeOffset now)
    {
        var rate = Math.Max(1, options.BulkExportRecordsPerSecond);
        while (true)
        {
            foreach (var job in _jobs.Where(j => j.Status == "Processing" && j.StartedAt!.Value.AddSeconds(Math.Max(1, j.Records / (double)rate)) <= now))
            {
                job.FinishedAt = job.StartedAt!.Value.AddSeconds(Math.Max(1, job.Records / (double)rate));
                if (job.FailsWith is not null)
                {
                    job.Status = "Failed";
                    continue;
                }
                job.Status = "Completed";
                var day = MarketoLimiter.CentralDate(job.FinishedAt.Value);
                _bytesPerDay[day] = _bytesPerDay.GetValueOrDefault(day) + job.File!.Length;
            }
            var processing = _jobs.Count(j => j.Status == "Processing");
            var next = _jobs.Where(j => j.Status == "Queued").OrderBy(j => j.QueuedAt).FirstOrDefault();
            if (next is null || processing >= options.BulkExportConcurrent) return;
            var freedAt = _jobs.Where(j => j.FinishedAt is not null && j.StartedAt is not null).Select(j => j.FinishedAt!.Value).DefaultIfEmpty(DateTimeOffset.MinValue).Max();
            next.StartedAt = freedAt > next.QueuedAt!.Value && freedAt <= now ? freedAt : next.QueuedAt.Value;
            next.Status = "Processing";
            if (options.BulkExportFailures > 0)
            {
                options.BulkExportFailures--;
                next.FailsWith = options.BulkExportFailureMessage;
            }
            Write(next);
        }
    }

    /// <summary>The file: a header (REST names or columnHeaderNames), one row per lead, the literal null for a missing value.</summary>
    private void Write(BulkExportJob job)
    {
        var output = new StringBuilder();
        BulkFormat.AppendRow(output, job.Fields.Select(f => job.Headers.GetValueOrDefault(f.Name) ?? f.Name), job.Delimiter);
        lock (store.Gate)
        {
            foreach (var lead in store.Leads.Where(job.Filter).OrderBy(l => l.Id))
            {
                BulkFormat.AppendRow(output, job.Fields.Select(f => store.ReadLeadField(lead, f) ?? "null"), job.Delimiter);
                job.Records++;
            }
        }
        job.File = Encoding.UTF8.GetBytes(output.ToString());
    }

    /// <summary>The job as the status, enqueue, cancel and list endpoints show it.</summary>
    public static JsonObject Json(BulkExportJob job)
    {
        var item = new JsonObject { ["exportId"] = job.ExportId, ["format"] = job.Format, ["status"] = job.Status, ["createdAt"] = MarketoDates.Format(job.CreatedAt) };
        if (job.QueuedAt is { } queued) item["queuedAt"] = MarketoDates.Format(queued);
        if (job.StartedAt is { } started) item["startedAt"] = MarketoDates.Format(started);
        if (job.Status == "Completed")
        {
            item["finishedAt"] = MarketoDates.Format(job.FinishedAt!.Value);
            item["numberOfRecords"] = job.Records;
            item["fileSize"] = job.File!.Length;
            item["fileChecksum"] = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(job.File));
        }
        if (job.Status == "Failed")
        {
            item["finishedAt"] = MarketoDates.Format(job.FinishedAt!.Value);
            item["errorMsg"] = job.FailsWith;
        }
        return item;
    }

    /// <summary>A createdAt or updatedAt range: ISO-8601 without milliseconds (704 otherwise), at most the 31-day window (1003).</summary>
    public static (DateTimeOffset Start, DateTimeOffset End) Range(JsonNode? range, TimeSpan window)
    {
        static DateTimeOffset Read(JsonNode? node)
        {
            var text = node?.GetValue<string>() ?? throw MarketoException.Of("1002", "startAt/endAt");
            return DateTimeOffset.TryParseExact(text, ["yyyy-MM-dd'T'HH:mm:ssK", "yyyy-MM-dd'T'HH:mm:sszzz"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var at)
                ? at : throw MarketoException.Of("704");
        }
        var (start, end) = (Read(range?["startAt"]), Read(range?["endAt"]));
        if (end < start) throw new MarketoException("1003", "endAt must not be before startAt");
        if (end - start > window) throw new MarketoException("1003", $"Date range must not exceed {window.TotalDays:0} days");
        return (start, end);
    }
}
