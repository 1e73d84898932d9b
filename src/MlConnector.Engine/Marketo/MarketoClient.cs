using System.Runtime.CompilerServices;
using MlConnector.Engine.Diagnostics;
using MlConnector.Engine.Http;
using MlConnector.Engine.Security;

namespace MlConnector.Engine.Marketo;

/// <summary>
/// One connection to one Marketo instance: token, quota gate and retry shared by every call made through it.
/// Thread-safe; the gate bounds how many calls run at once.
/// </summary>
public sealed partial class MarketoClient : IDisposable
{
    private readonly HttpClient _http;
    private readonly MarketoQuotaGate _gate;
    private readonly MarketoTokenProvider _tokens;
    private readonly MarketoChannel _channel;
    private readonly MarketoSettings _settings;
    private readonly IEngineLog _log;
    private int _companiesWritable = -1;

    private static readonly ResponseGuard Guard = new("Marketo", "Marketo", ResponseGuard.MarketoBytes);

    private MarketoClient(MarketoSettings settings, SecretText clientSecret, IEngineLog log, TimeProvider time)
    {
        _settings = settings;
        _log = log;
        _http = new HttpClient(EndpointPolicy.CreateHandler(settings.RestBase, null, Guard), disposeHandler: true) { Timeout = Timeout.InfiniteTimeSpan };
        _gate = new MarketoQuotaGate(settings.CallsPer20Seconds, settings.RateWindow, settings.MaxConcurrency, settings.DailyCallBudget, time, log);
        var retry = new MarketoRetry(settings.Retry, _gate, time, log);
        _tokens = new MarketoTokenProvider(_http, settings.IdentityBase, settings.ClientId, clientSecret, retry, time, log);
        _channel = new MarketoChannel(_http, settings.RestBase, _tokens, _gate, retry, time, log);
    }

    /// <summary>Validates the settings and obtains a first token, so bad credentials fail here.</summary>
    public static async Task<MarketoClient> ConnectAsync(MarketoSettings settings, SecretText clientSecret, IEngineLog log, TimeProvider? time = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(clientSecret);
        settings.Validate();
        log ??= NullEngineLog.Instance;
        foreach (var warning in settings.UntrustedWarnings()) log.Warning(EngineWarnings.UntrustedEndpoint, warning);
        var client = new MarketoClient(settings, clientSecret, log, time ?? TimeProvider.System);
        try
        {
            await client.EnsureTokenAsync(cancellationToken).ConfigureAwait(false);
            return client;
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    /// <summary>REST calls sent (retries included; identity calls not).</summary>
    public long CallCount => _channel.CallCount;

    /// <summary>The API-only user this connection writes as (the token's scope), or null when Marketo did not name it.</summary>
    public string? ApiUser => _tokens.ApiUser;

    /// <summary>Identity (token) calls made; Marketo does not count these.</summary>
    public int IdentityCallCount => _tokens.IdentityCalls;

    /// <summary>Whether Company writes are possible (false on a CRM-synced instance); null until a company write or probe has shown it.</summary>
    public bool? CompaniesWritable => Volatile.Read(ref _companiesWritable) switch { 0 => false, 1 => true, _ => null };

    public Uri RestBaseUri => _settings.RestBase;

    /// <summary>Calls this connection keeps in flight at most (its share of Marketo's 10).</summary>
    public int MaxConcurrency => _settings.MaxConcurrency;

    /// <summary>Calls this connection may start in one of Marketo's rate windows (its share of the instance's 100 per 20 s).</summary>
    public int CallsPerWindow => _settings.CallsPer20Seconds;

    /// <summary>This connection's daily call budget (calls per Marketo day); null: none.</summary>
    public int? DailyCallBudget => _settings.DailyCallBudget;

    /// <summary>How often a Bulk Lead Import's status is asked for (see <see cref="MarketoSettings.BulkImportPollInterval"/>).</summary>
    public TimeSpan BulkImportPollInterval => _settings.BulkImportPollInterval;

    /// <summary>Calls the quota gate has counted against the daily budget on the current Marketo day.</summary>
    public long CallsToday => _gate.CallsToday;

    /// <summary>
    /// Raises the gate's count of today's calls to <paramref name="calls"/> (never lowers it): calls made by earlier runs
    /// of this pair, or reported by Marketo for this API user, count against the daily budget too.
    /// </summary>
    public void CountCallsMadeToday(long calls) => _gate.CountCallsMadeToday(calls);

    /// <summary>Which Marketo instance this is: the munchkin id, or the REST host when none was configured.</summary>
    public string InstanceId => string.IsNullOrWhiteSpace(_settings.MunchkinId) ? _settings.RestBase.Authority : _settings.MunchkinId.Trim();

    /// <summary>A valid token (renewed if within 60 s of expiry); returns its expiry only.</summary>
    public async Task<DateTimeOffset> EnsureTokenAsync(CancellationToken cancellationToken)
        => (await _tokens.GetAsync(cancellationToken).ConfigureAwait(false)).ExpiresAt;

    /// <summary>Lead fields from describe2, or from the older describe where describe2 is not available.</summary>
    public async Task<IReadOnlyList<MarketoField>> DescribeLeadsAsync(CancellationToken cancellationToken)
    {
        try
        {
            return MarketoDescribe.FromObjectDescribe(await SendAsync(MarketoCall.Get("rest/v1/leads/describe2.json"), cancellationToken).ConfigureAwait(false));
        }
        catch (MarketoApiException e) when (e.Code is MarketoErrorCodes.ResourceNotFound or "404" or "605")
        {
            _log.Verbose("Marketo: describe2 not available, using describe.");
            return MarketoDescribe.FromLeadDescribe(await SendAsync(MarketoCall.Get("rest/v1/leads/describe.json"), cancellationToken).ConfigureAwait(false));
        }
    }

    public async Task<IReadOnlyList<MarketoField>> DescribeCompaniesAsync(CancellationToken cancellationToken)
        => MarketoDescribe.FromObjectDescribe(await SendAsync(MarketoCall.Get("rest/v1/companies/describe.json"), cancellationToken).ConfigureAwait(false));

    /// <summary>
    /// Completes when the quota gate would let a call start (a hint: no place is taken). A writer waits here before it
    /// reads a batch's records and builds its request, so neither is held while the gate waits for the next window.
    /// </summary>
    public ValueTask WaitForRoomAsync(CancellationToken cancellationToken) => _gate.WaitForRoomAsync(cancellationToken);

    /// <summary>Sync Leads in calls of at most 300; one result per input record, in input order.</summary>
    public async Task<IReadOnlyList<MarketoRecordResult>> SyncLeadsAsync(IReadOnlyList<IReadOnlyDictionary<string, object?>> leads, MarketoSyncAction action, string lookupField, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(leads);
        ArgumentException.ThrowIfNullOrEmpty(lookupField);
        var results = new List<MarketoRecordResult>(leads.Count);
        for (var offset = 0; offset < leads.Count; offset += MarketoLimits.MaxBatch)
        {
            results.AddRange(await SplittingOn413Async(Slice(leads, offset), offset, async (part, at) =>
            {
                var envelope = await SendAsync(MarketoCall.PostJson("rest/v1/leads.json", MarketoJson.SyncBody(action.ToApi(), "lookupField", lookupField, part)), cancellationToken).ConfigureAwait(false);
                return Positional(envelope, at, part.Count).ToArray();
            }).ConfigureAwait(false));
        }
        return results;
    }

    /// <summary>Delete Leads by Marketo id in calls of at most 300; one result per id, in input order ("deleted", or skipped 1004 when absent).</summary>
    public async Task<IReadOnlyList<MarketoRecordResult>> DeleteLeadsAsync(IReadOnlyList<long> ids, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var results = new List<MarketoRecordResult>(ids.Count);
        for (var offset = 0; offset < ids.Count; offset += MarketoLimits.MaxBatch)
        {
            var batch = Slice(ids, offset);
            var envelope = await SendAsync(MarketoCall.PostJson("rest/v1/leads/delete.json", MarketoJson.IdsBody(batch)), cancellationToken).ConfigureAwait(false);
            results.AddRange(Positional(envelope, offset, batch.Count));
        }
        return results;
    }

    /// <summary>
    /// Sync Companies in calls of at most 300. Once Marketo has shown that companies are not writable (CRM sync),
    /// later calls are not sent: every record comes back skipped with the reason Marketo gave.
    /// </summary>
    public async Task<IReadOnlyList<MarketoRecordResult>> SyncCompaniesAsync(IReadOnlyList<IReadOnlyDictionary<string, object?>> companies, MarketoSyncAction action, string dedupeBy, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(companies);
        ArgumentException.ThrowIfNullOrEmpty(dedupeBy);
        if (action == MarketoSyncAction.CreateDuplicate) throw new ArgumentException("Companies have no createDuplicate action.", nameof(action));
        var results = new List<MarketoRecordResult>(companies.Count);
        for (var offset = 0; offset < companies.Count; offset += MarketoLimits.MaxBatch)
        {
            var batch = Slice(companies, offset);
            if (CompaniesWritable == false)
            {
                for (var i = 0; i < batch.Count; i++)
                    results.Add(MarketoRecordResult.Skipped(offset + i, MarketoErrorCodes.CrmEnabled, "CRM Enabled (not sent: companies are not writable on this instance)", null));
                continue;
            }
            results.AddRange(await SplittingOn413Async(batch, offset, (part, at) => WriteCompaniesAsync(part, action.ToApi(), dedupeBy, at, cancellationToken)).ConfigureAwait(false));
        }
        return results;
    }

    /// <summary>
    /// Whether companies are writable, by an updateOnly Sync Companies of an externalCompanyId that cannot exist:
    /// it changes nothing (updateOnly never creates; the normal answer is 1013 "not found") yet runs the real write
    /// path, so a CRM-synced instance answers with its 1018 "CRM Enabled" (or 603). Describe's crmManaged flags are
    /// not documented as reflecting the CRM lock, so they are not relied on.
    /// </summary>
    public async Task<bool> ProbeCompaniesWritableAsync(CancellationToken cancellationToken)
    {
        var probe = new Dictionary<string, object?> { ["externalCompanyId"] = "mlconnector-probe-" + Guid.NewGuid().ToString("N") };
        await WriteCompaniesAsync(new[] { probe }, "updateOnly", "dedupeFields", 0, cancellationToken, probing: true).ConfigureAwait(false);
        return CompaniesWritable ?? true;
    }

    public IAsyncEnumerable<IReadOnlyDictionary<string, object?>> GetLeadsByFilterAsync(string filterType, IReadOnlyList<string> values, IReadOnlyList<string>? fields, CancellationToken cancellationToken)
        => ReadByFilterAsync("rest/v1/leads.json", filterType, values, fields, cancellationToken);

    public IAsyncEnumerable<IReadOnlyDictionary<string, object?>> GetCompaniesByFilterAsync(string filterType, IReadOnlyList<string> values, IReadOnlyList<string>? fields, CancellationToken cancellationToken)
        => ReadByFilterAsync("rest/v1/companies.json", filterType, values, fields, cancellationToken);

    /// <summary>A date-based paging token for the change feed, starting at <paramref name="since"/>.</summary>
    public async Task<string> GetPagingTokenAsync(DateTimeOffset since, CancellationToken cancellationToken)
    {
        var call = MarketoCall.Get("rest/v1/activities/pagingtoken.json", ("sinceDatetime", MarketoDates.Format(since))) with { Timeout = MarketoLimits.PagingTokenTimeout };
        var envelope = await SendAsync(call, cancellationToken).ConfigureAwait(false);
        return envelope.NextPageToken ?? throw new MarketoApiException("", "no nextPageToken in the paging token response", envelope.RequestId, envelope.HttpStatus, call.Path);
    }

    /// <summary>
    /// New Lead and Change Data Value activities from <paramref name="pagingToken"/> until Marketo says there is no
    /// more, page by page. Pages may be short or empty while moreResult is still true (Marketo scans activity blocks),
    /// so only moreResult ends the feed. Every page, empty ones included, carries its nextPageToken: the caller keeps
    /// the last processed page's token as its watermark (the client holds none). Each page hands out a new token: one
    /// that comes back while moreResult is true means the feed is not advancing, and ends it with an error.
    /// </summary>
    public async IAsyncEnumerable<MarketoLeadChangePage> GetLeadChangesAsync(string pagingToken, IReadOnlyList<string> fields, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(pagingToken);
        if (fields is null || fields.Count == 0) throw new ArgumentException("Get Lead Changes needs at least one field.", nameof(fields));
        const string path = "rest/v1/activities/leadchanges.json";
        var token = pagingToken;
        var used = new HashSet<string>(StringComparer.Ordinal) { token };
        while (true)
        {
            var envelope = await SendAsync(MarketoCall.Get(path,
                ("nextPageToken", token), ("fields", string.Join(',', fields)), ("batchSize", Invariant(_settings.PageSize))), cancellationToken).ConfigureAwait(false);
            var next = envelope.NextPageToken;
            yield return new MarketoLeadChangePage(envelope.Result.Select(MarketoLeadChanges.From).ToArray(), next ?? token);
            if (envelope.MoreResult != true || next is null) yield break;
            if (!used.Add(next)) throw PagingLoop(path, used.Count);
            token = next;
        }
    }

    public async Task<MarketoUsage> GetDailyUsageAsync(CancellationToken cancellationToken)
    {
        var envelope = await SendAsync(MarketoCall.Get("rest/v1/stats/usage.json"), cancellationToken).ConfigureAwait(false);
        var byUser = new Dictionary<string, long>(StringComparer.OrdinalIgnoreCase);
        DateOnly? date = null;
        long total = 0;
        if (envelope.Result.Count > 0)
        {
            var day = envelope.Result[0];
            date = MarketoDates.Parse(MarketoEnvelope.Text(day, "date")) is { } at ? MarketoCentralTime.DateOf(at) : null;
            total = MarketoEnvelope.Int64(day, "total") ?? 0;
            if (day.TryGetProperty("users", out var users) && users.ValueKind == System.Text.Json.JsonValueKind.Array)
                foreach (var user in users.EnumerateArray())
                    if (MarketoEnvelope.Text(user, "userId") is { } id) byUser[id] = MarketoEnvelope.Int64(user, "count") ?? 0;
        }
        return new MarketoUsage(date, total, byUser, CallCount, _settings.DailyCallBudget) { ApiUser = ApiUser };
    }

    public void Dispose()
    {
        _http.Dispose();
        _gate.Dispose();
    }

    private Task<MarketoEnvelope> SendAsync(MarketoCall call, CancellationToken cancellationToken) => _channel.SendAsync(call, cancellationToken);

    private async Task<IReadOnlyList<MarketoRecordResult>> WriteCompaniesAsync(IReadOnlyList<IReadOnlyDictionary<string, object?>> batch, string action, string dedupeBy, int offset, CancellationToken cancellationToken, bool probing = false)
    {
        MarketoEnvelope envelope;
        try
        {
            envelope = await SendAsync(MarketoCall.PostJson("rest/v1/companies.json", MarketoJson.SyncBody(action, "dedupeBy", dedupeBy, batch)), cancellationToken).ConfigureAwait(false);
        }
        catch (MarketoApiException e) when (e.Code is MarketoErrorCodes.CrmEnabled or MarketoErrorCodes.AccessDenied)
        {
            // The level of the CRM refusal is undocumented (vendor note §8): a response-level 1018 or 603 means the same.
            MarkCompaniesWritable(false, e.Code);
            return Enumerable.Range(offset, batch.Count).Select(seq => MarketoRecordResult.Skipped(seq, e.Code, e.VendorMessage ?? "CRM Enabled", e.RequestId)).ToArray();
        }
        var results = envelope.Result.Count > 0 && envelope.Result[0].TryGetProperty("seq", out _)
            ? envelope.Result.Select((item, i) => MarketoRecordResult.From(item, offset + (int)(MarketoEnvelope.Int64(item, "seq") ?? i), envelope.RequestId)).OrderBy(r => r.Seq).ToArray()
            : Positional(envelope, offset, batch.Count).ToArray();
        if (results.Any(r => r.HasReason(MarketoErrorCodes.CrmEnabled))) MarkCompaniesWritable(false, MarketoErrorCodes.CrmEnabled);
        else if (results.Any(r => r.Succeeded) || (probing && results.Length > 0)) MarkCompaniesWritable(true, null);
        return results;
    }

    /// <summary>
    /// Sends one sync batch. Marketo answers 413 when the body passes its 1 MB limit; the documented remedy is a
    /// smaller request, so the batch is halved and each half sent, down to a single record, which is then skipped
    /// with reason 413 instead of failing the records around it.
    /// </summary>
    private async Task<IReadOnlyList<MarketoRecordResult>> SplittingOn413Async(IReadOnlyList<IReadOnlyDictionary<string, object?>> batch, int offset,
        Func<IReadOnlyList<IReadOnlyDictionary<string, object?>>, int, Task<IReadOnlyList<MarketoRecordResult>>> send)
    {
        try
        {
            return await send(batch, offset).ConfigureAwait(false);
        }
        catch (MarketoApiException e) when (e.Code == MarketoErrorCodes.PayloadTooLarge)
        {
            if (batch.Count == 1)
                return new[] { MarketoRecordResult.Skipped(offset, MarketoErrorCodes.PayloadTooLarge, "The record alone is larger than Marketo's 1 MB request limit (HTTP 413).", e.RequestId) };
            var half = batch.Count / 2;
            _log.Verbose($"Marketo answered 413 (request over 1 MB) to {batch.Count} records; sending them as {half} + {batch.Count - half}.");
            var first = await SplittingOn413Async(batch.Take(half).ToArray(), offset, send).ConfigureAwait(false);
            var second = await SplittingOn413Async(batch.Skip(half).ToArray(), offset + half, send).ConfigureAwait(false);
            return first.Concat(second).ToArray();
        }
    }

    private void MarkCompaniesWritable(bool writable, string? code)
    {
        if (Interlocked.Exchange(ref _companiesWritable, writable ? 1 : 0) != (writable ? 1 : 0) && !writable)
            _log.Warning(EngineWarnings.CrmSyncEnabled, $"Marketo refuses company writes (error {code}): the instance syncs companies with a CRM, so they are read-only through the API. Company records will be skipped.");
    }

    private async IAsyncEnumerable<IReadOnlyDictionary<string, object?>> ReadByFilterAsync(string path, string filterType, IReadOnlyList<string> values, IReadOnlyList<string>? fields,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(filterType);
        ArgumentNullException.ThrowIfNull(values);
        var fieldList = fields is { Count: > 0 } ? string.Join(',', fields) : null;
        for (var offset = 0; offset < values.Count; offset += MarketoLimits.MaxBatch)
        {
            var chunk = string.Join(',', values.Skip(offset).Take(MarketoLimits.MaxBatch));
            string? token = null;
            var used = new HashSet<string>(StringComparer.Ordinal);
            while (true)
            {
                var envelope = await SendAsync(MarketoCall.Get(path, ("filterType", filterType), ("filterValues", chunk), ("fields", fieldList),
                    ("batchSize", Invariant(_settings.PageSize)), ("nextPageToken", token)), cancellationToken).ConfigureAwait(false);
                foreach (var item in envelope.Result) yield return MarketoJson.ToRecord(item);
                // Some endpoints omit moreResult; then the presence of a new token decides.
                var more = envelope.MoreResult ?? envelope.NextPageToken is not null;
                if (!more || envelope.NextPageToken is null) break;
                if (!used.Add(envelope.NextPageToken)) throw PagingLoop(path, used.Count + 1);
                token = envelope.NextPageToken;
            }
        }
    }

    private static MlConnectorException PagingLoop(string path, int pages)
        => new("MarketoPagingLoop", MlErrorCategory.InvalidData,
            $"Stopped reading Marketo {path} after {pages} page(s): it handed back a nextPageToken it had already given while saying more results follow, so the read made no progress. It was abandoned rather than repeated for ever; try again later, and report it if it persists.");

    private static IEnumerable<MarketoRecordResult> Positional(MarketoEnvelope envelope, int offset, int count)
    {
        for (var i = 0; i < count; i++)
            yield return i < envelope.Result.Count
                ? MarketoRecordResult.From(envelope.Result[i], offset + i, envelope.RequestId)
                : new MarketoRecordResult(offset + i, null, MarketoRecordStatus.Unknown, new[] { new MarketoReason("", "Marketo returned no result for this record") }, envelope.RequestId);
    }

    private static IReadOnlyList<T> Slice<T>(IReadOnlyList<T> items, int offset)
        => items.Skip(offset).Take(MarketoLimits.MaxBatch).ToArray();

    private static string Invariant(int value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
