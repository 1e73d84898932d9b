using MlConnector.Engine.Mapping;
using MlConnector.Engine.State;
using MlConnector.Engine.Sync;
using MlConnector.Engine.Tests.BusinessCentral;

namespace MlConnector.Engine.Tests.Sync;

/// <summary>A replay of a parked company plans that company again, not the contacts of its customer.</summary>
public sealed class ParkedCompanyReplayTests
{
    [Fact]
    public async Task Replaying_only_a_parked_company_sends_no_lead_of_its_customer()
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 3);
        await sandbox.RunAsync();
        var person = sandbox.SolePersons()[0];
        var customer = sandbox.Host.BusinessCentral.Store.Customers.Single(c => c.CompanyContact?.Number == person.CompanyNumber);
        var queue = sandbox.State.Queue(SyncDirection.BcToMarketo);
        var now = sandbox.Host.Clock.GetUtcNow();
        queue.Enqueue([new QueuedJob("Customer:" + customer.Number, MarketoRecord.Company, "Customer", customer.Number, "{}", QueuedJobStatus.Pending, 0, null, now, now)], now);
        queue.Park(queue.Take(QueuedJobStatus.Pending, null, 10).Select(j => (j, "1003 refused")), now);

        var replayed = await BcSandbox.ToListAsync(sandbox.Sync().ReplayAsync(null, CancellationToken.None));

        Assert.Equal(SyncAction.Updated, Assert.Single(replayed, r => r.SourceNumber == customer.Number).Action);
        Assert.DoesNotContain(replayed, r => r.TargetType == MarketoRecord.Lead);
    }
}
