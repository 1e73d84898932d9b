using MlConnector.Engine.Mapping;
using MlConnector.Engine.State;
using MlConnector.Engine.Sync;
using MlConnector.Engine.Sync.BcToMarketo;
using MlConnector.Engine.Tests.BusinessCentral;

namespace MlConnector.Engine.Tests.Sync;

/// <summary>The planning progress of a BC → Marketo run: counted against the customers piped in, and the parked contacts replayed.</summary>
public sealed class PlanningProgressTests
{
    [Fact]
    public async Task Planning_companies_counts_against_the_customer_records_piped_in()
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 3);
        var inBc = sandbox.Host.BusinessCentral.Store.Customers[0];
        var customer = (await sandbox.BusinessCentral.GetCustomerByIdAsync(inBc.Id, CancellationToken.None))!;
        var seen = new List<SyncProgress>();

        await BcSandbox.ToListAsync(Sync(sandbox, seen).RunAsync(new CustomerSyncRequest { Customers = [customer] }, CancellationToken.None));

        Assert.Contains(new SyncProgress("Planning companies", 1, 1), seen);
    }

    [Fact]
    public async Task Planning_leads_counts_against_the_parked_contacts_replayed()
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 3);
        await sandbox.RunAsync();
        var contact = sandbox.SolePersons()[0];
        var queue = sandbox.State.Queue(SyncDirection.BcToMarketo);
        var now = sandbox.Host.Clock.GetUtcNow();
        queue.Enqueue([new QueuedJob("Contact:" + contact.Number, MarketoRecord.Lead, "Contact", contact.Number, "{}", QueuedJobStatus.Pending, 0, null, now, now)], now);
        queue.Park(queue.Take(QueuedJobStatus.Pending, null, 10).Select(j => (j, "1003 refused")), now);
        var seen = new List<SyncProgress>();

        await BcSandbox.ToListAsync(Sync(sandbox, seen).ReplayAsync(null, CancellationToken.None));

        Assert.Contains(new SyncProgress("Planning leads", 1, 1), seen);
    }

    private static CustomerToMarketoSync Sync(SyncSandbox sandbox, List<SyncProgress> seen)
        => new(sandbox.Context(progress: new ReverseSandbox.Hook(p => { lock (seen) seen.Add(p); })), new BcToMarketoMapper(MappingLoader.Default(), sandbox.Pair.CompanyKeyPrefix));
}
