using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using MlConnector.Engine.Diagnostics;
using MlConnector.Engine.Marketo;
using MlConnector.Engine.Security;
using MlConnector.Engine.State;

namespace MlConnector.Engine.Sync.MarketoToBc;

/// <summary>
/// A large backfill through Bulk Lead Extract: one export per window of at most 31 days, filtered by updatedAt — or by
/// createdAt when the subscription answers 1035 (said as a warning, and in each lead's ReadBy) — polled politely, its file
/// fetched in Range chunks and checked against its SHA-256. Progress is kept after each window's leads are handed on, so
/// a backfill Marketo stops with 1029 (daily export allowance or queue used up) ends cleanly and resumes on a later run.
/// When it is complete the change feed takes over from a paging token taken when the backfill began.
/// </summary>
internal sealed class LeadBackfill(SyncContext context, LeadReceiveRequest request, IReadOnlyList<string> fields,
    Func<IReadOnlyList<MarketoLead>, IReadOnlyList<MarketoLead>> dropEchoes)
{
    private const string UpdatedAt = "updatedAt";
    private const string CreatedAt = "createdAt";

    /// <summary>Leads handed on per step of a window's file.</summary>
    private const int StepLeads = 1000;

    /// <summary>Where a backfill stands: the feed token for when it is done, its end, its filter, and how far it got.</summary>
    internal sealed record State(string Feed, DateTimeOffset Until, string Filter, DateTimeOffset Progress, bool Full);

    private sealed record Stored(string Feed, DateTimeOffset Until, string Filter, bool Full);

    /// <summary>A backfill that stopped before its end (1029, or the run was stopped), if any.</summary>
    public State? Unfinished()
    {
        if (context.State.Checkpoints.GetWatermark(SyncCheckpoints.LeadBackfill) is not { } mark) return null;
        Stored? stored;
        try { stored = JsonSerializer.Deserialize<Stored>(mark.Token); }
        catch (JsonException) { return null; }
        return stored is not null && mark.At < stored.Until ? new State(stored.Feed, stored.Until, stored.Filter, mark.At, stored.Full) : null;
    }

    public async IAsyncEnumerable<ReceivedLeads> RunAsync(DateTimeOffset from, DateTimeOffset until, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var feed = await context.Marketo.GetPagingTokenAsync(until, cancellationToken).ConfigureAwait(false);
        // Export ranges are whole seconds: widen the backfill to them, so no change in a second's fraction falls between windows.
        var state = new State(feed, Ceiling(until), UpdatedAt, Floor(from), request.Full);
        context.Log.Verbose($"Backfill of Marketo leads from {LeadReceiver.Utc(from)} to {LeadReceiver.Utc(until)} by bulk extract, in windows of at most {request.BulkWindow.TotalDays:0} days.");
        Save(state);
        await foreach (var step in ResumeAsync(state, cancellationToken).ConfigureAwait(false)) yield return step;
    }

    public async IAsyncEnumerable<ReceivedLeads> ResumeAsync(State state, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        long total = 0;
        while (state.Progress < state.Until)
        {
            var end = state.Progress + request.BulkWindow < state.Until ? state.Progress + request.BulkWindow : state.Until;
            MarketoExportJob job;
            string filter;
            try
            {
                (job, filter) = await ExportAsync(state, end, cancellationToken).ConfigureAwait(false);
            }
            catch (MarketoQuotaExceededException e) when (e.Code == MarketoErrorCodes.ExportQuota)
            {
                context.Log.Warning(EngineWarnings.BackfillStopped,
                    $"Marketo refused the next bulk export ({e.Message}) The backfill stopped cleanly after the leads up to {LeadReceiver.Utc(state.Progress)}; " +
                    $"run again after {e.ResetsAt:yyyy-MM-dd HH:mm zzz} to continue from there.");
                yield break;
            }
            state = state with { Filter = filter };
            var path = Path.Combine(Path.GetTempPath(), $"mlconnector-export-{Guid.NewGuid():N}.csv");
            var options = PrivateFiles.Options(FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None);
            options.Options |= FileOptions.DeleteOnClose;
            await using (var file = new FileStream(path, options))
            {
                await context.Marketo.DownloadLeadExportAsync(job, file, request.BulkChunkBytes, cancellationToken).ConfigureAwait(false);
                file.Position = 0;
                using var reader = new StreamReader(file, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, bufferSize: 64 * 1024, leaveOpen: true);
                var step = new List<MarketoLead>(StepLeads);
                foreach (var record in MarketoBulkFile.Read(reader))
                {
                    step.Add(Lead(record, filter));
                    if (step.Count < StepLeads) continue;
                    total += step.Count;
                    yield return new ReceivedLeads(dropEchoes(step), []);
                    step = new List<MarketoLead>(StepLeads);
                }
                if (step.Count > 0)
                {
                    total += step.Count;
                    yield return new ReceivedLeads(dropEchoes(step), []);
                }
            }
            // The window's leads are handed on: the next run continues after it.
            state = state with { Progress = end };
            Save(state);
            context.Progress?.Report(new SyncProgress("Backfill by bulk extract", total));
        }
        if (request.AdvanceWatermark)
            context.State.Checkpoints.SetWatermark(SyncCheckpoints.LeadChanges, new Watermark(state.Feed, state.Until), context.Time.GetUtcNow());
        context.Log.Verbose($"Backfill complete: {total} lead(s) read by {state.Filter} windows; the change feed continues from {LeadReceiver.Utc(state.Until)}.");
    }

    /// <summary>Creates, enqueues and waits for the window's export; updatedAt first, createdAt once Marketo answers 1035.</summary>
    private async Task<(MarketoExportJob Job, string Filter)> ExportAsync(State state, DateTimeOffset end, CancellationToken cancellationToken)
    {
        var filter = state.Filter;
        MarketoExportJob job;
        try
        {
            job = await context.Marketo.CreateLeadExportAsync(fields, filter, state.Progress, end, cancellationToken).ConfigureAwait(false);
        }
        catch (MarketoApiException e) when (e.Code == MarketoClient.UnsupportedFilterCode && filter == UpdatedAt)
        {
            filter = CreatedAt;
            context.Log.Warning(EngineWarnings.BackfillByCreatedAt, state.Full
                ? "This Marketo subscription does not offer the updatedAt filter for bulk lead extracts (1035): the backfill reads by createdAt windows instead, which still covers every lead."
                : $"This Marketo subscription does not offer the updatedAt filter for bulk lead extracts (1035): the backfill reads by createdAt windows instead, so leads created before " +
                  $"{LeadReceiver.Utc(state.Progress)} and changed since are not included (each lead says ReadBy BulkExtract:createdAt). Run Receive-MlMarketoLeads -Full to import every lead.");
            job = await context.Marketo.CreateLeadExportAsync(fields, filter, state.Progress, end, cancellationToken).ConfigureAwait(false);
        }
        job = await context.Marketo.EnqueueLeadExportAsync(job.ExportId, cancellationToken).ConfigureAwait(false);
        return (await AwaitAsync(job, cancellationToken).ConfigureAwait(false), filter);
    }

    /// <summary>Polls the job's status, starting at the configured interval and doubling up to its maximum; a job that ends otherwise than Completed fails the read.</summary>
    private async Task<MarketoExportJob> AwaitAsync(MarketoExportJob job, CancellationToken cancellationToken)
    {
        var started = context.Time.GetUtcNow();
        var delay = request.BulkPollInterval;
        try
        {
            while (!job.Finished)
            {
                if (context.Time.GetUtcNow() - started > request.BulkJobTimeout)
                {
                    await context.Marketo.CancelLeadExportAsync(job.ExportId, cancellationToken).ConfigureAwait(false);
                    throw new MlConnectorException("MarketoExportTimedOut", MlErrorCategory.Connection,
                        $"Marketo export {job.ExportId} was still {job.Status} after {request.BulkJobTimeout.TotalMinutes:0} minutes; it was cancelled. Run again later.");
                }
                await Task.Delay(delay, context.Time, cancellationToken).ConfigureAwait(false);
                delay = delay * 2 < request.BulkPollMaximum ? delay * 2 : request.BulkPollMaximum;
                job = await context.Marketo.GetLeadExportStatusAsync(job.ExportId, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopped: leave no job running in Marketo's queue (best effort; the run is ending anyway).
            try { await context.Marketo.CancelLeadExportAsync(job.ExportId, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false); }
            catch (Exception e) when (e is MlConnectorException or TimeoutException) { context.Log.Verbose($"Export {job.ExportId} could not be cancelled: {e.Message}"); }
            throw;
        }
        if (!job.Completed)
            throw new MlConnectorException("MarketoExportFailed", MlErrorCategory.InvalidData,
                $"Marketo export {job.ExportId} ended {job.Status}{(job.ErrorMessage is { } why ? ": " + why : "")}. Nothing of it was used; run again.");
        return job;
    }

    private static DateTimeOffset Floor(DateTimeOffset time) => new(time.UtcTicks - time.UtcTicks % TimeSpan.TicksPerSecond, TimeSpan.Zero);

    private static DateTimeOffset Ceiling(DateTimeOffset time) => time.UtcTicks % TimeSpan.TicksPerSecond == 0 ? time.ToUniversalTime() : Floor(time).AddSeconds(1);

    private static MarketoLead Lead(IReadOnlyDictionary<string, string?> record, string filter)
    {
        var fields = new Dictionary<string, string?>(record, StringComparer.OrdinalIgnoreCase);
        var id = long.TryParse(fields.GetValueOrDefault("id"), NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) ? parsed : 0;
        return new MarketoLead { Id = id, Fields = fields, ReadBy = MarketoLead.ByBulkExtract(filter) };
    }

    private void Save(State state)
    {
        if (!request.AdvanceWatermark) return;
        var token = JsonSerializer.Serialize(new Stored(state.Feed, state.Until, state.Filter, state.Full));
        context.State.Checkpoints.SetWatermark(SyncCheckpoints.LeadBackfill, new Watermark(token, state.Progress), context.Time.GetUtcNow());
    }
}
