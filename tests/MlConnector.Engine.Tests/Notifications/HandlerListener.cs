using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using MlConnector.Engine.Notifications;

namespace MlConnector.Engine.Tests.Notifications;

/// <summary>Subscriptions a test registers as it creates them.</summary>
public sealed class MutableKnownSubscriptions : IKnownSubscriptions
{
    private readonly ConcurrentDictionary<string, KnownSubscription> _byId = new(StringComparer.Ordinal);

    public void Add(KnownSubscription subscription) => _byId[subscription.SubscriptionId] = subscription;

    public KnownSubscription? Find(string subscriptionId) => _byId.GetValueOrDefault(subscriptionId);
}

/// <summary>
/// A small notification endpoint on loopback (System.Net.HttpListener) that hands every request to the engine's
/// <see cref="NotificationHandler"/>, answers as it decides, and keeps each decision for the test.
/// </summary>
public sealed class HandlerListener : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly NotificationHandler _handler;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _loop;
    private int _failNext;

    private HandlerListener(IKnownSubscriptions subscriptions, int port)
    {
        _handler = new NotificationHandler(subscriptions);
        Url = new Uri($"http://127.0.0.1:{port}/bc/notifications/");
        _listener.Prefixes.Add(Url.ToString());
        _listener.Start();
        _loop = Task.Run(LoopAsync);
    }

    public Uri Url { get; }

    public ConcurrentQueue<NotificationResult> Results { get; } = new();

    public IReadOnlyList<NotificationResult> Batches => Results.Where(r => r.Kind == NotificationResultKind.Notifications).ToArray();

    public static HandlerListener Start(IKnownSubscriptions subscriptions)
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return new HandlerListener(subscriptions, port);
    }

    /// <summary>The next <paramref name="count"/> notification POSTs are answered 503 before the handler sees them (an endpoint in trouble).</summary>
    public void FailNext(int count) => Interlocked.Exchange(ref _failNext, count);

    /// <summary>Waits (bounded) until <paramref name="condition"/> holds on the collected results.</summary>
    public async Task<bool> WaitForAsync(Func<HandlerListener, bool> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition(this))
        {
            if (DateTime.UtcNow > deadline) return false;
            await Task.Delay(25);
        }
        return true;
    }

    private async Task LoopAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception) when (_stopping.IsCancellationRequested)
            {
                return;
            }
            try
            {
                await AnswerAsync(context);
            }
            catch (Exception e) when (e is HttpListenerException or IOException or ObjectDisposedException)
            {
                // The sender gave up on this request; keep serving the next.
            }
        }
    }

    private async Task AnswerAsync(HttpListenerContext context)
    {
        using var response = context.Response;
        var request = context.Request;
        var isHandshake = request.QueryString["validationToken"] is not null;
        if (!isHandshake && Interlocked.Decrement(ref _failNext) >= 0)
        {
            response.StatusCode = 503;
            return;
        }
        var headers = request.Headers.AllKeys.Where(k => k is not null).Select(k => new KeyValuePair<string, string>(k!, request.Headers[k] ?? ""));
        var result = await _handler.HandleAsync(new NotificationRequest(request.HttpMethod, NotificationRequest.ParseQuery(request.Url!.Query), headers, request.InputStream), _stopping.Token);
        Results.Enqueue(result);

        response.StatusCode = result.StatusCode;
        response.ContentType = result.ContentType;
        foreach (var (name, value) in result.ResponseHeaders) response.Headers[name] = value;
        var body = Encoding.UTF8.GetBytes(result.ResponseBody);
        response.ContentLength64 = body.Length;
        await response.OutputStream.WriteAsync(body);
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        _listener.Stop();
        _listener.Close();
        try
        {
            await _loop;
        }
        catch (ObjectDisposedException)
        {
            // The listener went away under GetContextAsync.
        }
        _stopping.Dispose();
    }
}
