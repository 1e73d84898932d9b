using System.Diagnostics;
using System.Runtime.CompilerServices;
using MlConnector.Engine.Diagnostics;

namespace MlConnector.Engine.Marketo;

/// <summary>
/// Sends <see cref="MarketoCall"/>s: through the quota gate, with the current token, inside the retry pipeline,
/// and turns the envelope (not the HTTP status — Marketo reports errors inside HTTP 200) into a result or an
/// engine exception. 601/602 renew the token and repeat the call once. 606 holds the gate for a window, 615 caps
/// the calls in flight, 607 closes the gate until the reset. A 414 from a front end repeats a GET as POST ?_method=GET.
/// </summary>
internal sealed class MarketoChannel
{
    private readonly HttpClient _http;
    private readonly Uri _restBase;
    private readonly MarketoTokenProvider _tokens;
    private readonly MarketoQuotaGate _gate;
    private readonly MarketoRetry _retry;
    private readonly TimeProvider _time;
    private readonly IEngineLog _log;
    private long _callCount;

    public MarketoChannel(HttpClient http, Uri restBase, MarketoTokenProvider tokens, MarketoQuotaGate gate, MarketoRetry retry, TimeProvider time, IEngineLog log)
    {
        _http = http;
        _restBase = restBase;
        _tokens = tokens;
        _gate = gate;
        _retry = retry;
        _time = time;
        _log = log;
    }

    public long CallCount => Interlocked.Read(ref _callCount);

    public Task<MarketoEnvelope> SendAsync(MarketoCall call, CancellationToken cancellationToken)
        => _retry.ExecuteAsync(ct => AttemptAsync(call, null, ct), call.Method.Method + " " + call.Path, call.Timeout, cancellationToken);

    /// <summary>
    /// A call answered with a file (a bulk import's failures or warnings): its text. An answer in JSON is an envelope
    /// and is treated as any other (an error in it throws).
    /// </summary>
    public async Task<string> ReadTextAsync(MarketoCall call, CancellationToken cancellationToken)
    {
        var file = new StrongBox<string?>();
        await _retry.ExecuteAsync(ct => AttemptAsync(call, file, ct), call.Method.Method + " " + call.Path, call.Timeout, cancellationToken).ConfigureAwait(false);
        return file.Value ?? "";
    }

    private async Task<MarketoEnvelope> AttemptAsync(MarketoCall call, StrongBox<string?>? file, CancellationToken cancellationToken)
    {
        var (envelope, token) = await SendOnceAsync(call, file, cancellationToken).ConfigureAwait(false);
        if (!envelope.Success && MarketoErrorCodes.Classify(envelope.Error?.Code) == MarketoErrorKind.Token)
        {
            // 602 on the first use after expiry, 601 afterwards (vendor blog): both mean "get a new token".
            _tokens.Invalidate(token);
            (envelope, _) = await SendOnceAsync(call, file, cancellationToken).ConfigureAwait(false);
            if (!envelope.Success && MarketoErrorCodes.Classify(envelope.Error?.Code) == MarketoErrorKind.Token)
                throw new MarketoAuthenticationException(
                    $"Marketo rejected a freshly issued access token for {call.Path} (error {envelope.Error!.Code}: {envelope.Error.Message}, requestId {envelope.RequestId}). Check that the custom service is still active.");
        }
        if (envelope.Success) return envelope;
        throw Failure(envelope, call);
    }

    /// <summary>
    /// A bulk export file, or the <paramref name="range"/> of it: raw bytes, not an envelope (200 or 206). Marketo answers
    /// 404 with plain text while the job has not completed; an envelope with an error (a token or rate answer) is handled
    /// as on any call. Retried as one call.
    /// </summary>
    public Task<byte[]> DownloadAsync(MarketoCall call, (long From, long To)? range, CancellationToken cancellationToken)
        => _retry.ExecuteAsync(ct => DownloadOnceAsync(call, range, ct), call.Method.Method + " " + call.Path, call.Timeout, cancellationToken);

    private async Task<byte[]> DownloadOnceAsync(MarketoCall call, (long From, long To)? range, CancellationToken cancellationToken)
    {
        for (var renewed = false; ; renewed = true)
        {
            int status;
            byte[] body;
            string? mediaType;
            string token;
            using (await _gate.EnterAsync(call.IsBulk, cancellationToken).ConfigureAwait(false))
            {
                (token, _) = await _tokens.GetAsync(cancellationToken).ConfigureAwait(false);
                using var request = call.ToRequest(_restBase, token, forceOverride: false, out _);
                if (range is { } r) request.Headers.Range = new System.Net.Http.Headers.RangeHeaderValue(r.From, r.To);
                Interlocked.Increment(ref _callCount);
                var started = Stopwatch.GetTimestamp();
                using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
                status = (int)response.StatusCode;
                mediaType = response.Content.Headers.ContentType?.MediaType;
                body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
                _log.Debug($"Marketo GET /{call.Path}{(range is { } shown ? $" bytes {shown.From}-{shown.To}" : "")} -> HTTP {status}, {body.Length} bytes, {Stopwatch.GetElapsedTime(started).TotalMilliseconds:0} ms");
            }
            if (mediaType is not null && mediaType.Contains("json", StringComparison.OrdinalIgnoreCase)
                && MarketoEnvelope.TryParse(System.Text.Encoding.UTF8.GetString(body), status) is { Success: false } envelope)
            {
                if (!renewed && MarketoErrorCodes.Classify(envelope.Error?.Code) == MarketoErrorKind.Token)
                {
                    _tokens.Invalidate(token);
                    continue;
                }
                throw Failure(envelope, call);
            }
            if (status is 200 or 206) return body;
            var code = status.ToString(System.Globalization.CultureInfo.InvariantCulture);
            throw new MarketoApiException(code, status == 404 ? "the export file is not available (the job has not completed, or its file has expired)" : "HTTP error on a file download", null, status, call.Path);
        }
    }

    /// <summary>The exception for an envelope with success:false; quota answers close the gate until Marketo's reset.</summary>
    private Exception Failure(MarketoEnvelope envelope, MarketoCall call)
    {
        var error = envelope.Error ?? new MarketoReason("", "success:false without errors");
        switch (MarketoErrorCodes.Classify(error.Code))
        {
            case MarketoErrorKind.DailyQuota:
                var dailyReset = MarketoCentralTime.NextMidnight(_time.GetUtcNow());
                var daily = new MarketoQuotaExceededException("MarketoDailyQuotaExceeded", error.Code, dailyReset,
                    $"Marketo's daily API quota is used up (error 607: {error.Message}, requestId {envelope.RequestId}). No further calls are made; it resets at {dailyReset:yyyy-MM-dd HH:mm zzz} (midnight US Central).",
                    envelope.RequestId);
                _gate.Close(daily, bulkOnly: false);
                return daily;
            case MarketoErrorKind.ExportQuota:
                var exportReset = MarketoCentralTime.NextMidnight(_time.GetUtcNow());
                var export = new MarketoQuotaExceededException("MarketoExportQuotaExceeded", error.Code, exportReset,
                    $"Marketo refused the bulk job (error 1029: {error.Message}, requestId {envelope.RequestId}). Not retried: the daily export allocation and queue reset at {exportReset:yyyy-MM-dd HH:mm zzz} (midnight US Central).",
                    envelope.RequestId);
                _gate.Close(export, bulkOnly: true);
                return export;
            default:
                return new MarketoApiException(error.Code, error.Message, envelope.RequestId, envelope.HttpStatus, call.Path);
        }
    }

    private async Task<(MarketoEnvelope Envelope, string Token)> SendOnceAsync(MarketoCall call, StrongBox<string?>? file, CancellationToken cancellationToken)
    {
        using var lease = await _gate.EnterAsync(call.IsBulk, cancellationToken).ConfigureAwait(false);
        var (token, _) = await _tokens.GetAsync(cancellationToken).ConfigureAwait(false);
        var answer = await SendHttpAsync(call, token, forceOverride: false, file, cancellationToken).ConfigureAwait(false);
        if (answer.Status == (int)System.Net.HttpStatusCode.RequestUriTooLong && !answer.Overridden && call.Method == HttpMethod.Get)
        {
            // A front end with a shorter URI limit than Marketo's 8 KB: the documented remedy for 414 is the same override.
            answer = await SendHttpAsync(call, token, forceOverride: true, file, cancellationToken).ConfigureAwait(false);
        }

        var envelope = answer.Envelope;
        if (envelope is null || (answer.Status >= 400 && envelope.Success))
            throw new MarketoApiException(answer.Status.ToString(System.Globalization.CultureInfo.InvariantCulture), answer.Status >= 400 ? "HTTP error without a Marketo envelope" : "response is not a Marketo envelope", envelope?.RequestId, answer.Status, call.Path);

        // The gate learns of 606/615 while this call still holds its place, so no other caller starts in between.
        if (!envelope.Success)
        {
            switch (MarketoErrorCodes.Classify(envelope.Error?.Code))
            {
                case MarketoErrorKind.RateLimited: _gate.HoldForWindow(); break;
                case MarketoErrorKind.Concurrency: _gate.ConcurrencyRefused(); break;
            }
        }
        return (envelope, token);
    }

    /// <summary>One HTTP exchange and its verbose line; the envelope is null when the body is not one (a gateway page, an empty body).</summary>
    private async Task<HttpAnswer> SendHttpAsync(MarketoCall call, string token, bool forceOverride, StrongBox<string?>? file, CancellationToken cancellationToken)
    {
        using var request = call.ToRequest(_restBase, token, forceOverride, out var overridden);
        Interlocked.Increment(ref _callCount);
        var started = Stopwatch.GetTimestamp();
        MarketoEnvelope? envelope;
        int status;
        using (var response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false))
        {
            status = (int)response.StatusCode;
            if (file is not null && status == 200 && response.Content.Headers.ContentType?.MediaType?.Contains("json", StringComparison.OrdinalIgnoreCase) != true)
            {
                file.Value = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
                envelope = MarketoEnvelope.FileAnswer(status);
            }
            else envelope = await MarketoEnvelope.TryReadAsync(response.Content, status, cancellationToken).ConfigureAwait(false);
        }
        var elapsed = Stopwatch.GetElapsedTime(started);
        var method = overridden ? "POST(_method=GET)" : call.Method.Method;
        var outcome = envelope is null ? "no envelope"
            : envelope.Success ? "ok" + (envelope.Warnings.Count > 0 ? ", warnings: " + string.Join("; ", envelope.Warnings.Select(w => w.Message)) : "")
            : "errors " + string.Join(",", envelope.Errors.Select(e => e.Code));
        _log.Debug(Redactor.Redact($"Marketo {method} /{call.Path} -> HTTP {status}, requestId {envelope?.RequestId ?? "-"}, {elapsed.TotalMilliseconds:0} ms, {outcome}"));
        return new HttpAnswer(status, envelope, overridden);
    }

    private sealed record HttpAnswer(int Status, MarketoEnvelope? Envelope, bool Overridden);
}
