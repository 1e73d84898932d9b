using System.Globalization;
using System.Runtime.CompilerServices;
using MlConnector.Engine.Mapping;
using MlConnector.Engine.Marketo;
using MlConnector.Engine.State;
using MlConnector.Engine.Sync.BcToMarketo;

namespace MlConnector.Engine.Sync.BulkImport;

/// <summary>
/// Sends queued leads through Marketo's Bulk Lead Import: CSV files of at most 10 MB (and at most half the queued leads, so
/// both import slots work), at most two imports at once (the two Marketo processes; its queue of ten is left to other
/// integrations), each stored in the pair's state as soon as
/// Marketo accepted it. Status is polled through the connection's quota gate every poll interval until an import shows
/// progress, then at its estimated end (never sooner than one interval nor later than 30). A finished import's failures
/// and warnings files are read (only when its counts say there are any) and every row becomes a result: failed rows are
/// parked for replay with Marketo's reason, warned rows written and audited with the warning, the rest written. Imports
/// stored by a run that stopped are resumed by polling their batch ids, never imported again.
/// </summary>
internal sealed class BulkLeadImport
{
    private const int LongestPollInIntervals = 30;
    private const int TooManyImportsRetries = 60;
    private const int SettlePage = 2000;

    private readonly SyncContext _context;
    private readonly QueueDrain _drain;
    private readonly Action _saveCalls;
    private readonly IBulkImports _imports;
    private readonly IRecordStates _records;
    private readonly string _keyField;
    private readonly TimeSpan _interval;
    private long _processed;

    /// <param name="drain">Settles each import's jobs as a batch of the REST path would be settled.</param>
    /// <param name="saveCalls">Adds the calls made so far to the pair's daily count.</param>
    public BulkLeadImport(SyncContext context, QueueDrain drain, string keyField, Action saveCalls)
    {
        _context = context;
        _drain = drain;
        _saveCalls = saveCalls;
        _keyField = keyField;
        _imports = context.State.BulkImports;
        _records = context.State.Records(SyncDirection.BcToMarketo);
        _interval = context.Marketo.BulkImportPollInterval;
    }

    /// <summary>Whether imports of an earlier run wait to be resumed.</summary>
    public bool HasOpenImports => _imports.Open().Count > 0;

    /// <summary>Polls the imports earlier runs stored until each has finished, and settles them; imports nothing new.</summary>
    public IAsyncEnumerable<SyncResult> ResumeAsync(CancellationToken cancellationToken)
    {
        var open = _imports.Open();
        foreach (var batch in open)
            _context.Log.Verbose($"Marketo bulk import {batch.BatchId} ({batch.Rows} leads, accepted {batch.SubmittedAt:u}) was not settled by the run that started it: polling it.");
        var now = _context.Time.GetUtcNow();
        return RunAsync(open.Select(b => new Running(b, null, now, now)).ToList(), importMore: false, cancellationToken);
    }

    /// <summary>Imports every pending lead in no stored import, file by file, and settles each import as it finishes.</summary>
    public IAsyncEnumerable<SyncResult> ImportAsync(CancellationToken cancellationToken) => RunAsync(new List<Running>(), importMore: true, cancellationToken);

    private async IAsyncEnumerable<SyncResult> RunAsync(List<Running> running, bool importMore, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var refused = 0;
        // Files small enough that both of Marketo's import slots have work, at most 10 MB each.
        var maxRows = (int)Math.Ceiling(_context.State.Queue(SyncDirection.BcToMarketo).Count(QueuedJobStatus.Pending) / (double)MarketoLimits.ImportsRunning);
        while (true)
        {
            while (importMore && running.Count < MarketoLimits.ImportsRunning)
            {
                var file = LeadImportFile.Next(_imports, key => running.Any(r => r.Keys?.Contains(key) == true), Math.Max(1, maxRows), out var deferred);
                if (file is null)
                {
                    // Leads whose email is in an import still running go once it has been settled.
                    importMore = deferred && running.Count > 0;
                    break;
                }
                var accepted = await SubmitAsync(file, cancellationToken).ConfigureAwait(false);
                if (accepted is null)
                {
                    // 1016: Marketo's queue is full of other imports. Try again after a poll interval.
                    if (++refused > TooManyImportsRetries)
                        throw new MarketoApiException(MarketoErrorCodes.TooManyImports, "Too many imports: Marketo's import queue stayed full", null, 200, "bulk/v1/leads.json", refused);
                    break;
                }
                refused = 0;
                running.Add(accepted);
            }
            if (running.Count == 0 && !importMore) yield break;

            var now = _context.Time.GetUtcNow();
            var next = running.Count == 0 ? now + _interval : running.Min(r => r.NextPoll);
            if (next > now) await Task.Delay(next - now, _context.Time, cancellationToken).ConfigureAwait(false);
            foreach (var import in running.Where(r => r.NextPoll <= _context.Time.GetUtcNow()).ToList())
            {
                var status = await PollAsync(import, cancellationToken).ConfigureAwait(false);
                if (status is not null && !status.Finished) continue;
                running.Remove(import);
                if (status is not null)
                    await foreach (var result in SettleAsync(import, status, cancellationToken).ConfigureAwait(false)) yield return result;
                _imports.Remove(import.Batch.BatchId);
                _saveCalls();
            }
            _saveCalls();
        }
    }

    /// <summary>Uploads the file and stores the accepted import with its jobs; null when Marketo answers 1016 (too many imports).</summary>
    private async Task<Running?> SubmitAsync(LeadImportFile file, CancellationToken cancellationToken)
    {
        MarketoImportStatus status;
        try
        {
            status = await _context.Marketo.ImportLeadsAsync(file.Csv, _keyField, cancellationToken).ConfigureAwait(false);
        }
        catch (MarketoApiException e) when (e.Code == MarketoErrorCodes.TooManyImports)
        {
            _context.Log.Verbose($"Marketo's bulk import queue is full (1016): the next file waits {_interval.TotalSeconds:0.###} s.");
            return null;
        }
        var now = _context.Time.GetUtcNow();
        var batch = new BulkImportBatch(status.BatchId, file.Jobs.Count, now);
        _imports.Add(batch, file.Jobs);
        _saveCalls();
        _context.Log.Verbose($"Marketo bulk import {status.BatchId}: {file.Jobs.Count} leads, {file.Csv.Length} bytes, {status.Status}.");
        return new Running(batch, file.Keys, now, now + _interval);
    }

    /// <summary>The import's status and when to ask next; null when Marketo no longer knows the batch (its jobs stay pending and go again).</summary>
    private async Task<MarketoImportStatus?> PollAsync(Running import, CancellationToken cancellationToken)
    {
        MarketoImportStatus status;
        try
        {
            status = await _context.Marketo.GetLeadImportStatusAsync(import.Batch.BatchId, cancellationToken).ConfigureAwait(false);
        }
        catch (MarketoApiException e) when (e.Code == MarketoErrorCodes.ObjectNotFound)
        {
            _context.Log.Verbose($"Marketo no longer knows bulk import {import.Batch.BatchId} (1013; batch ids are kept 7 days): its {import.Batch.Rows} leads stay queued and are sent again.");
            return null;
        }
        var now = _context.Time.GetUtcNow();
        var done = status.LeadsProcessed + status.RowsFailed;
        import.NextPoll = now + NextDelay(import, done, now);
        import.LastDone = done;
        import.LastPolled = now;
        _context.Progress?.Report(new SyncProgress("Importing leads", _processed + done));
        return status;
    }

    /// <summary>One interval until the import shows progress; then the time its observed rate says is left, within 1 to 30 intervals.</summary>
    private TimeSpan NextDelay(Running import, long done, DateTimeOffset now)
    {
        var rows = done - import.LastDone;
        var elapsed = (now - import.LastPolled).TotalSeconds;
        if (rows <= 0 || elapsed <= 0) return _interval;
        var left = TimeSpan.FromSeconds((import.Batch.Rows - done) / (rows / elapsed));
        var longest = _interval * LongestPollInIntervals;
        return left < _interval ? _interval : left > longest ? longest : left;
    }

    /// <summary>
    /// Every job of a finished import as a result: failed (parked with Marketo's reason), or written (with any warning).
    /// Settled a page of jobs at a time, so a file of 50,000 leads is never held whole.
    /// </summary>
    private async IAsyncEnumerable<SyncResult> SettleAsync(Running import, MarketoImportStatus status, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var id = import.Batch.BatchId;
        var failures = status.RowsFailed > 0 && status.Status != "Failed"
            ? ImportRows.ReasonsByKey(await _context.Marketo.GetLeadImportRowsAsync(id, failures: true, cancellationToken).ConfigureAwait(false), _keyField)
            : new Dictionary<string, string>();
        var warnings = status.RowsWithWarning > 0
            ? ImportRows.ReasonsByKey(await _context.Marketo.GetLeadImportRowsAsync(id, failures: false, cancellationToken).ConfigureAwait(false), _keyField)
            : new Dictionary<string, string>();
        _context.Log.Verbose($"Marketo bulk import {id}: {status.Status}; {status.LeadsProcessed} imported, {status.RowsFailed} failed, {status.RowsWithWarning} with warnings ({status.Message}).");
        var requestId = "bulk:" + id.ToString(CultureInfo.InvariantCulture);
        long after = 0;
        while (_imports.Jobs(id, after, SettlePage) is { Count: > 0 } page)
        {
            after = page[^1].Sequence;
            var jobs = page.Select(p => p.Job).ToList();
            foreach (var result in Settle(jobs, failures, warnings, status, requestId)) yield return result;
        }
    }

    private List<SyncResult> Settle(List<QueuedJob> jobs, Dictionary<string, string> failures, Dictionary<string, string> warnings, MarketoImportStatus status, string requestId)
    {
        var id = status.BatchId;
        var records = jobs.Select(MarketoJobs.FromJob).ToList();
        var known = _records.Get(records.Select(r => r.TargetKey));
        var now = _context.Time.GetUtcNow();
        var outcomes = new List<JobOutcome>(jobs.Count);
        foreach (var record in records)
        {
            var key = record.Key.Trim().ToLowerInvariant();
            string? failed = status.Status == "Failed" ? $"Marketo bulk import {id} failed: {status.Message ?? "no message"}"
                : failures.TryGetValue(key, out var why) ? $"Marketo bulk import {id}: {why}" : null;
            var action = failed is not null ? SyncAction.Failed : known.ContainsKey(record.TargetKey) ? SyncAction.Updated : SyncAction.Created;
            var reason = failed ?? (warnings.TryGetValue(key, out var warning) ? $"Marketo bulk import {id} warning: {warning}" : null);
            outcomes.Add(new JobOutcome(new SyncResult
            {
                SourceType = record.SourceType, SourceNumber = record.SourceNumber, TargetType = record.TargetType, TargetKey = record.Key,
                Action = action, Reason = reason, RequestId = requestId, CorrelationId = _context.CorrelationId,
                ChangedFields = failed is null ? record.Fields.Keys.ToArray() : Array.Empty<string>(),
            }, failed is null ? new RecordState(record.TargetKey, record.SourceNumber, record.ContentHash, null, now) { FieldHashes = ContentHash.FieldDigests(record.TargetKey, record.Fields) } : null));
        }
        _processed += jobs.Count;
        return _drain.Settle(jobs, outcomes);
    }

    /// <summary>An import in flight: its stored batch, the emails in its file (unknown for an import resumed from an earlier run) and its polling.</summary>
    private sealed class Running(BulkImportBatch batch, HashSet<string>? keys, DateTimeOffset submitted, DateTimeOffset firstPoll)
    {
        public BulkImportBatch Batch { get; } = batch;
        public HashSet<string>? Keys { get; } = keys;
        public DateTimeOffset NextPoll { get; set; } = firstPoll;
        public DateTimeOffset LastPolled { get; set; } = submitted;
        public long LastDone { get; set; }
    }
}
