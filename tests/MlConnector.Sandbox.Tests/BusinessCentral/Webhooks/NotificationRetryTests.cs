using System.Net;
using MlConnector.Sandbox.BusinessCentral.Webhooks;

namespace MlConnector.Sandbox.Tests.BusinessCentral.Webhooks;

/// <summary>BC's answer rules for deliveries, timed on the sandbox clock (shared/api/business-central.md §5.6).</summary>
public sealed class NotificationRetryTests
{
    private static readonly TimeSpan Delay = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Retryable_failures_are_retried_after_1_1_10_100_and_1000_minutes_then_the_subscription_is_deleted()
    {
        await using var bed = await WebhookBed.StartAsync();
        var subscription = await bed.SubscribeAsync();
        bed.Receiver.AnswerNotifications(Enumerable.Repeat(503, 10).ToArray());
        bed.Host.BusinessCentral.ModifyCustomerInUi(bed.Host.BusinessCentral.Store.Customers[0].Id, c => c.City = "Retry");
        var schedule = new[] { 1, 1, 10, 100, 1000 }.Select(m => TimeSpan.FromMinutes(m)).ToArray();

        var first = Assert.Single(await bed.AdvanceAndDeliverAsync(Delay));
        Assert.Equal(WebhookOutcome.WillRetry, first.Outcome);
        var previous = first;
        for (var retry = 0; retry < schedule.Length; retry++)
        {
            Assert.Empty(await bed.AdvanceAndDeliverAsync(schedule[retry] - TimeSpan.FromSeconds(2)));
            var entries = await bed.AdvanceAndDeliverAsync(TimeSpan.FromSeconds(2));
            var attempt = entries.Single(e => e.Event == WebhookEvent.Delivery);
            Assert.Equal(retry + 2, attempt.Attempt);
            Assert.Equal(previous.Completed + schedule[retry], attempt.DueAt);
            Assert.Equal(503, attempt.Status);
            previous = attempt;
        }

        Assert.Equal(WebhookOutcome.Failed, previous.Outcome);
        var removal = Assert.Single(bed.Webhooks.Journal.Of(WebhookEvent.Removal));
        Assert.Contains("too many failed deliveries", removal.Detail, StringComparison.Ordinal);
        Assert.Equal([subscription.GetProperty("subscriptionId").GetString()!], removal.SubscriptionIds);
        Assert.Empty(bed.Webhooks.Subscriptions);
        Assert.Equal(6, bed.Receiver.Deliveries.Count);
        Assert.Equal(0, bed.Webhooks.PendingNotifications);
    }

    [Theory]
    [InlineData(408)]
    [InlineData(429)]
    [InlineData(500)]
    [InlineData(502)]
    [InlineData(504)]
    public async Task After_a_retryable_answer_the_next_attempt_carries_the_old_and_the_new_changes(int status)
    {
        await using var bed = await WebhookBed.StartAsync();
        await bed.SubscribeAsync();
        bed.Receiver.AnswerNotifications(status);
        var customers = bed.Host.BusinessCentral.Store.Customers;
        bed.Host.BusinessCentral.ModifyCustomerInUi(customers[0].Id, c => c.City = "First");
        Assert.Equal(WebhookOutcome.WillRetry, Assert.Single(await bed.AdvanceAndDeliverAsync(Delay)).Outcome);

        bed.Host.BusinessCentral.ModifyCustomerInUi(customers[1].Id, c => c.City = "Second");
        Assert.Empty(await bed.AdvanceAndDeliverAsync(Delay));
        var retry = Assert.Single(await bed.AdvanceAndDeliverAsync(TimeSpan.FromMinutes(1) - Delay));

        Assert.Equal(WebhookOutcome.Succeeded, retry.Outcome);
        Assert.Equal(2, retry.Attempt);
        Assert.Equal(2, bed.Receiver.Deliveries[^1].Notifications.Count);
        Assert.Null(bed.Webhooks.RetryState(bed.Receiver.Url.ToString()));
        Assert.Single(bed.Webhooks.Subscriptions);
    }

    [Fact]
    public async Task No_answer_within_the_deadline_is_retried()
    {
        await using var bed = await WebhookBed.StartAsync(configure: o => o.DeliveryTimeout = TimeSpan.FromMilliseconds(500));
        await bed.SubscribeAsync();
        bed.Receiver.HangNotifications = true;
        bed.Host.BusinessCentral.ModifyCustomerInUi(bed.Host.BusinessCentral.Store.Customers[0].Id, c => c.City = "Silent");

        var attempt = Assert.Single(await bed.AdvanceAndDeliverAsync(Delay));

        Assert.Equal(WebhookOutcome.WillRetry, attempt.Outcome);
        Assert.Null(attempt.Status);
        Assert.StartsWith("no answer", attempt.Detail, StringComparison.Ordinal);
        bed.Receiver.HangNotifications = false;
        Assert.Equal(WebhookOutcome.Succeeded, Assert.Single(await bed.AdvanceAndDeliverAsync(TimeSpan.FromMinutes(1))).Outcome);
    }

    [Fact]
    public async Task A_closed_port_counts_as_no_answer()
    {
        await using var bed = await WebhookBed.StartAsync();
        await bed.SubscribeAsync();
        await bed.Receiver.DisposeAsync();
        bed.Host.BusinessCentral.ModifyCustomerInUi(bed.Host.BusinessCentral.Store.Customers[0].Id, c => c.City = "Gone");

        var attempt = Assert.Single(await bed.AdvanceAndDeliverAsync(Delay));

        Assert.Equal(WebhookOutcome.WillRetry, attempt.Outcome);
        Assert.Equal((2, attempt.Completed + TimeSpan.FromMinutes(1)), bed.Webhooks.RetryState(bed.Receiver.Url.ToString())!.Value);
    }

    [Theory]
    [InlineData(400)]
    [InlineData(401)]
    [InlineData(403)]
    [InlineData(404)]
    [InlineData(410)]
    [InlineData(302)]
    public async Task Any_other_answer_deletes_every_subscription_on_the_url_at_once(int status)
    {
        await using var bed = await WebhookBed.StartAsync();
        await bed.SubscribeAsync();
        await bed.SubscribeAsync();
        bed.Receiver.AnswerNotifications(status);
        bed.Host.BusinessCentral.ModifyCustomerInUi(bed.Host.BusinessCentral.Store.Customers[0].Id, c => c.City = "Refused");

        var entries = await bed.AdvanceAndDeliverAsync(Delay);

        var delivery = entries.Single(e => e.Event == WebhookEvent.Delivery);
        Assert.Equal((WebhookOutcome.Failed, (int?)status), (delivery.Outcome, delivery.Status));
        Assert.Equal(2, entries.Count(e => e.Event == WebhookEvent.Removal));
        Assert.Empty(bed.Webhooks.Subscriptions);
        Assert.Equal(0, bed.Webhooks.PendingNotifications);
        using var list = await bed.Bc.SendAsync(HttpMethod.Get, bed.Bc.ApiRoot + "subscriptions");
        Assert.Equal(HttpStatusCode.OK, list.StatusCode);
        Assert.Contains("\"value\":[]", await list.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
