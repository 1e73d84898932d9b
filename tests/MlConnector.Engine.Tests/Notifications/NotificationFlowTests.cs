using MlConnector.Engine.Notifications;
using MlConnector.Engine.State;
using MlConnector.Engine.Sync;
using MlConnector.Engine.Tests.BusinessCentral;

namespace MlConnector.Engine.Tests.Notifications;

/// <summary>
/// Business Central change → notification → the endpoint queues it for its pair → the worker reads the customer by id
/// with its contacts and upserts it through the main flow. Over real HTTP end to end; no timing is asserted (the
/// latency figure is the notify-latency bench).
/// </summary>
public sealed class NotificationFlowTests
{
    [Fact]
    public async Task A_changed_customer_reaches_marketo_through_notification_fetch_and_upsert()
    {
        await using var bed = await NotifyBed.StartAsync();
        var customer = bed.Sync.Host.BusinessCentral.Store.Customers[4];
        var writesBefore = bed.CompanyWrites(customer.Number);

        bed.Sync.Host.BusinessCentral.ModifyCustomerInUi(customer.Id, c => c.City = "Notified City");
        var delivery = Assert.Single(await bed.DeliverAsync());

        Assert.Equal((MlConnector.Sandbox.BusinessCentral.Webhooks.WebhookOutcome.Succeeded, 200), (delivery.Outcome, delivery.Status));
        Assert.True(await NotifyBed.WaitForAsync(() => bed.MarketoCompanyField(customer.Number, "billingCity") == "Notified City"), "the change did not reach Marketo");
        Assert.Equal(writesBefore + 1, bed.CompanyWrites(customer.Number));
        Assert.True(await NotifyBed.WaitForAsync(() => bed.NotifiedJobs().Count == 0 && bed.Worker!.Handled == 1));
        Assert.Contains(bed.Sync.Audit.PathFor(bed.Sync.Host.Clock.GetUtcNow()) is var file && File.Exists(file) ? File.ReadLines(file) : [],
            line => line.Contains($"\"sourceNumber\":\"{customer.Number}\"", StringComparison.Ordinal) && line.Contains("\"action\":\"Updated\"", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Fifty_changes_in_one_delivery_are_one_job_each_and_all_reach_marketo()
    {
        await using var bed = await NotifyBed.StartAsync(customers: 80);
        var changed = bed.Sync.Host.BusinessCentral.Store.Customers.Take(50).ToArray();
        foreach (var customer in changed) bed.Sync.Host.BusinessCentral.ModifyCustomerInUi(customer.Id, c => c.City = "Fifty " + customer.Number);

        Assert.Single(await bed.DeliverAsync());

        // Customers blocked for all transactions are notified like any other, and skipped (CustomerBlocked) like any other.
        var sendable = changed.Where(c => c.Blocked != "All").ToArray();
        Assert.True(await NotifyBed.WaitForAsync(() => sendable.All(c => bed.MarketoCompanyField(c.Number, "billingCity") == "Fifty " + c.Number)),
            "not every change reached Marketo");
        Assert.Equal(50, bed.Listener.Counts.Enqueued);
        Assert.All(sendable, c => Assert.Equal(2, bed.CompanyWrites(c.Number)));
        Assert.True(await NotifyBed.WaitForAsync(() => bed.NotifiedJobs().Count == 0));
        Assert.All(changed.Except(sendable), c => Assert.Equal(0, bed.CompanyWrites(c.Number)));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_customer_notified_twice_and_picked_up_by_the_poll_is_one_job_and_one_marketo_write(bool pollFirst)
    {
        await using var bed = await NotifyBed.StartAsync(withWorker: false);
        var customer = bed.Sync.Host.BusinessCentral.Store.Customers[7];
        var writesBefore = bed.CompanyWrites(customer.Number);

        bed.Sync.Host.BusinessCentral.ModifyCustomerInUi(customer.Id, c => c.City = "Twice");
        await bed.DeliverAsync();
        bed.Sync.Host.BusinessCentral.ModifyCustomerInUi(customer.Id, c => c.PhoneNumber = c.PhoneNumber);
        await bed.DeliverAsync();

        Assert.Equal(2, bed.Listener.Counts.Notifications);
        var job = Assert.Single(bed.NotifiedJobs());
        Assert.Equal(NotifiedJobs.JobId("customers", customer.Id), job.JobId);

        var results = new List<SyncResult>();
        if (pollFirst) results.AddRange(await bed.Sync.RunAsync());
        results.AddRange(await bed.WorkAsync());
        if (!pollFirst) results.AddRange(await bed.Sync.RunAsync());

        Assert.Empty(bed.NotifiedJobs());
        Assert.Equal(0, bed.Queue.Count(QueuedJobStatus.Pending));
        Assert.Equal(writesBefore + 1, bed.CompanyWrites(customer.Number));
        Assert.Single(results, r => r.SourceNumber == customer.Number && r.TargetType == "Company" && r.Action == SyncAction.Updated);
        Assert.Equal("Twice", bed.MarketoCompanyField(customer.Number, "billingCity"));
    }

    [Fact]
    public async Task A_burst_of_1500_changes_arrives_as_a_collection_and_every_change_reaches_marketo()
    {
        await using var bed = await NotifyBed.StartAsync(customers: 1600);
        var changed = bed.Sync.Host.BusinessCentral.Store.Customers.Skip(50).Take(1500).ToArray();
        foreach (var customer in changed) bed.Sync.Host.BusinessCentral.ModifyCustomerInUi(customer.Id, c => c.City = "Burst " + customer.Number);

        var delivery = Assert.Single(await bed.DeliverAsync());

        Assert.Equal(1, delivery.NotificationCount);
        Assert.True(await NotifyBed.WaitForAsync(() => changed.Where(c => c.Blocked != "All").All(c => bed.MarketoCompanyField(c.Number, "billingCity") == "Burst " + c.Number), TimeSpan.FromMinutes(5)),
            "not every change of the burst reached Marketo");
        Assert.Equal(1, bed.Listener.Counts.Enqueued);
        Assert.True(await NotifyBed.WaitForAsync(() => bed.NotifiedJobs().Count == 0));
    }

    [Fact]
    public async Task A_deleted_customer_is_audited_and_nothing_is_queued()
    {
        await using var bed = await NotifyBed.StartAsync(withWorker: false);
        var customer = bed.Sync.Host.BusinessCentral.Store.Customers[3];

        bed.Sync.Host.BusinessCentral.DeleteCustomer(customer.Id);
        await bed.DeliverAsync();

        Assert.Empty(bed.NotifiedJobs());
        var audit = File.ReadLines(bed.Sync.Audit.PathFor(bed.Sync.Host.Clock.GetUtcNow())).ToArray();
        Assert.Contains(audit, line => line.Contains(customer.Id.ToString("D"), StringComparison.Ordinal)
            && line.Contains(SyncReasons.DeletedInBusinessCentral, StringComparison.Ordinal) && line.Contains(bed.Sync.Pair.PairId, StringComparison.Ordinal));
    }

    [Fact]
    public async Task With_contacts_listed_their_changes_notify_and_send_the_customers_contacts()
    {
        await using var bed = await NotifyBed.StartAsync(withWorker: false, configure: o => o.BusinessCentral.Webhooks.ContactsSupported = true);
        Assert.True(await bed.Subscriptions.SupportsAsync(BcSubscriptionManager.Contacts, default));
        await bed.RegisterAsync(BcSubscriptionManager.Contacts);
        var store = bed.Sync.Host.BusinessCentral.Store;
        var person = store.Contacts.First(c => c.Type == "Person" && c.CompanyNumber.Length > 0 && MlConnector.Engine.Mapping.EmailRules.Problem(c.Email) is null);

        bed.Sync.Host.BusinessCentral.ModifyContactInUi(person.Id, c => c.JobTitle = "Notified Title");
        await bed.DeliverAsync();
        Assert.Equal(NotifiedJobs.JobId("contacts", person.Id), Assert.Single(bed.NotifiedJobs()).JobId);
        var results = await bed.WorkAsync();

        Assert.Contains(results, r => r.SourceNumber == person.Number && r.Action == SyncAction.Updated);
        Assert.Equal("Notified Title", bed.Sync.Host.Marketo.LeadsByEmail(person.Email).Single().Fields.GetValueOrDefault("title"));
    }
}
