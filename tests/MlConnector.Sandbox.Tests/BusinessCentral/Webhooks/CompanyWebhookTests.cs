using System.Net;

namespace MlConnector.Sandbox.Tests.BusinessCentral.Webhooks;

/// <summary>
/// Subscriptions are tenant-level but each watches one company's entity set: in an environment with two companies a
/// change notifies the subscriptions of its own company only. BC states its clock in the Date header.
/// </summary>
public sealed class CompanyWebhookTests
{
    private static readonly TimeSpan Delay = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_change_in_the_second_company_notifies_only_that_companys_subscription()
    {
        await using var bed = await WebhookBed.StartAsync(companies: 2);
        var (first, second) = (bed.Host.BusinessCentral.Companies[0], bed.Host.BusinessCentral.Companies[1]);
        var firstSubscription = await bed.SubscribeAsync($"/api/v2.0/companies({first.Company.Id})/customers", "first-state");
        var secondSubscription = await bed.SubscribeAsync($"/api/v2.0/companies({second.Company.Id})/customers", "second-state");
        var changed = second.Customers[3];

        bed.Host.BusinessCentral.ModifyCustomerInUi(changed.Id, c => c.City = "Second City");
        await bed.AdvanceAndDeliverAsync(Delay);

        var notification = Assert.Single(bed.Receiver.Notifications);
        Assert.Equal(secondSubscription.GetProperty("subscriptionId").GetString(), notification.GetProperty("subscriptionId").GetString());
        Assert.Equal("second-state", notification.GetProperty("clientState").GetString());
        Assert.Equal($"/api/v2.0/companies({second.Company.Id})/customers({changed.Id})", notification.GetProperty("resource").GetString());
        Assert.NotEqual(firstSubscription.GetProperty("subscriptionId").GetString(), notification.GetProperty("subscriptionId").GetString());

        bed.Host.BusinessCentral.ModifyCustomerInUi(first.Customers[0].Id, c => c.City = "First City");
        await bed.AdvanceAndDeliverAsync(Delay);
        var latest = bed.Receiver.Deliveries[^1].Notifications;
        Assert.Equal(firstSubscription.GetProperty("subscriptionId").GetString(), Assert.Single(latest).GetProperty("subscriptionId").GetString());
    }

    [Fact]
    public async Task A_subscription_to_a_company_the_environment_does_not_have_is_refused()
    {
        await using var bed = await WebhookBed.StartAsync(companies: 2);
        using var response = await bed.PostSubscriptionAsync($"/api/v2.0/companies({Guid.NewGuid()})/customers");
        await BcTestClient.AssertErrorAsync(response, HttpStatusCode.BadRequest, "Internal_CompanyNotFound");
    }

    [Fact]
    public async Task Every_company_lists_its_webhook_supported_resources()
    {
        await using var bed = await WebhookBed.StartAsync(companies: 2);
        var second = bed.Host.BusinessCentral.Companies[1].Company.Id;
        var runtime = bed.Bc.ApiRoot.Replace("/api/v2.0/", "/api/microsoft/runtime/beta/", StringComparison.Ordinal);
        using var response = await bed.Bc.SendAsync(HttpMethod.Get, $"{runtime}companies({second})/webhookSupportedResources");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("\"v2.0/customers\"", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_date_header_states_the_sandbox_clock_after_it_was_moved()
    {
        await using var bed = await WebhookBed.StartAsync();
        bed.Advance(TimeSpan.FromDays(2) + TimeSpan.FromHours(23));

        using var response = await bed.Bc.SendAsync(HttpMethod.Get, bed.Bc.ApiRoot + "subscriptions");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var stated = Assert.IsType<DateTimeOffset>(response.Headers.Date);
        Assert.InRange(stated, bed.Host.Clock.GetUtcNow() - TimeSpan.FromMinutes(5), bed.Host.Clock.GetUtcNow() + TimeSpan.FromSeconds(1));
    }
}
