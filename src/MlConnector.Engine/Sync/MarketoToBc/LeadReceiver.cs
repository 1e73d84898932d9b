using System.Globalization;
using System.Runtime.CompilerServices;
using MlConnector.Engine.Diagnostics;
using MlConnector.Engine.Mapping;
using MlConnector.Engine.Marketo;
using MlConnector.Engine.State;

namespace MlConnector.Engine.Sync.MarketoToBc;

/// <summary>
/// Reads the Marketo leads that changed since the pair's watermark: the change feed (New Lead and Change Data Value from
/// a paging token, through short and empty pages until moreResult is false), then the leads' current values by id, 300
/// a call; or, for -Full and a -Since older than the feed comfortably serves, a bulk extract (<see cref="LeadBackfill"/>).
/// Changes that are the connector's own API writes, and leads whose content is what the connector last wrote, are
/// dropped as echoes. The watermark — the last page's token and the time it stands for — is stored only when the
/// consumer asks for more after a step, that is once the step's leads are handed on.
/// </summary>
public sealed class LeadReceiver
{
    /// <summary>Leads read by id per step (Get Leads takes 300 ids a call).</summary>
    private const int StepLeads = MarketoLimits.MaxBatch;

    private readonly SyncContext _context;
    private readonly MarketoToBcMapper _mapper;
    private readonly ForwardEcho _echo;

    public LeadReceiver(SyncContext context, MarketoToBcMapper mapper, BcToMarketoMapper forward)
    {
        _context = context;
        _mapper = mapper;
        _echo = new ForwardEcho(context, forward, mapper);
    }

    /// <summary>Changes that were the connector's own writes, dropped so far by this receiver.</summary>
    public int Echoes { get; private set; }

    public async IAsyncEnumerable<ReceivedLeads> ReceiveAsync(LeadReceiveRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var fields = await FieldsAsync(request, cancellationToken).ConfigureAwait(false);
        var now = _context.Time.GetUtcNow();
        var backfill = new LeadBackfill(_context, request, fields, Drop);
        IAsyncEnumerable<ReceivedLeads> steps;
        if (request.Full || (request.Since is { } since && now - since > request.FeedReach))
        {
            steps = backfill.RunAsync(request.Full ? request.Since ?? LeadReceiveRequest.FullHistoryStart : request.Since!.Value, now, cancellationToken);
        }
        else if (request.Since is null && backfill.Unfinished() is { } resume)
        {
            _context.Log.Warning(EngineWarnings.BackfillStopped,
                $"A backfill of Marketo leads stopped before it was complete; it resumes from {Utc(resume.Progress)} (its feed watermark is kept until it is done).");
            steps = backfill.ResumeAsync(resume, cancellationToken);
        }
        else
        {
            steps = FeedAsync(request, fields, now, cancellationToken);
        }
        await foreach (var step in steps.WithCancellation(cancellationToken).ConfigureAwait(false)) yield return step;
    }

    /// <summary>The change feed from -Since, the watermark, or (first run) now, step by step.</summary>
    private async IAsyncEnumerable<ReceivedLeads> FeedAsync(LeadReceiveRequest request, IReadOnlyList<string> fields, DateTimeOffset startedAt,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var watermark = request.Since is null ? _context.State.Checkpoints.GetWatermark(SyncCheckpoints.LeadChanges) : null;
        string token;
        if (watermark is not null) token = watermark.Token;
        else
        {
            var since = request.Since ?? startedAt;
            if (request.Since is null)
                _context.Log.Warning(EngineWarnings.LeadChangesFromNow,
                    $"No Marketo lead changes have been read for this sync pair yet, and no -Since was given: reading starts now ({Utc(startedAt)}), so leads changed " +
                    "before are not imported. To start earlier, pass -Since <date>; to import every lead once, run Receive-MlMarketoLeads -Full | Sync-MlLeadToBusinessCentral.");
            token = await _context.Marketo.GetPagingTokenAsync(since, cancellationToken).ConfigureAwait(false);
        }

        var feedFields = FeedFields();
        var pending = new List<long>();
        var inStep = new HashSet<long>();
        string? lastToken = null;
        DateTimeOffset? lastActivity = null;
        long pages = 0, changes = 0;
        await using var feed = Pages(token, watermark, feedFields, cancellationToken).GetAsyncEnumerator(cancellationToken);
        while (await feed.MoveNextAsync().ConfigureAwait(false))
        {
            var page = feed.Current;
            pages++;
            foreach (var change in page.Changes)
            {
                changes++;
                if (change.ActivityDate is { } at && (lastActivity is null || at > lastActivity)) lastActivity = at;
                if (change.IsApiWriteBy(_context.Marketo.ApiUser))
                {
                    Echoes++;
                    continue;
                }
                if (inStep.Add(change.LeadId)) pending.Add(change.LeadId);
            }
            lastToken = page.NextPageToken;
            _context.Progress?.Report(new SyncProgress("Reading Marketo lead changes", changes));
            if (pending.Count < StepLeads) continue;
            yield return await ReadLeadsAsync(pending, fields, request.AdvanceWatermark, cancellationToken).ConfigureAwait(false);
            Commit(request, lastToken, lastActivity ?? startedAt);
            pending.Clear();
            inStep.Clear();
        }
        if (pending.Count > 0) yield return await ReadLeadsAsync(pending, fields, request.AdvanceWatermark, cancellationToken).ConfigureAwait(false);
        // Caught up (moreResult false): the token stands for the time the read began.
        if (lastToken is not null) Commit(request, lastToken, startedAt);
        _context.Log.Verbose($"Marketo lead changes: {changes} change(s) on {pages} page(s); {Echoes} were the connector's own writes.");
    }

    /// <summary>The feed's pages; a stored token Marketo refuses on the first page is replaced by one for the time it stood for.</summary>
    private async IAsyncEnumerable<MarketoLeadChangePage> Pages(string token, Watermark? watermark, IReadOnlyList<string> feedFields,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        string? refused = null;
        await using (var pages = _context.Marketo.GetLeadChangesAsync(token, feedFields, cancellationToken).GetAsyncEnumerator(cancellationToken))
        {
            var first = true;
            while (true)
            {
                try
                {
                    if (!await pages.MoveNextAsync().ConfigureAwait(false)) yield break;
                }
                catch (MarketoApiException e) when (first && watermark is not null && e.Code is "1003" or "701" or "704")
                {
                    refused = $"{e.Code}: {e.VendorMessage}";
                    break;
                }
                first = false;
                yield return pages.Current;
            }
        }
        _context.Log.Warning(EngineWarnings.LeadChangesRestarted,
            $"Marketo refused the stored change-feed position ({refused}); reading again from the time it stood for, {Utc(watermark!.At)}.");
        var again = await _context.Marketo.GetPagingTokenAsync(watermark.At, cancellationToken).ConfigureAwait(false);
        await foreach (var page in _context.Marketo.GetLeadChangesAsync(again, feedFields, cancellationToken).ConfigureAwait(false)) yield return page;
    }

    /// <summary>The current values of the changed leads, 300 a call; a lead gone since its change (deleted) is skipped (and audited, unless only looking).</summary>
    private async Task<ReceivedLeads> ReadLeadsAsync(IReadOnlyList<long> ids, IReadOnlyList<string> fields, bool consuming, CancellationToken cancellationToken)
    {
        var found = new Dictionary<long, MarketoLead>();
        var values = ids.Select(id => id.ToString(CultureInfo.InvariantCulture)).ToArray();
        await foreach (var record in _context.Marketo.GetLeadsByFilterAsync("id", values, fields, cancellationToken).ConfigureAwait(false))
        {
            var lead = MarketoLead.From(record, MarketoLead.ByChangeFeed);
            found[lead.Id] = lead;
        }
        var skipped = ids.Where(id => !found.ContainsKey(id)).Select(id => LeadResults.Skipped(_context, id, null, LeadResults.LeadDeleted)).ToList();
        if (consuming) SyncAudit.Write(_context, SyncDirection.MarketoToBc, skipped);
        var leads = ids.Where(found.ContainsKey).Select(id => found[id]).ToList();
        return new ReceivedLeads(Drop(leads), skipped);
    }

    /// <summary>Leads that hold exactly what the connector last wrote are echoes, not changes.</summary>
    private IReadOnlyList<MarketoLead> Drop(IReadOnlyList<MarketoLead> leads)
    {
        var echoes = _echo.Echoes(leads);
        Echoes += echoes.Count;
        return echoes.Count == 0 ? leads : leads.Where(l => !echoes.Contains(l.Id)).ToList();
    }

    private void Commit(LeadReceiveRequest request, string token, DateTimeOffset at)
    {
        if (!request.AdvanceWatermark) return;
        _context.State.Checkpoints.SetWatermark(SyncCheckpoints.LeadChanges, new Watermark(token, at), _context.Time.GetUtcNow());
    }

    /// <summary>Fields the feed reports changes of: what the mapping and the qualification read.</summary>
    private IReadOnlyList<string> FeedFields()
        => _mapper.Mapping.LeadFields().Where(f => f is not ("id" or "updatedAt")).ToArray();

    /// <summary>Every field a lead is read with, checked against Marketo describe (names are case-sensitive).</summary>
    private async Task<IReadOnlyList<string>> FieldsAsync(LeadReceiveRequest request, CancellationToken cancellationToken)
    {
        var described = (await _context.Marketo.DescribeLeadsAsync(cancellationToken).ConfigureAwait(false)).Select(f => f.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var field in _mapper.Mapping.LeadFields().Where(f => !described.Contains(f)))
            throw new MappingException("MappingSourceUnknown",
                $"The {MarketoToBcMapping.Section} mapping reads the lead field '{field}', which Marketo describe does not list (names are case-sensitive). Correct the mapping file.", field);
        var unknown = (request.Fields ?? []).Where(f => !described.Contains(f)).ToArray();
        if (unknown.Length > 0)
            throw new MlConnectorException("MarketoFieldUnknown", MlErrorCategory.InvalidConfiguration,
                $"Marketo describe does not list the lead field(s) {string.Join(", ", unknown.Select(f => "'" + f + "'"))} (REST API names are case-sensitive).");
        // The forward fields are read to recognise echoes; one the instance lacks is simply not compared.
        return _mapper.Mapping.LeadFields().Concat(_echo.LeadFields().Where(described.Contains)).Concat(request.Fields ?? [])
            .Append("createdAt").Distinct(StringComparer.Ordinal).ToArray();
    }

    internal static string Utc(DateTimeOffset time) => time.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
