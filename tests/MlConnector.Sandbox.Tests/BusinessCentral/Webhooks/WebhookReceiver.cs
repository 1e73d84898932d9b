using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MlConnector.Sandbox.Tests.BusinessCentral.Webhooks;

/// <summary>How the receiver answers the validation handshake.</summary>
public enum HandshakeAnswer { Echo, EchoWithExtraText, WrongToken, ServerError, Hang }

/// <summary>One request the receiver got, as it arrived.</summary>
public sealed record ReceivedRequest(string Method, string PathAndQuery, IReadOnlyDictionary<string, string> Headers, byte[] Body, string? ValidationToken)
{
    public JsonElement Json => JsonDocument.Parse(Body).RootElement.Clone();

    public IReadOnlyList<JsonElement> Notifications => Json.GetProperty("value").EnumerateArray().ToArray();
}

/// <summary>
/// A plain notification endpoint on loopback for simulator tests: answers handshakes as told and notifications with the
/// next queued status (200 when none), or hangs; records everything.
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentQueue<int> _statuses = new();
    private int _disposed;

    private WebhookReceiver(WebApplication app) => _app = app;

    public Uri Url { get; private set; } = null!;

    public HandshakeAnswer Handshake { get; set; } = HandshakeAnswer.Echo;

    /// <summary>Notifications are never answered (the sender's deadline runs out).</summary>
    public bool HangNotifications { get; set; }

    public ConcurrentQueue<ReceivedRequest> Requests { get; } = new();

    public IReadOnlyList<ReceivedRequest> Handshakes => Requests.Where(r => r.ValidationToken is not null).ToArray();

    public IReadOnlyList<ReceivedRequest> Deliveries => Requests.Where(r => r.ValidationToken is null).ToArray();

    public IReadOnlyList<JsonElement> Notifications => Deliveries.SelectMany(d => d.Notifications).ToArray();

    public void AnswerNotifications(params int[] statuses)
    {
        foreach (var status in statuses) _statuses.Enqueue(status);
    }

    public static async Task<WebhookReceiver> StartAsync(string path = "/hooks/bc")
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var receiver = new WebhookReceiver(app);
        app.Map(path, receiver.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        receiver.Url = new Uri(address.Replace("[::1]", "127.0.0.1") + path);
        return receiver;
    }

    private async Task HandleAsync(HttpContext context)
    {
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer, context.RequestAborted);
        var token = context.Request.Query.TryGetValue("validationToken", out var value) ? value.ToString() : null;
        Requests.Enqueue(new ReceivedRequest(context.Request.Method, context.Request.Path + context.Request.QueryString,
            context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase), buffer.ToArray(), token));

        if (token is not null)
        {
            switch (Handshake)
            {
                case HandshakeAnswer.Hang: await HangAsync(context); return;
                case HandshakeAnswer.ServerError: context.Response.StatusCode = 500; return;
                case HandshakeAnswer.WrongToken: await context.Response.WriteAsync("not-the-token"); return;
                case HandshakeAnswer.EchoWithExtraText: await context.Response.WriteAsync("token: " + token + "\n"); return;
                default:
                    context.Response.ContentType = "text/plain";
                    await context.Response.Body.WriteAsync(Encoding.UTF8.GetBytes(token));
                    return;
            }
        }
        if (HangNotifications)
        {
            await HangAsync(context);
            return;
        }
        context.Response.StatusCode = _statuses.TryDequeue(out var status) ? status : 200;
        if (context.Response.StatusCode is >= 300 and < 400) context.Response.Headers.Location = "http://127.0.0.1:1/elsewhere";
    }

    private async Task HangAsync(HttpContext context)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _stopping.Token);
        try
        {
            await Task.Delay(Timeout.Infinite, linked.Token);
        }
        catch (OperationCanceledException)
        {
            // The caller gave up or the receiver is stopping.
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        await _stopping.CancelAsync();
        await _app.StopAsync();
        await _app.DisposeAsync();
        _stopping.Dispose();
    }
}
