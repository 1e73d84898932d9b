using MlConnector.Engine.Notifications;
using MlConnector.Engine.Security;
using MlConnector.Engine.State;
using MlConnector.Sandbox.BusinessCentral.Webhooks;
using MlConnector.Sandbox.Core;

namespace MlConnector.Engine.Tests.Notifications;

/// <summary>
/// The renewal pass against the sandbox's clock: subscriptions live three days; the pass renews those with less than a
/// day left (BC runs the handshake again), re-creates those BC deleted (expired, or dropped after failed deliveries),
/// and the poll on lastModifiedDateTime backfills the gap, so nothing is lost.
/// </summary>
public sealed class SubscriptionRenewalTests
{
    private static readonly TimeSpan Day = TimeSpan.FromDays(1);

    private static ClientStateSource From(NotifyBed bed) => (location, _) => Task.FromResult<SecretText?>(location == bed.Location ? bed.ClientState : null);

    private static int Patches(NotifyBed bed)
        => bed.Sync.Host.Journal.For(SandboxService.BusinessCentral).Count(e => e.Method == "PATCH" && e.Path.Contains("/subscriptions(", StringComparison.Ordinal));

    [Fact]
    public async Task At_two_days_23_hours_the_pass_renews_after_a_handshake_that_passes()
    {
        await using var bed = await NotifyBed.StartAsync(withWorker: false, initialSync: false);
        var before = Assert.Single(bed.Subscriptions.Stored);
        bed.Sync.Host.Clock.Advance(TimeSpan.FromDays(2) + TimeSpan.FromHours(23));
        bed.Webhooks.Journal.Clear();

        var row = Assert.Single(await bed.Subscriptions.RenewDueAsync(Day, From(bed), default));

        Assert.Equal((SubscriptionAction.Renewed, SubscriptionState.Active, before.SubscriptionId), (row.Action, row.Status, row.SubscriptionId));
        var handshake = Assert.Single(bed.Webhooks.Journal.Of(WebhookEvent.Handshake));
        Assert.Equal((WebhookOutcome.Succeeded, 200), (handshake.Outcome, handshake.Status));
        var bcNow = bed.Sync.Host.Clock.GetUtcNow();
        var renewed = Assert.Single(bed.Subscriptions.Stored);
        Assert.InRange(renewed.ExpiresAt, bcNow + TimeSpan.FromDays(3) - TimeSpan.FromMinutes(1), bcNow + TimeSpan.FromDays(3) + TimeSpan.FromSeconds(5));
        Assert.NotEqual(before.ETag, renewed.ETag);
        Assert.Equal(renewed.ExpiresAt, Assert.Single(bed.Webhooks.Subscriptions).ExpirationDateTime);
        Assert.InRange(row.ExpiresIn!.Value, TimeSpan.FromDays(3) - TimeSpan.FromMinutes(1), TimeSpan.FromDays(3) + TimeSpan.FromSeconds(5));
        var audit = File.ReadAllLines(bed.Sync.Audit.PathFor(bed.Sync.Host.Clock.GetUtcNow()));
        Assert.Single(audit, l => l.Contains("\"action\":\"Renewed\"", StringComparison.Ordinal) && l.Contains(before.SubscriptionId, StringComparison.Ordinal));
        Assert.DoesNotContain(audit, l => l.Contains(bed.ClientState.Reveal(), StringComparison.Ordinal));
    }

    [Fact]
    public async Task With_more_than_a_day_left_the_pass_changes_nothing()
    {
        await using var bed = await NotifyBed.StartAsync(withWorker: false, initialSync: false);
        bed.Sync.Host.Clock.Advance(TimeSpan.FromHours(47));

        var row = Assert.Single(await bed.Subscriptions.RenewDueAsync(Day, From(bed), default));

        Assert.Equal((SubscriptionAction.None, SubscriptionState.Active), (row.Action, row.Status));
        Assert.Equal(0, Patches(bed));
        Assert.InRange(row.ExpiresIn!.Value, TimeSpan.FromHours(24), TimeSpan.FromHours(25) + TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Past_expiry_the_next_pass_recreates_it_and_the_poll_backfills_the_gap()
    {
        await using var bed = await NotifyBed.StartAsync();
        var store = bed.Sync.Host.BusinessCentral.Store;
        var (inGap, afterwards) = (store.Customers[11], store.Customers[12]);
        var expired = Assert.Single(bed.Subscriptions.Stored);

        bed.Sync.Host.Clock.Advance(TimeSpan.FromDays(3) + TimeSpan.FromHours(1));
        bed.Sync.Host.BusinessCentral.ModifyCustomerInUi(inGap.Id, c => c.City = "Changed In The Gap");
        Assert.DoesNotContain(await bed.DeliverAsync(), e => e.Event == WebhookEvent.Delivery);

        var row = Assert.Single(await bed.Subscriptions.RenewDueAsync(Day, From(bed), default));

        Assert.Equal((SubscriptionAction.Recreated, SubscriptionState.Active, expired.SubscriptionId), (row.Action, row.Status, row.ReplacedSubscriptionId));
        var recreated = Assert.Single(bed.Subscriptions.Stored);
        Assert.Equal(row.SubscriptionId, recreated.SubscriptionId);
        Assert.NotEqual(expired.SubscriptionId, recreated.SubscriptionId);
        Assert.Equal((expired.NotificationUrl, expired.EntitySet, expired.ClientState), (recreated.NotificationUrl, recreated.EntitySet, recreated.ClientState));

        await bed.Sync.RunAsync();
        Assert.Equal("Changed In The Gap", bed.MarketoCompanyField(inGap.Number, "billingCity"));

        bed.Sync.Host.BusinessCentral.ModifyCustomerInUi(afterwards.Id, c => c.City = "Notified Again");
        Assert.Equal(WebhookOutcome.Succeeded, Assert.Single(await bed.DeliverAsync(), e => e.Event == WebhookEvent.Delivery).Outcome);
        Assert.True(await NotifyBed.WaitForAsync(() => bed.MarketoCompanyField(afterwards.Number, "billingCity") == "Notified Again"),
            "the re-created subscription's notification did not reach Marketo");
    }

    [Fact]
    public async Task A_subscription_dropped_after_failed_deliveries_is_recreated_and_the_poll_covers_what_was_dropped()
    {
        FailingStateStore? failing = null;
        await using var bed = await NotifyBed.StartAsync(wrapReceiverStore: s => failing = new FailingStateStore(s));
        var customer = bed.Sync.Host.BusinessCentral.Store.Customers[13];
        failing!.Failing = true;
        bed.Sync.Host.BusinessCentral.ModifyCustomerInUi(customer.Id, c => c.City = "Dropped");

        var deliveries = new List<WebhookJournalEntry>(await bed.DeliverAsync());
        foreach (var minutes in new[] { 1, 1, 10, 100, 1000 }) deliveries.AddRange(await bed.DeliverAsync(TimeSpan.FromMinutes(minutes)));
        Assert.Equal(6, deliveries.Count(e => e.Event == WebhookEvent.Delivery));
        Assert.Single(deliveries, e => e.Event == WebhookEvent.Removal);
        Assert.Empty(bed.Webhooks.Subscriptions);
        failing.Failing = false;

        var row = Assert.Single(await bed.Subscriptions.RenewDueAsync(Day, From(bed), default));
        await bed.Sync.RunAsync();

        Assert.Equal(SubscriptionAction.Recreated, row.Action);
        Assert.Single(bed.Webhooks.Subscriptions);
        Assert.Equal("Dropped", bed.MarketoCompanyField(customer.Number, "billingCity"));
    }

    [Fact]
    public async Task Without_its_client_state_a_gone_subscription_is_reported_failed_and_kept_for_the_next_pass()
    {
        await using var bed = await NotifyBed.StartAsync(withWorker: false, initialSync: false);
        bed.Sync.Host.Clock.Advance(TimeSpan.FromDays(4));

        var row = Assert.Single(await bed.Subscriptions.RenewDueAsync(Day, (_, _) => Task.FromResult<SecretText?>(null), default));

        Assert.Equal((SubscriptionAction.Failed, SubscriptionState.Gone), (row.Action, row.Status));
        Assert.Contains("-ClientState", row.Reason, StringComparison.Ordinal);
        Assert.Single(bed.Subscriptions.Stored);
        Assert.Contains(bed.Sync.Log.Lines, l => l.StartsWith("WARNING ClientStateUnavailable", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Registering_again_keeps_the_live_subscription_and_unregistering_deletes_it_in_business_central()
    {
        await using var bed = await NotifyBed.StartAsync(withWorker: false, initialSync: false);
        var first = Assert.Single(bed.Subscriptions.Stored);

        var again = await bed.RegisterAsync(BcSubscriptionManager.Customers);
        Assert.Equal((SubscriptionAction.Existing, first.SubscriptionId), (again.Action, again.SubscriptionId));
        Assert.Single(bed.Webhooks.Subscriptions);

        var removed = await bed.Subscriptions.UnregisterAsync(first, default);
        Assert.Equal((SubscriptionAction.Unregistered, SubscriptionState.Gone), (removed.Action, removed.Status));
        Assert.Empty(bed.Webhooks.Subscriptions);
        Assert.Empty(bed.Subscriptions.Stored);
    }

    [Fact]
    public async Task Contacts_are_not_webhook_enabled_unless_business_central_lists_them()
    {
        await using var bed = await NotifyBed.StartAsync(withWorker: false, initialSync: false);
        Assert.True(await bed.Subscriptions.SupportsAsync(BcSubscriptionManager.Customers, default));
        Assert.False(await bed.Subscriptions.SupportsAsync(BcSubscriptionManager.Contacts, default));
    }

    [Fact]
    public async Task The_stored_subscription_holds_where_the_client_state_is_and_never_its_value()
    {
        await using var bed = await NotifyBed.StartAsync(withWorker: false, initialSync: false);
        var stored = Assert.Single(bed.Subscriptions.Stored);
        Assert.Equal(bed.Location, stored.ClientState);
        bed.Sync.Sqlite.Describe();

        Assert.DoesNotContain(bed.ClientState.Reveal(), await File.ReadAllTextAsync(bed.Sync.Sqlite.Path), StringComparison.Ordinal);
        Assert.Equal(bed.ClientState.Reveal(), Assert.Single(bed.Webhooks.Subscriptions).ClientState);
    }
}
