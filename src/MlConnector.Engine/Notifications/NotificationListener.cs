using System.Net;
using System.Text;
using MlConnector.Engine.Diagnostics;

namespace MlConnector.Engine.Notifications;

/// <summary>How a self-hosted notification endpoint listens and drains.</summary>
public sealed class NotificationListenerOptions
{
    /// <summary>An HttpListener prefix such as http://+:8080/bc/notifications/ (it must end with a slash).</summary>
    public required string Prefix { get; init; }

    /// <summary>Requests handled at once; further connections wait to be accepted.</summary>
    public int MaxConcurrentRequests { get; init; } = 16;

    /// <summary>How long one request may take to send its body; a slower one is cut off.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a stop waits for requests in flight and for the worker to send what is queued; the rest stays queued.</summary>
    public TimeSpan DrainTimeout { get; init; } = TimeSpan.FromSeconds(30);
}

/// <summary>What a listener has done since it started (a snapshot).</summary>
public sealed record NotificationListenerCounts(long Requests, long Handshakes, long Notifications, long Enqueued, long Rejected, long Unavailable, long Failed);

/// <summary>
/// A self-hosted notification endpoint (System.Net.HttpListener) for a VM or a hybrid worker: every request goes to a
/// <see cref="NotificationReceiver"/> (handshake answered, notifications checked and queued for their pair, answered at
/// once) while a <see cref="NotificationListenerWorker"/> fetches and upserts in the background. Stopping drains: no new
/// request is accepted, those in flight are answered, the worker sends what is queued (bounded by the drain timeout),
/// and whatever is left stays in the state store for the next run.
/// </summary>
public sealed class NotificationListener : IAsyncDisposable
{
    private readonly HttpListener _http = new();
    private readonly NotificationListenerOptions _options;
    private readonly NotificationReceiver _receiver;
    private readonly NotificationListenerWorker? _worker;
    private readonly IEngineLog _log;
    private readonly SemaphoreSlim _slots;
    private readonly CancellationTokenSource _stopAccepting = new();
    private readonly object _inFlightGate = new();
    private readonly HashSet<Task> _inFlight = new();
    private readonly Task _acceptLoop;
    private long _requests, _handshakes, _notifications, _enqueued, _rejected, _unavailable, _failed;
    private Task? _stopped;

    private NotificationListener(NotificationListenerOptions options, NotificationReceiver receiver, NotificationListenerWorker? worker, IEngineLog log)
    {
        _options = options;
        _receiver = receiver;
        _worker = worker;
        _log = log;
        _slots = new SemaphoreSlim(Math.Max(1, options.MaxConcurrentRequests));
        _http.Prefixes.Add(options.Prefix);
        _http.Start();
        if (worker is not null) receiver.Enqueued += worker.Wake;
        _acceptLoop = Task.Run(AcceptLoopAsync);
        StartedAt = DateTimeOffset.UtcNow;
    }

    /// <summary>Starts listening on <see cref="NotificationListenerOptions.Prefix"/> (an HttpListenerException when it cannot, e.g. the port is taken).</summary>
    public static NotificationListener Start(NotificationListenerOptions options, NotificationReceiver receiver, NotificationListenerWorker? worker, IEngineLog log)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(receiver);
        ArgumentNullException.ThrowIfNull(log);
        var listener = new NotificationListener(options, receiver, worker, log);
        worker?.Start();
        log.Verbose($"Listening for Business Central notifications on {options.Prefix}{(worker is null ? "" : " with a worker for pair " + worker.PairId)}.");
        return listener;
    }

    public string Prefix => _options.Prefix;

    public DateTimeOffset StartedAt { get; }

    public bool IsRunning => _stopped is null;

    public NotificationListenerWorker? Worker => _worker;

    public NotificationListenerCounts Counts => new(Interlocked.Read(ref _requests), Interlocked.Read(ref _handshakes), Interlocked.Read(ref _notifications),
        Interlocked.Read(ref _enqueued), Interlocked.Read(ref _rejected), Interlocked.Read(ref _unavailable), Interlocked.Read(ref _failed));

    /// <summary>Stops and drains (once; later calls wait for the same stop).</summary>
    public Task StopAsync()
    {
        lock (_inFlightGate) return _stopped ??= DrainAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        _stopAccepting.Dispose();
        _slots.Dispose();
    }

    private async Task DrainAsync()
    {
        await _stopAccepting.CancelAsync().ConfigureAwait(false);
        using var deadline = new CancellationTokenSource(_options.DrainTimeout);
        try
        {
            await _acceptLoop.WaitAsync(deadline.Token).ConfigureAwait(false);
            Task[] inFlight;
            lock (_inFlightGate) inFlight = _inFlight.ToArray();
            await Task.WhenAll(inFlight).WaitAsync(deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            _log.Verbose("Requests still in flight when the drain time ran out are cut off; Business Central delivers them again.");
        }
        _http.Close();
        if (_worker is not null)
        {
            _receiver.Enqueued -= _worker.Wake;
            await _worker.StopAsync(deadline.Token).ConfigureAwait(false);
        }
        _log.Verbose($"Stopped listening on {_options.Prefix}.");
    }

    private async Task AcceptLoopAsync()
    {
        var stopping = _stopAccepting.Token;
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                await _slots.WaitAsync(stopping).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            HttpListenerContext context;
            try
            {
                context = await _http.GetContextAsync().WaitAsync(stopping).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                _slots.Release();
                if (stopping.IsCancellationRequested) return;
                _log.Verbose("The notification listener could not accept a request: " + e.Message);
                continue;
            }
            Track(Task.Run(() => AnswerAsync(context)));
        }
    }

    private void Track(Task task)
    {
        lock (_inFlightGate) _inFlight.Add(task);
        task.ContinueWith(t =>
        {
            lock (_inFlightGate) _inFlight.Remove(t);
            _slots.Release();
        }, TaskScheduler.Default);
    }

    private async Task AnswerAsync(HttpListenerContext context)
    {
        Interlocked.Increment(ref _requests);
        var response = context.Response;
        using var timeout = new CancellationTokenSource(_options.RequestTimeout);
        using var abort = timeout.Token.Register(response.Abort);
        try
        {
            var request = context.Request;
            var headers = request.Headers.AllKeys.OfType<string>().Select(k => new KeyValuePair<string, string>(k, request.Headers[k] ?? ""));
            var receipt = await _receiver.ReceiveAsync(
                new NotificationRequest(request.HttpMethod, NotificationRequest.ParseQuery(request.Url?.Query), headers, request.InputStream), timeout.Token).ConfigureAwait(false);
            Count(receipt);
            response.StatusCode = receipt.StatusCode;
            response.ContentType = receipt.ContentType;
            foreach (var (name, value) in receipt.Headers) response.Headers[name] = value;
            var body = Encoding.UTF8.GetBytes(receipt.Body);
            response.ContentLength64 = body.Length;
            await response.OutputStream.WriteAsync(body, timeout.Token).ConfigureAwait(false);
            response.Close();
        }
        catch (Exception e) when (e is HttpListenerException or IOException or ObjectDisposedException or OperationCanceledException)
        {
            // The sender went away or was too slow; Business Central retries what it did not get an answer for.
            Interlocked.Increment(ref _failed);
        }
        catch (Exception e)
        {
            Interlocked.Increment(ref _failed);
            _log.Warning(EngineWarnings.NotificationNotQueued, "A notification request failed and was answered 500 (Business Central delivers it again): " + Redactor.Redact(e.Message));
            TryAnswer(response, 500);
        }
    }

    private void Count(NotificationReceipt receipt)
    {
        if (receipt.Kind == nameof(NotificationResultKind.ValidationHandshake)) Interlocked.Increment(ref _handshakes);
        Interlocked.Add(ref _notifications, receipt.Received);
        if (receipt.StatusCode >= 500)
        {
            Interlocked.Increment(ref _unavailable);
            return;
        }
        Interlocked.Add(ref _enqueued, receipt.Enqueued + receipt.Collections);
        Interlocked.Add(ref _rejected, receipt.Rejected);
    }

    private static void TryAnswer(HttpListenerResponse response, int status)
    {
        try
        {
            response.StatusCode = status;
            response.Close();
        }
        catch (Exception e) when (e is HttpListenerException or InvalidOperationException or ObjectDisposedException)
        {
            response.Abort();
        }
    }
}
