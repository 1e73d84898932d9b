using MlConnector.Engine.BusinessCentral;
using MlConnector.Engine.Mapping;
using MlConnector.Engine.Notifications;
using MlConnector.Engine.State;
using MlConnector.Engine.Sync;
using MlConnector.Engine.Tests.BusinessCentral;

namespace MlConnector.Engine.Tests.Notifications;

/// <summary>
/// Two BC companies, two sync pairs into one Marketo (prefixes A- and B-), both subscribed with the same notification
/// URL — so Business Central batches both companies' notifications into one POST. Each notification becomes work for
/// the pair owning its subscription, never for the other.
/// </summary>
public sealed class NotificationPairScopingTests : IAsyncLifetime
{
    private NotifyBed _bed = null!;
    private BusinessCentralClient _companyB = null!;
    private SyncPair _pairB = null!;

    public async Task InitializeAsync()
    {
        _bed = await NotifyBed.StartAsync(companyKeyPrefix: "A-", initialSync: false, configure: o => o.Companies = 2);
        var settings = _bed.Sync.Bc.Settings(pageSize: 200);
        settings.Company = _bed.Sync.Host.BusinessCentral.Companies[1].Company.Id.ToString("D");
        _companyB = await _bed.Sync.Bc.ConnectAsync(settings);
        _pairB = SyncPairs.Register(_bed.Sync.Store, SyncPairs.KeyOf(_companyB, _bed.Sync.Marketo), _companyB.Company.Name, "B-", _bed.Sync.Host.Clock, _bed.Sync.Log);
        await new BcSubscriptionManager(_companyB, StateB, _bed.Sync.Host.Clock, _bed.Sync.Log)
            .RegisterAsync(_bed.Url, BcSubscriptionManager.Customers, _bed.ClientState, _bed.Location, default);
    }

    public async Task DisposeAsync()
    {
        _companyB.Dispose();
        await _bed.DisposeAsync();
    }

    private IPairState StateB => _bed.Sync.Store.Pair(_pairB.PairId);

    private static IReadOnlyList<string> Notified(IPairState state)
        => state.Queue(SyncDirection.BcToMarketo).Take(QueuedJobStatus.Pending, NotifiedJobs.TargetType, 100).Select(j => j.JobId).ToArray();

    [Fact]
    public async Task A_change_in_company_b_is_work_for_pair_b_only()
    {
        var customerB = _bed.Sync.Host.BusinessCentral.Companies[1].Customers[2];
        var customerA = _bed.Sync.Host.BusinessCentral.Companies[0].Customers[5];

        _bed.Sync.Host.BusinessCentral.ModifyCustomerInUi(customerB.Id, c => c.City = "Only B");
        await _bed.DeliverAsync();

        Assert.Equal([NotifiedJobs.JobId("customers", customerB.Id)], Notified(StateB));
        Assert.Empty(Notified(_bed.Sync.State));
        Assert.Equal(0, _bed.Listener.Counts.Rejected);
        Assert.Equal(2, _bed.Known.Count);

        _bed.Sync.Host.BusinessCentral.ModifyCustomerInUi(customerA.Id, c => c.City = "Only A");
        var delivery = Assert.Single(await _bed.DeliverAsync());
        Assert.Equal(1, delivery.NotificationCount);
        Assert.True(await NotifyBed.WaitForAsync(() => _bed.Sync.Host.Marketo.CompanyByExternalId("A-" + customerA.Number)?.Fields.GetValueOrDefault("billingCity") == "Only A"),
            "pair A's worker did not send company A's change");
        Assert.Null(_bed.Sync.Host.Marketo.CompanyByExternalId("A-" + customerB.Number));
        Assert.Null(_bed.Sync.Host.Marketo.CompanyByExternalId("B-" + customerB.Number));
        Assert.Equal([NotifiedJobs.JobId("customers", customerB.Id)], Notified(StateB));

        var contextB = new SyncContext
        {
            BusinessCentral = _companyB, Marketo = _bed.Sync.Marketo, State = StateB, Audit = _bed.Sync.Audit, Time = _bed.Sync.Host.Clock, Log = _bed.Sync.Log,
        };
        var results = await BcSandbox.ToListAsync(new NotificationWorker(contextB, new BcToMarketoMapper(MappingLoader.Default(), "B-")).RunAsync(default));

        Assert.Contains(results, r => r.SourceNumber == customerB.Number && r.TargetKey == "B-" + customerB.Number && r.Action == SyncAction.Created);
        Assert.Equal("Only B", _bed.Sync.Host.Marketo.CompanyByExternalId("B-" + customerB.Number)!.Fields.GetValueOrDefault("billingCity"));
        Assert.Empty(Notified(StateB));
    }

    [Fact]
    public async Task One_post_carrying_both_companies_splits_into_each_pairs_queue()
    {
        var customerA = _bed.Sync.Host.BusinessCentral.Companies[0].Customers[7];
        var customerB = _bed.Sync.Host.BusinessCentral.Companies[1].Customers[7];
        _bed.Sync.Host.BusinessCentral.ModifyCustomerInUi(customerB.Id, c => c.City = "Both B");
        _bed.Sync.Host.BusinessCentral.ModifyCustomerInUi(customerA.Id, c => c.City = "Both A");

        var delivery = Assert.Single(await _bed.DeliverAsync());

        Assert.Equal(2, delivery.NotificationCount);
        Assert.Equal([NotifiedJobs.JobId("customers", customerB.Id)], Notified(StateB));
        Assert.True(await NotifyBed.WaitForAsync(() => _bed.Sync.Host.Marketo.CompanyByExternalId("A-" + customerA.Number)?.Fields.GetValueOrDefault("billingCity") == "Both A"));
        Assert.True(await NotifyBed.WaitForAsync(() => Notified(_bed.Sync.State).Count == 0));
        Assert.Null(_bed.Sync.Host.Marketo.CompanyByExternalId("B-" + customerB.Number));
        Assert.Equal([NotifiedJobs.JobId("customers", customerB.Id)], Notified(StateB));
    }
}
