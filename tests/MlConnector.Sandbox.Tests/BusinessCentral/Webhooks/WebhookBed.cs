using System.Net;
using System.Text.Json;
using MlConnector.Sandbox.BusinessCentral.Webhooks;

namespace MlConnector.Sandbox.Tests.BusinessCentral.Webhooks;

/// <summary>A private sandbox whose notification job runs only when the test says so, a receiver, and a BC client.</summary>
public sealed class WebhookBed : IAsyncDisposable
{
    private WebhookBed(SandboxHost host, HttpClient http, WebhookReceiver receiver)
    {
        Host = host;
        Http = http;
        Receiver = receiver;
        Bc = new BcTestClient(host, http);
    }

    public SandboxHost Host { get; }
    public HttpClient Http { get; }
    public WebhookReceiver Receiver { get; }
    /// <summary>A client with its own cached token; <see cref="Advance"/> replaces it, as a moved clock expires tokens.</summary>
    public BcTestClient Bc { get; private set; }
    public BcWebhooks Webhooks => Host.BusinessCentral.Webhooks;
    public string CustomersResource => $"/api/v2.0/companies({Host.BusinessCentral.CompanyId})/customers";

    public static async Task<WebhookBed> StartAsync(int customers = 10, Action<BcWebhookOptions>? configure = null, int companies = 1)
    {
        var options = new SandboxOptions { Customers = customers, Companies = companies };
        options.BusinessCentral.Webhooks.AutomaticDelivery = false;
        configure?.Invoke(options.BusinessCentral.Webhooks);
        var (host, http) = await SandboxFixture.StartAsync(options);
        return new WebhookBed(host, http, await WebhookReceiver.StartAsync());
    }

    public async Task<HttpResponseMessage> PostSubscriptionAsync(string? resource = null, string clientState = "s3cret-state", Uri? url = null)
        => await Bc.SendAsync(HttpMethod.Post, Bc.ApiRoot + "subscriptions",
            new { notificationUrl = (url ?? Receiver.Url).ToString(), resource = resource ?? CustomersResource, clientState });

    /// <summary>Creates a subscription that must succeed; returns the entity (checked against $metadata).</summary>
    public async Task<JsonElement> SubscribeAsync(string? resource = null, string clientState = "s3cret-state", Uri? url = null)
    {
        using var response = await PostSubscriptionAsync(resource, clientState, url);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, text);
        var json = JsonDocument.Parse(text).RootElement.Clone();
        EdmxConformance.AssertEntity(json, "subscriptions");
        return json;
    }

    public string SubscriptionUrl(string id) => $"{Bc.ApiRoot}subscriptions('{id}')";

    public Task<HttpResponseMessage> PatchSubscriptionAsync(JsonElement subscription, object? body = null, string? etag = null)
        => Bc.SendAsync(HttpMethod.Patch, SubscriptionUrl(subscription.GetProperty("subscriptionId").GetString()!),
            body ?? new { notificationUrl = subscription.GetProperty("notificationUrl").GetString(), resource = subscription.GetProperty("resource").GetString() },
            h => h.TryAddWithoutValidation("If-Match", etag ?? subscription.GetProperty("@odata.etag").GetString()));

    public void Advance(TimeSpan by)
    {
        Host.Clock.Advance(by);
        Bc = new BcTestClient(Host, Http);
    }

    /// <summary>Moves the sandbox clock and runs the notification job.</summary>
    public async Task<IReadOnlyList<WebhookJournalEntry>> AdvanceAndDeliverAsync(TimeSpan by)
    {
        Advance(by);
        return await Webhooks.DeliverDueAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await Receiver.DisposeAsync();
        Http.Dispose();
        await Host.DisposeAsync();
    }
}
