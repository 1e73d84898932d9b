using System.Net;
using System.Net.Http.Json;
using MlConnector.Engine.Notifications;
using MlConnector.Engine.State;
using MlConnector.Sandbox.BusinessCentral.Webhooks;
using MlConnector.Sandbox.Core;

namespace MlConnector.Engine.Tests.Notifications;

/// <summary>
/// The endpoint answers whatever the worker is going through, the sandbox's retry schedule makes up for answers that
/// failed, and a stop drains: nothing is lost. No timing is asserted, only order and outcome.
/// </summary>
public sealed class NotificationResilienceTests
{
    [Fact]
    public async Task The_endpoint_keeps_answering_while_the_worker_is_held_up_by_marketo_606s()
    {
        await using var bed = await NotifyBed.StartAsync(marketo: m => m.RateWindow = TimeSpan.FromSeconds(1));
        var (first, second) = (bed.Sync.Host.BusinessCentral.Store.Customers[1], bed.Sync.Host.BusinessCentral.Store.Customers[2]);
        var quota = bed.Sync.Host.Faults.Add(new FaultRule { Service = SandboxService.Marketo, PathContains = "/rest/v1/companies.json", Method = "POST", ErrorCode = "606" });

        bed.Sync.Host.BusinessCentral.ModifyCustomerInUi(first.Id, c => c.City = "Held Up");
        Assert.Equal(WebhookOutcome.Succeeded, Assert.Single(await bed.DeliverAsync()).Outcome);
        Assert.True(await NotifyBed.WaitForAsync(() => bed.Sync.Host.Journal.For(SandboxService.Marketo).Any(e => e.ErrorCode == "606")), "the worker never met a 606");

        bed.Sync.Host.BusinessCentral.ModifyCustomerInUi(second.Id, c => c.City = "Answered Meanwhile");
        var meanwhile = Assert.Single(await bed.DeliverAsync());
        using (var http = new HttpClient())
        using (var handshake = await http.PostAsync(bed.Url + "?validationToken=still-here", new ByteArrayContent([])))
            Assert.Equal("still-here", await handshake.Content.ReadAsStringAsync());

        Assert.Equal((WebhookOutcome.Succeeded, 200), (meanwhile.Outcome, meanwhile.Status));
        Assert.Equal(0, bed.Worker!.Handled);
        Assert.Contains(NotifiedJobs.JobId("customers", second.Id), bed.NotifiedJobs().Select(j => j.JobId));
        Assert.NotEqual("Held Up", bed.MarketoCompanyField(first.Number, "billingCity"));

        bed.Sync.Host.Faults.Remove(quota.Id);
        Assert.True(await NotifyBed.WaitForAsync(() => bed.MarketoCompanyField(first.Number, "billingCity") == "Held Up"
            && bed.MarketoCompanyField(second.Number, "billingCity") == "Answered Meanwhile"), "a change was lost after the 606s");
    }

    [Fact]
    public async Task When_the_endpoint_answers_503_the_retry_schedule_redelivers_and_nothing_is_lost()
    {
        FailingStateStore? store = null;
        await using var bed = await NotifyBed.StartAsync(wrapReceiverStore: s => store = new FailingStateStore(s));
        var customer = bed.Sync.Host.BusinessCentral.Store.Customers[6];

        store!.Failing = true;
        bed.Sync.Host.BusinessCentral.ModifyCustomerInUi(customer.Id, c => c.City = "After The Outage");
        var failed = Assert.Single(await bed.DeliverAsync());
        Assert.Equal((WebhookOutcome.WillRetry, 503), (failed.Outcome, failed.Status));
        Assert.Equal(1, bed.Listener.Counts.Unavailable);

        Assert.Empty(await bed.DeliverAsync(TimeSpan.FromSeconds(59)));
        store.Failing = false;
        var retried = Assert.Single(await bed.DeliverAsync(TimeSpan.FromSeconds(1)));

        Assert.Equal((WebhookOutcome.Succeeded, 2), (retried.Outcome, retried.Attempt));
        Assert.True(await NotifyBed.WaitForAsync(() => bed.MarketoCompanyField(customer.Number, "billingCity") == "After The Outage"), "the redelivered change was lost");
        Assert.Single(bed.Subscriptions.Stored);
    }

    [Fact]
    public async Task Stopping_the_listener_answers_what_is_in_flight_and_sends_what_is_queued()
    {
        await using var bed = await NotifyBed.StartAsync();
        var changed = bed.Sync.Host.BusinessCentral.Store.Customers.Skip(10).Take(5).ToArray();
        foreach (var customer in changed) bed.Sync.Host.BusinessCentral.ModifyCustomerInUi(customer.Id, c => c.City = "Drained");
        Assert.Equal(WebhookOutcome.Succeeded, Assert.Single(await bed.DeliverAsync()).Outcome);

        await bed.Listener.StopAsync();

        Assert.False(bed.Listener.IsRunning);
        Assert.All(changed, c => Assert.Equal("Drained", bed.MarketoCompanyField(c.Number, "billingCity")));
        Assert.Empty(bed.NotifiedJobs());
        Assert.Null(bed.Sync.State.Lease.Current(bed.Sync.Host.Clock.GetUtcNow()));
        using var http = new HttpClient();
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => http.PostAsJsonAsync(bed.Url, new { value = Array.Empty<object>() }));
    }

    [Fact]
    public async Task While_another_run_holds_the_pair_the_worker_waits_and_sends_after_it()
    {
        await using var bed = await NotifyBed.StartAsync();
        var customer = bed.Sync.Host.BusinessCentral.Store.Customers[8];
        var now = bed.Sync.Host.Clock.GetUtcNow();
        var scheduledRun = new LeaseHolder("scheduled-run", 4711, "runbook", now, now.AddMinutes(30));
        Assert.True(bed.Sync.State.Lease.TryAcquire(scheduledRun, now).Acquired);

        bed.Sync.Host.BusinessCentral.ModifyCustomerInUi(customer.Id, c => c.City = "After The Run");
        Assert.Equal(WebhookOutcome.Succeeded, Assert.Single(await bed.DeliverAsync()).Outcome);
        Assert.True(await NotifyBed.WaitForAsync(() => bed.Worker!.LeaseBusy > 0), "the worker never asked for the lease");
        Assert.NotEqual("After The Run", bed.MarketoCompanyField(customer.Number, "billingCity"));

        bed.Sync.State.Lease.Release(scheduledRun.HolderId);
        Assert.True(await NotifyBed.WaitForAsync(() => bed.MarketoCompanyField(customer.Number, "billingCity") == "After The Run"), "the worker did not send after the run");
    }
}
