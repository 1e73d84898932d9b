using System.Net.Http.Json;
using MlConnector.Engine.BusinessCentral;
using MlConnector.Engine.Notifications;
using MlConnector.Engine.Security;
using MlConnector.Engine.Tests.BusinessCentral;
using MlConnector.Sandbox.BusinessCentral.Webhooks;

namespace MlConnector.Engine.Tests.Notifications;

/// <summary>
/// The sandbox's notification job POSTs to a loopback listener that runs the engine's handler; what the handler returns
/// is fetched back through the BC client, as the worker will. Every step is over real HTTP.
/// </summary>
public sealed class NotificationEndToEndTests : IAsyncLifetime
{
    private static readonly TimeSpan Delay = TimeSpan.FromSeconds(30);
    private readonly MutableKnownSubscriptions _known = new();
    private BcSandbox _sandbox = null!;
    private BusinessCentralClient _client = null!;
    private HandlerListener _listener = null!;
    private BcSubscription _subscription = null!;

    private BcWebhooks Webhooks => _sandbox.Host.BusinessCentral.Webhooks;

    public async Task InitializeAsync()
    {
        _sandbox = await BcSandbox.StartAsync(1200, o => o.BusinessCentral.Webhooks.AutomaticDelivery = false);
        _client = await _sandbox.ConnectAsync();
        _listener = HandlerListener.Start(_known);
        var clientState = new SecretText(Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)));
        _subscription = await _client.CreateSubscriptionAsync(_listener.Url, "customers", clientState, default);
        _known.Add(KnownSubscription.From(_subscription, clientState));
    }

    public async Task DisposeAsync()
    {
        await _listener.DisposeAsync();
        _client.Dispose();
        await _sandbox.DisposeAsync();
    }

    private async Task<IReadOnlyList<WebhookJournalEntry>> AdvanceAndDeliverAsync(TimeSpan by)
    {
        _sandbox.Host.Clock.Advance(by);
        return await Webhooks.DeliverDueAsync();
    }

    [Fact]
    public async Task Changes_made_through_the_api_and_the_back_office_arrive_as_one_item_per_customer_and_fetch_back()
    {
        var store = _sandbox.Host.BusinessCentral.Store;
        var viaApi = (await _client.GetCustomerByIdAsync(store.Customers[0].Id, default))!;
        await _client.UpdateCustomerAsync(viaApi, new Dictionary<string, object?> { ["city"] = "Notified City" }, default);
        _sandbox.Host.BusinessCentral.ModifyCustomerInUi(store.Customers[1].Id, c => c.PhoneNumber = "+1 555 0142");
        _sandbox.Host.BusinessCentral.ModifyCustomerInUi(store.Customers[1].Id, c => c.PhoneNumber = "+1 555 0143");
        var created = await _client.CreateCustomerAsync(new Dictionary<string, object?> { ["displayName"] = "Born Notified" }, default);
        var deleted = store.Customers[2].Id;
        _sandbox.Host.BusinessCentral.DeleteCustomer(deleted);

        var delivery = Assert.Single(await AdvanceAndDeliverAsync(Delay));

        Assert.Equal((WebhookOutcome.Succeeded, 200), (delivery.Outcome, delivery.Status));
        var batch = Assert.Single(_listener.Batches);
        Assert.Empty(batch.Rejected);
        Assert.Equal(4, batch.Received);
        Assert.Equal([viaApi.Id, store.Customers[1].Id, created.Id], batch.Changes.Select(c => c.EntityId));
        Assert.All(batch.Changes, c => Assert.Equal((_client.Company.Id, "customers", _subscription.Id), (c.CompanyId, c.EntitySet, c.SubscriptionId)));
        Assert.Equal(deleted, Assert.Single(batch.Deletions).EntityId);

        var fetched = await Task.WhenAll(batch.Changes.Select(c => _client.GetCustomerByIdAsync(c.EntityId, default)));
        Assert.Equal("Notified City", fetched[0]!.City);
        Assert.Equal("+1 555 0143", fetched[1]!.PhoneNumber);
        Assert.Equal("Born Notified", fetched[2]!.DisplayName);
        Assert.Null(await _client.GetCustomerByIdAsync(deleted, default));
    }

    [Fact]
    public async Task A_burst_of_1000_changes_arrives_as_a_collection_whose_filtered_re_read_finds_every_change()
    {
        var store = _sandbox.Host.BusinessCentral.Store;
        var changed = store.Customers.Take(1000).Select(c => c.Id).ToArray();
        foreach (var id in changed) _sandbox.Host.BusinessCentral.ModifyCustomerInUi(id, c => c.City = "Burst");

        await AdvanceAndDeliverAsync(Delay);

        var batch = Assert.Single(_listener.Batches);
        Assert.Empty(batch.Changes);
        var collection = Assert.Single(batch.Collections);
        Assert.NotNull(collection.ModifiedAfter);
        var reread = await BcSandbox.ToListAsync(_client.GetCustomersAsync(new BcCustomerQuery { ModifiedSince = collection.ModifiedAfter }, default));
        Assert.Superset(changed.ToHashSet(), reread.Select(c => c.Id).ToHashSet());
        Assert.All(reread.Where(c => changed.Contains(c.Id)), c => Assert.Equal("Burst", c.City));
    }

    [Fact]
    public async Task When_the_endpoint_answers_503_the_retry_a_minute_later_brings_everything()
    {
        var store = _sandbox.Host.BusinessCentral.Store;
        _listener.FailNext(1);
        _sandbox.Host.BusinessCentral.ModifyCustomerInUi(store.Customers[0].Id, c => c.City = "Before the outage");
        Assert.Equal(WebhookOutcome.WillRetry, Assert.Single(await AdvanceAndDeliverAsync(Delay)).Outcome);
        Assert.Empty(_listener.Batches);

        _sandbox.Host.BusinessCentral.ModifyCustomerInUi(store.Customers[1].Id, c => c.City = "During the outage");
        var retry = Assert.Single(await AdvanceAndDeliverAsync(TimeSpan.FromMinutes(1)));

        Assert.Equal((WebhookOutcome.Succeeded, 2), (retry.Outcome, retry.Attempt));
        Assert.Equal([store.Customers[0].Id, store.Customers[1].Id], Assert.Single(_listener.Batches).Changes.Select(c => c.EntityId));
    }

    [Fact]
    public async Task A_forged_post_to_the_endpoint_is_rejected_and_leaves_the_subscription_alone()
    {
        using var http = new HttpClient();
        var forged = new
        {
            value = new[]
            {
                new { subscriptionId = _subscription.Id, clientState = "guessed", resource = $"companies({_client.Company.Id})/customers({Guid.NewGuid()})", changeType = "updated", lastModifiedDateTime = "2026-01-01T00:00:00Z" },
            },
        };
        using var response = await http.PostAsJsonAsync(_listener.Url, forged);

        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        var result = Assert.Single(_listener.Batches);
        Assert.Empty(result.Changes);
        Assert.Equal(NotificationRejection.WrongClientState, Assert.Single(result.Rejected).Reason);
        Assert.NotNull(await _client.GetSubscriptionAsync(_subscription.Id, default));
    }

    [Fact]
    public async Task With_the_background_job_a_change_arrives_without_anyone_asking()
    {
        Webhooks.Options.NotificationDelay = TimeSpan.FromMilliseconds(200);
        Webhooks.Options.AutomaticDelivery = true;
        var customer = _sandbox.Host.BusinessCentral.Store.Customers[5];
        _sandbox.Host.BusinessCentral.ModifyCustomerInUi(customer.Id, c => c.City = "Pushed");

        Assert.True(await _listener.WaitForAsync(l => l.Batches.Count > 0, TimeSpan.FromSeconds(30)), "no notification arrived");
        Assert.Equal(customer.Id, Assert.Single(Assert.Single(_listener.Batches).Changes).EntityId);
    }
}
