using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Polly;
using Polly.Timeout;
using MlConnector.Engine.Diagnostics;
using MlConnector.Engine.Http;

namespace MlConnector.Engine.BusinessCentral;

/// <summary>
/// Sends BC requests: bearer token (renewed once after a 401, then the call is repeated once), the retry
/// pipeline, one verbose log line per HTTP attempt, a call counter, and BC's error body turned into an engine exception.
/// </summary>
internal sealed class BcHttp : IDisposable
{
    private readonly HttpClient _client;
    private readonly BcTokenProvider _tokens;
    private readonly ResiliencePipeline<HttpResponseMessage> _pipeline;
    private readonly IEngineLog _log;
    private readonly int _maxAttempts;
    private readonly TimeSpan _totalTimeout;
    private readonly TimeProvider _time;
    private long _calls;
    private long _serverOffsetTicks;
    private int _serverDateSeen;

    private static readonly ResponseGuard Guard = new("BusinessCentral", "Business Central", ResponseGuard.BusinessCentralBytes);

    public BcHttp(Uri apiRoot, string? pinnedThumbprint, BcTokenProvider tokens, BcRetryOptions retry, TimeProvider time, IEngineLog log)
    {
        _client = new HttpClient(EndpointPolicy.CreateHandler(apiRoot, EndpointPolicy.IsLoopback(apiRoot) ? pinnedThumbprint : null, Guard), disposeHandler: true)
        {
            Timeout = Timeout.InfiniteTimeSpan, // the pipeline bounds each attempt and the whole call
        };
        _tokens = tokens;
        _log = log;
        _maxAttempts = retry.MaxAttempts;
        _totalTimeout = retry.TotalTimeout;
        _time = time;
        _pipeline = BcResilience.Build(retry, time, log);
    }

    /// <summary>HTTP requests sent to BC, retries and 401 repeats included.</summary>
    public long CallCount => Interlocked.Read(ref _calls);

    /// <summary>How far BC's clock (the Date header of its last answer, whole seconds) is ahead of this machine's; null before any answer carried one.</summary>
    public TimeSpan? ServerClockOffset => Volatile.Read(ref _serverDateSeen) == 0 ? null : TimeSpan.FromTicks(Interlocked.Read(ref _serverOffsetTicks));

    /// <summary>Sends <paramref name="request"/>; returns the JSON body (null for 204) or throws a <see cref="BusinessCentralException"/>.</summary>
    public async Task<JsonDocument?> SendAsync(BcRequest request, CancellationToken cancellationToken)
    {
        var state = new CallState(this, request);
        HttpResponseMessage response;
        try
        {
            response = await _pipeline.ExecuteAsync(static (s, ct) => s.AttemptAsync(ct), state, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutRejectedException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new BusinessCentralException("BusinessCentralTimeout", MlErrorCategory.Connection,
                $"Business Central did not complete {request.Method} {Describe(request.Uri)} within {_totalTimeout.TotalSeconds:0} s ({state.Attempts} attempt(s)).", innerException: e);
        }
        catch (Exception e) when (Unreachable.Classify(e) is { } reason && !cancellationToken.IsCancellationRequested)
        {
            throw BcErrorTranslator.Unreachable(reason, e);
        }
        catch (Exception e) when (e is HttpRequestException or IOException && !cancellationToken.IsCancellationRequested)
        {
            throw new BusinessCentralException("BusinessCentralConnectionFailed", MlErrorCategory.Connection,
                Redactor.Redact($"Could not reach Business Central for {request.Method} {Describe(request.Uri)} after {state.Attempts} attempt(s): {e.Message}"), innerException: e);
        }

        using (response)
        {
            // A success was parsed as it was read, within its attempt (see CallState); null for 204 or an empty body.
            if (response.IsSuccessStatusCode) return state.TakeDocument();
            var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            throw BcErrorTranslator.Translate(request, response, text, state.Attempts);
        }
    }

    private async Task<HttpResponseMessage> SendOnceAsync(BcRequest request, string token, CancellationToken cancellationToken)
    {
        using var message = new HttpRequestMessage(request.Method, request.Uri);
        message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        message.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        if (request.MaxPageSize is int size) message.Headers.TryAddWithoutValidation("Prefer", "odata.maxpagesize=" + size.ToString(CultureInfo.InvariantCulture));
        if (request.IfMatch is not null) message.Headers.TryAddWithoutValidation("If-Match", request.IfMatch);
        if (request.Headers is not null)
            foreach (var (name, value) in request.Headers) message.Headers.TryAddWithoutValidation(name, value);
        if (request.JsonBody is not null) message.Content = new StringContent(request.JsonBody, Encoding.UTF8, "application/json");

        Interlocked.Increment(ref _calls);
        var watch = Stopwatch.StartNew();
        try
        {
            var response = await _client.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            if (response.Headers.Date is { } stated)
            {
                Interlocked.Exchange(ref _serverOffsetTicks, (stated - _time.GetUtcNow()).Ticks);
                Volatile.Write(ref _serverDateSeen, 1);
            }
            _log.Debug($"BC {request.Method} {PathOf(request.Uri)} -> {(int)response.StatusCode} in {watch.ElapsedMilliseconds} ms");
            return response;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            _log.Debug(Redactor.Redact($"BC {request.Method} {PathOf(request.Uri)} failed after {watch.ElapsedMilliseconds} ms: {e.GetType().Name}: {e.Message}"));
            throw;
        }
    }

    /// <summary>The path alone, for the debug line of each call: a query's filter values stay out of the log.</summary>
    private static string PathOf(Uri uri) => Redactor.Redact(Uri.UnescapeDataString(uri.AbsolutePath));

    /// <summary>Path and query for messages, unescaped and redacted, shortened when long.</summary>
    internal static string Describe(Uri uri)
    {
        var text = Redactor.Redact(Uri.UnescapeDataString(uri.PathAndQuery));
        return text.Length <= 300 ? text : text[..300] + "...";
    }

    public void Dispose() => _client.Dispose();

    private sealed class CallState(BcHttp owner, BcRequest request)
    {
        private bool _renewed;
        private JsonDocument? _document;

        /// <summary>The parsed body of the successful answer (null for none); the caller disposes it.</summary>
        public JsonDocument? TakeDocument()
        {
            var document = _document;
            _document = null;
            return document;
        }

        public int Attempts { get; private set; }

        public async ValueTask<HttpResponseMessage> AttemptAsync(CancellationToken cancellationToken)
        {
            Attempts++;
            var token = await owner._tokens.GetTokenAsync(cancellationToken).ConfigureAwait(false);
            var response = await owner.SendOnceAsync(request, token, cancellationToken).ConfigureAwait(false);
            if (response.StatusCode != HttpStatusCode.Unauthorized || _renewed) return await ReadBodyAsync(response, cancellationToken).ConfigureAwait(false);

            // BC answers 401 to an expired or revoked token: renew once and repeat the call once.
            _renewed = true;
            response.Dispose();
            owner._log.Verbose("BC rejected the access token (401); renewing it once.");
            token = await owner._tokens.RenewAfterRejectionAsync(token, cancellationToken).ConfigureAwait(false);
            return await ReadBodyAsync(await owner.SendOnceAsync(request, token, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        }

        /// <summary>
        /// Reads the body within the attempt (its time-out and retries cover a body that stalls). A success is parsed
        /// straight from the connection with pooled buffers (a page of 1,000 records as one array or string would be a
        /// large-object allocation per call, and a copy of it first would be another megabyte per page); any other answer
        /// is kept in small segments for its error text.
        /// </summary>
        private async Task<HttpResponseMessage> ReadBodyAsync(HttpResponseMessage response, CancellationToken cancellationToken)
        {
            if (!response.IsSuccessStatusCode) return await ReadSegmentsAsync(response, cancellationToken).ConfigureAwait(false);
            try
            {
                _document?.Dispose();
                _document = null;
                if (response.StatusCode == HttpStatusCode.NoContent || response.Content.Headers.ContentLength == 0) return response;
                await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
                _document = await JsonDocument.ParseAsync(stream, cancellationToken: cancellationToken).ConfigureAwait(false);
                return response;
            }
            catch
            {
                response.Dispose();
                throw;
            }
        }

        /// <summary>An answer other than success, read into small segments (a growing buffer would leave large arrays behind).</summary>
        private static async Task<HttpResponseMessage> ReadSegmentsAsync(HttpResponseMessage response, CancellationToken cancellationToken)
        {
            try
            {
                var headers = response.Content.Headers;
                await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
                var body = await Http.SegmentedBuffer.ReadAsync(stream, cancellationToken).ConfigureAwait(false);
                var content = body.ToContent();
                foreach (var header in headers.Where(h => !h.Key.Equals("Content-Length", StringComparison.OrdinalIgnoreCase)))
                    content.Headers.TryAddWithoutValidation(header.Key, header.Value);
                response.Content.Dispose();
                response.Content = content;
                return response;
            }
            catch
            {
                response.Dispose();
                throw;
            }
        }
    }
}
