using MlConnector.Engine.BusinessCentral;
using MlConnector.Engine.Notifications;
using MlConnector.Engine.Security;
using MlConnector.Engine.Tests.Notifications;
using MlConnector.Sandbox.BusinessCentral.Webhooks;

namespace MlConnector.Engine.Tests.BusinessCentral;

/// <summary>The subscription client against the sandbox over real HTTP, with the engine's own handler answering the handshakes.</summary>
public sealed class BusinessCentralSubscriptionTests : IAsyncLifetime
{
    private const string ClientState = "kept-in-the-vault-7f3a";
    private BcSandbox _sandbox = null!;
    private BusinessCentralClient _client = null!;
    private HandlerListener _listener = null!;

    public async Task InitializeAsync()
    {
        _sandbox = await BcSandbox.StartAsync(5, o => o.BusinessCentral.Webhooks.AutomaticDelivery = false);
        _client = await _sandbox.ConnectAsync();
        _listener = HandlerListener.Start(new MutableKnownSubscriptions());
    }

    public async Task DisposeAsync()
    {
        await _listener.DisposeAsync();
        _client.Dispose();
        await _sandbox.DisposeAsync();
    }

    private Task<BcSubscription> CreateAsync() => _client.CreateSubscriptionAsync(_listener.Url, "customers", new SecretText(ClientState), default);

    [Fact]
    public async Task Create_returns_a_typed_subscription_whose_client_state_never_prints()
    {
        var before = _sandbox.Host.Clock.GetUtcNow();
        var created = await CreateAsync();

        Assert.Matches("^[0-9a-f]{32}$", created.Id);
        Assert.Equal($"/api/v2.0/companies({_client.Company.Id})/customers", created.Resource);
        Assert.Equal(_listener.Url.AbsoluteUri, created.NotificationUrl);
        Assert.InRange(created.ExpirationDateTime, before.AddDays(3).AddMilliseconds(-5), _sandbox.Host.Clock.GetUtcNow().AddDays(3).AddMilliseconds(5));
        Assert.StartsWith("W/\"", created.ETag, StringComparison.Ordinal);
        Assert.Equal(ClientState, created.ClientState!.Reveal());
        Assert.DoesNotContain(ClientState, created.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(_sandbox.Log.Lines, l => l.Contains(ClientState, StringComparison.Ordinal));
        var handshake = Assert.Single(_listener.Results);
        Assert.Equal(NotificationResultKind.ValidationHandshake, handshake.Kind);
    }

    [Fact]
    public async Task Get_lists_and_reads_one_and_says_null_for_a_missing_one()
    {
        var created = await CreateAsync();

        var all = await _client.GetSubscriptionsAsync(default);
        Assert.Equal(created.Id, Assert.Single(all).Id);
        var one = await _client.GetSubscriptionAsync(created.Id, default);
        Assert.Equal((created.Id, created.ETag, created.ExpirationDateTime), (one!.Id, one.ETag, one.ExpirationDateTime));
        Assert.Null(await _client.GetSubscriptionAsync(Guid.NewGuid().ToString("N"), default));
    }

    [Fact]
    public async Task Renewal_at_two_days_23_hours_passes_the_handshake_and_adds_three_days()
    {
        var created = await CreateAsync();
        _sandbox.Host.Clock.Advance(TimeSpan.FromDays(2) + TimeSpan.FromHours(23));
        var before = _sandbox.Host.Clock.GetUtcNow();

        var renewed = await _client.RenewSubscriptionAsync(created, new SecretText(ClientState), default);

        Assert.Equal(created.Id, renewed.Id);
        Assert.NotEqual(created.ETag, renewed.ETag);
        Assert.InRange(renewed.ExpirationDateTime, before.AddDays(3).AddMilliseconds(-5), _sandbox.Host.Clock.GetUtcNow().AddDays(3).AddMilliseconds(5));
        Assert.Equal(ClientState, renewed.ClientState!.Reveal());
        var handshakes = _sandbox.Host.BusinessCentral.Webhooks.Journal.Of(WebhookEvent.Handshake);
        Assert.Equal(2, handshakes.Count);
        Assert.All(handshakes, h => Assert.Equal(WebhookOutcome.Succeeded, h.Outcome));
        Assert.Equal(2, _listener.Results.Count(r => r.Kind == NotificationResultKind.ValidationHandshake));
    }

    [Fact]
    public async Task Past_expiry_the_subscription_is_gone_and_renewal_fails_with_404()
    {
        var created = await CreateAsync();
        _sandbox.Host.Clock.Advance(TimeSpan.FromDays(3) + TimeSpan.FromMinutes(1));

        Assert.Null(await _client.GetSubscriptionAsync(created.Id, default));
        var error = await Assert.ThrowsAsync<BusinessCentralException>(() => _client.RenewSubscriptionAsync(created, new SecretText(ClientState), default));
        Assert.Equal(404, error.StatusCode);
        Assert.Empty(await _client.GetSubscriptionsAsync(default));
    }

    [Fact]
    public async Task Delete_removes_it_and_a_second_delete_says_it_was_gone()
    {
        var created = await CreateAsync();
        Assert.True(await _client.DeleteSubscriptionAsync(created.Id, created.ETag, default));
        Assert.False(await _client.DeleteSubscriptionAsync(created.Id, null, default));
        Assert.Empty(await _client.GetSubscriptionsAsync(default));
    }

    [Fact]
    public async Task A_failed_handshake_is_an_error_and_stores_nothing()
    {
        var nobody = _listener.Url;
        await _listener.DisposeAsync();
        _listener = HandlerListener.Start(new MutableKnownSubscriptions());

        var error = await Assert.ThrowsAsync<BusinessCentralException>(() => _client.CreateSubscriptionAsync(nobody, "customers", new SecretText(ClientState), default));

        Assert.Equal(400, error.StatusCode);
        Assert.DoesNotContain(ClientState, error.Message, StringComparison.Ordinal);
        Assert.Empty(await _client.GetSubscriptionsAsync(default));
    }

    [Fact]
    public async Task Client_state_over_2048_characters_and_a_non_loopback_http_url_are_refused_before_sending()
    {
        var calls = _client.CallCount;
        await Assert.ThrowsAsync<BusinessCentralConfigurationException>(() => _client.CreateSubscriptionAsync(_listener.Url, "customers", new SecretText(new string('s', 2049)), default));
        await Assert.ThrowsAsync<BusinessCentralConfigurationException>(() => _client.CreateSubscriptionAsync(new Uri("http://hooks.example.com/bc"), "customers", null, default));
        await Assert.ThrowsAsync<ArgumentException>(() => _client.CreateSubscriptionAsync(_listener.Url, "customers)/x(", null, default));
        Assert.Equal(calls, _client.CallCount);
    }

    [Fact]
    public async Task Supported_resources_list_customers_and_contacts_only_when_business_central_does()
    {
        var resources = await _client.GetWebhookSupportedResourcesAsync(default);
        Assert.Contains(resources, r => r is { ApiVersion: "v2.0", EntitySet: "customers", Resource: "v2.0/customers" });
        Assert.DoesNotContain(resources, r => r.EntitySet == "contacts");

        _sandbox.Host.BusinessCentral.Webhooks.Options.ContactsSupported = true;
        Assert.Contains(await _client.GetWebhookSupportedResourcesAsync(default), r => r.EntitySet == "contacts");
        var contacts = await _client.CreateSubscriptionAsync(_listener.Url, "contacts", new SecretText(ClientState), default);
        Assert.EndsWith("/contacts", contacts.Resource, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_known_subscription_is_built_from_the_created_one()
    {
        var created = await CreateAsync();
        var known = KnownSubscription.From(created, created.ClientState);
        Assert.Equal((created.Id, _client.Company.Id, "customers"), (known.SubscriptionId, known.CompanyId, known.EntitySet));
        Assert.DoesNotContain(ClientState, known.ToString(), StringComparison.Ordinal);
    }
}
