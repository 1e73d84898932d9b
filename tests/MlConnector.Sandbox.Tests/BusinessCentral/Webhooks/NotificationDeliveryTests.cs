using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MlConnector.Sandbox.BusinessCentral.Webhooks;

namespace MlConnector.Sandbox.Tests.BusinessCentral.Webhooks;

/// <summary>What changes notify, when the job sends, and what one POST carries (shared/api/business-central.md §5.3-§5.5).</summary>
public sealed class NotificationDeliveryTests
{
    private static readonly TimeSpan Delay = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_change_is_posted_thirty_seconds_after_it_happened_with_the_documented_body_and_headers()
    {
        await using var bed = await WebhookBed.StartAsync();
        var subscription = await bed.SubscribeAsync(clientState: "state-1");
        var customer = bed.Host.BusinessCentral.Store.Customers[0];
        var changedAt = bed.Host.Clock.GetUtcNow();
        bed.Host.BusinessCentral.ModifyCustomerInUi(customer.Id, c => c.City = "Oslo");

        Assert.Empty(await bed.Webhooks.DeliverDueAsync());
        Assert.Empty(await bed.AdvanceAndDeliverAsync(Delay - TimeSpan.FromSeconds(1)));
        var delivery = Assert.Single(await bed.AdvanceAndDeliverAsync(TimeSpan.FromSeconds(1)));

        Assert.Equal(WebhookEvent.Delivery, delivery.Event);
        Assert.Equal(WebhookOutcome.Succeeded, delivery.Outcome);
        Assert.Equal(200, delivery.Status);
        Assert.Equal(1, delivery.Attempt);
        Assert.InRange(delivery.DueAt!.Value - changedAt, Delay, Delay + TimeSpan.FromSeconds(1));
        var request = Assert.Single(bed.Receiver.Deliveries);
        Assert.Equal("POST", request.Method);
        Assert.Equal("application/json", request.Headers["Content-Type"]);
        Assert.Matches("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", request.Headers["clientRequestId"]);
        Assert.Equal(request.Headers["clientRequestId"], request.Headers["x-ms-correlation-id"]);
        Assert.Equal((byte)'{', request.Body[0]);
        Assert.False(request.Headers.ContainsKey("Authorization"));

        var notification = Assert.Single(request.Notifications);
        Assert.Equal(subscription.GetProperty("subscriptionId").GetString(), notification.GetProperty("subscriptionId").GetString());
        Assert.Equal("state-1", notification.GetProperty("clientState").GetString());
        Assert.Equal($"{bed.CustomersResource}({customer.Id})", notification.GetProperty("resource").GetString());
        Assert.Equal("updated", notification.GetProperty("changeType").GetString());
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", notification.GetProperty("expirationDateTime").GetString());
        Assert.InRange(notification.GetProperty("lastModifiedDateTime").GetDateTimeOffset(), changedAt - TimeSpan.FromMilliseconds(1), changedAt + TimeSpan.FromSeconds(1));
        Assert.Equal(0, bed.Webhooks.PendingNotifications);
    }

    [Fact]
    public async Task Creates_updates_and_deletes_through_the_api_and_the_back_office_all_notify()
    {
        await using var bed = await WebhookBed.StartAsync();
        await bed.SubscribeAsync();
        var company = bed.Bc.Company;

        using var created = await bed.Bc.SendAsync(HttpMethod.Post, company + "customers", new { displayName = "Via API" });
        var apiId = JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetGuid();
        using (var patched = await bed.Bc.SendAsync(HttpMethod.Patch, $"{company}customers({apiId})", new { city = "Bergen" }, h => h.TryAddWithoutValidation("If-Match", "*")))
            Assert.Equal(HttpStatusCode.OK, patched.StatusCode);
        using (var deleted = await bed.Bc.SendAsync(HttpMethod.Delete, $"{company}customers({apiId})", headers: h => h.TryAddWithoutValidation("If-Match", "*")))
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);

        var target = bed.Host.BusinessCentral.Store.Customers[1];
        using (var modified = await bed.Http.PostAsJsonAsync($"admin/bc/customers/{target.Id}/modify", new { phoneNumber = "+47 555 0101" }))
            Assert.Equal(HttpStatusCode.OK, modified.StatusCode);
        var removed = bed.Host.BusinessCentral.Store.Customers[2];
        bed.Host.BusinessCentral.DeleteCustomer(removed.Id);

        await bed.AdvanceAndDeliverAsync(Delay);

        var seen = bed.Receiver.Notifications.Select(n => (n.GetProperty("resource").GetString(), n.GetProperty("changeType").GetString())).ToArray();
        Assert.Equal(
        [
            ($"{bed.CustomersResource}({apiId})", "created"),
            ($"{bed.CustomersResource}({apiId})", "updated"),
            ($"{bed.CustomersResource}({apiId})", "deleted"),
            ($"{bed.CustomersResource}({target.Id})", "updated"),
            ($"{bed.CustomersResource}({removed.Id})", "deleted"),
        ], seen);
        Assert.Single(bed.Receiver.Deliveries);
    }

    [Fact]
    public async Task Repeated_updates_of_one_customer_collapse_into_one_notification_with_the_latest_time()
    {
        await using var bed = await WebhookBed.StartAsync();
        await bed.SubscribeAsync();
        var customer = bed.Host.BusinessCentral.Store.Customers[0];
        for (var i = 0; i < 5; i++)
        {
            bed.Host.BusinessCentral.ModifyCustomerInUi(customer.Id, c => c.City = "City " + i);
            bed.Advance(TimeSpan.FromSeconds(1));
        }
        var lastChange = bed.Host.Clock.GetUtcNow() - TimeSpan.FromSeconds(1);

        await bed.AdvanceAndDeliverAsync(Delay);

        var notification = Assert.Single(bed.Receiver.Notifications);
        Assert.Equal("updated", notification.GetProperty("changeType").GetString());
        Assert.InRange(notification.GetProperty("lastModifiedDateTime").GetDateTimeOffset(), lastChange - TimeSpan.FromMilliseconds(1), lastChange + TimeSpan.FromSeconds(1));
    }

    [Fact]
    public async Task One_post_per_notification_url_carries_every_subscription_sharing_it()
    {
        await using var bed = await WebhookBed.StartAsync(configure: o => o.ContactsSupported = true);
        await using var other = await WebhookReceiver.StartAsync();
        var customers = await bed.SubscribeAsync(clientState: "a");
        var contacts = await bed.SubscribeAsync($"/api/v2.0/companies({bed.Host.BusinessCentral.CompanyId})/contacts", clientState: "b");
        var elsewhere = await bed.SubscribeAsync(clientState: "c", url: other.Url);
        var person = bed.Host.BusinessCentral.Store.Contacts.First(c => c.Type == "Person");

        bed.Host.BusinessCentral.ModifyCustomerInUi(bed.Host.BusinessCentral.Store.Customers[0].Id, c => c.City = "Turku");
        bed.Host.BusinessCentral.ModifyContactInUi(person.Id, c => c.JobTitle = "Buyer");
        var entries = await bed.AdvanceAndDeliverAsync(Delay);

        Assert.Equal(2, entries.Count(e => e.Event == WebhookEvent.Delivery));
        var shared = Assert.Single(bed.Receiver.Deliveries);
        var bySubscription = shared.Notifications.GroupBy(n => n.GetProperty("subscriptionId").GetString()).ToDictionary(g => g.Key!, g => g.Count());
        Assert.True(bySubscription[customers.GetProperty("subscriptionId").GetString()!] >= 1);
        Assert.True(bySubscription[contacts.GetProperty("subscriptionId").GetString()!] >= 1);
        Assert.DoesNotContain(elsewhere.GetProperty("subscriptionId").GetString(), bySubscription.Keys);
        Assert.All(Assert.Single(other.Deliveries).Notifications, n => Assert.Equal(elsewhere.GetProperty("subscriptionId").GetString(), n.GetProperty("subscriptionId").GetString()));
    }

    [Fact]
    public async Task Contact_changes_do_not_notify_a_customers_subscription_and_postings_notify_nothing()
    {
        await using var bed = await WebhookBed.StartAsync();
        await bed.SubscribeAsync();
        var person = bed.Host.BusinessCentral.Store.Contacts.First(c => c.Type == "Person");
        bed.Host.BusinessCentral.ModifyContactInUi(person.Id, c => c.JobTitle = "Buyer");
        bed.Host.BusinessCentral.PostSalesInvoice(bed.Host.BusinessCentral.Store.Customers[0].Id, 100m);

        Assert.Equal(0, bed.Webhooks.PendingNotifications);
        Assert.Empty(await bed.AdvanceAndDeliverAsync(Delay));
        Assert.Empty(bed.Receiver.Deliveries);
    }

    [Fact]
    public async Task A_rolled_back_batch_notifies_nothing()
    {
        await using var bed = await WebhookBed.StartAsync();
        await bed.SubscribeAsync();
        var companyId = bed.Host.BusinessCentral.CompanyId;
        var target = bed.Host.BusinessCentral.Store.Customers[0];
        var body = new
        {
            requests = new object[]
            {
                new { method = "POST", id = "a", url = $"companies({companyId})/customers", body = new { displayName = "Rolled Back" } },
                new { method = "PATCH", id = "b", url = $"companies({companyId})/customers({target.Id})", headers = new Dictionary<string, string> { ["If-Match"] = "*" }, body = new { city = "Nowhere" } },
                new { method = "PATCH", id = "c", url = $"companies({companyId})/customers({target.Id})", body = new { city = "No etag" } },
            },
        };
        using var response = await bed.Bc.SendAsync(HttpMethod.Post, bed.Bc.ApiRoot + "$batch", body, h => h.Add("Isolation", "snapshot"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        Assert.Equal(0, bed.Webhooks.PendingNotifications);
        Assert.Null(bed.Webhooks.NextJobAt);
    }

    [Fact]
    public async Task A_thousand_pending_changes_become_one_collection_notification_filtered_from_the_first_change_less_50_ms()
    {
        await using var bed = await WebhookBed.StartAsync(customers: 1000);
        await bed.SubscribeAsync();
        var firstChange = bed.Host.Clock.GetUtcNow();
        foreach (var customer in bed.Host.BusinessCentral.Store.Customers.ToArray())
            bed.Host.BusinessCentral.ModifyCustomerInUi(customer.Id, c => c.City = "Burst");
        var lastChange = bed.Host.Clock.GetUtcNow();

        await bed.AdvanceAndDeliverAsync(Delay);

        var notification = Assert.Single(bed.Receiver.Notifications);
        Assert.Equal("collection", notification.GetProperty("changeType").GetString());
        var resource = notification.GetProperty("resource").GetString()!;
        var prefix = bed.CustomersResource + "?$filter=lastModifiedDateTime%20gt%20";
        Assert.StartsWith(prefix, resource, StringComparison.Ordinal);
        var since = DateTimeOffset.Parse(resource[prefix.Length..], System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(since, firstChange - TimeSpan.FromMilliseconds(51), lastChange - TimeSpan.FromMilliseconds(49));
        Assert.InRange(notification.GetProperty("lastModifiedDateTime").GetDateTimeOffset(), since, lastChange + TimeSpan.FromMilliseconds(1));
    }

    [Fact]
    public async Task Below_the_threshold_changes_go_one_by_one_and_a_delete_drops_the_collection_filter()
    {
        await using var bed = await WebhookBed.StartAsync(customers: 5, configure: o => o.CollectionThreshold = 5);
        await bed.SubscribeAsync();
        var customers = bed.Host.BusinessCentral.Store.Customers.ToArray();
        foreach (var customer in customers.Take(4)) bed.Host.BusinessCentral.ModifyCustomerInUi(customer.Id, c => c.City = "Four");
        await bed.AdvanceAndDeliverAsync(Delay);
        Assert.Equal(4, bed.Receiver.Notifications.Count);
        Assert.All(bed.Receiver.Notifications, n => Assert.Equal("updated", n.GetProperty("changeType").GetString()));

        foreach (var customer in customers.Take(4)) bed.Host.BusinessCentral.ModifyCustomerInUi(customer.Id, c => c.City = "Again");
        bed.Host.BusinessCentral.DeleteCustomer(customers[4].Id);
        await bed.AdvanceAndDeliverAsync(Delay);

        var collection = Assert.Single(bed.Receiver.Deliveries[^1].Notifications);
        Assert.Equal("collection", collection.GetProperty("changeType").GetString());
        Assert.Equal(bed.CustomersResource, collection.GetProperty("resource").GetString());
    }

    [Fact]
    public async Task The_background_job_delivers_without_being_asked()
    {
        await using var bed = await WebhookBed.StartAsync(configure: o =>
        {
            o.AutomaticDelivery = true;
            o.NotificationDelay = TimeSpan.FromMilliseconds(100);
        });
        await bed.SubscribeAsync();
        bed.Host.BusinessCentral.ModifyCustomerInUi(bed.Host.BusinessCentral.Store.Customers[0].Id, c => c.City = "Auto");

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (bed.Webhooks.Journal.Of(WebhookEvent.Delivery).Count == 0 && DateTime.UtcNow < deadline) await Task.Delay(50);

        Assert.Equal(WebhookOutcome.Succeeded, Assert.Single(bed.Webhooks.Journal.Of(WebhookEvent.Delivery)).Outcome);
        Assert.Single(bed.Receiver.Notifications);
    }
}
