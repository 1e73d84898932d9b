using MlConnector.Engine.Mapping;
using MlConnector.Engine.Sync;
using MlConnector.Engine.Sync.BcToMarketo;
using MlConnector.Engine.Tests.BusinessCentral;

namespace MlConnector.Engine.Tests.Sync;

/// <summary>How a BC → Marketo run plans its chunks: which records are read and planned, the refresh checkpoint, progress and the scope.</summary>
public sealed class ChunkPlanningTests
{
    [Fact]
    public async Task A_run_of_named_customers_is_not_the_days_financial_refresh()
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 3);
        var customer = sandbox.Host.BusinessCentral.Store.Customers[0];

        await sandbox.RunAsync(new CustomerSyncRequest { CustomerNumbers = [customer.Number] });

        Assert.Null(sandbox.State.Checkpoints.Get(SyncCheckpoints.FinancialsRefreshed));
    }

    [Fact]
    public async Task A_financial_refresh_with_crm_sync_on_sends_the_new_balance_on_the_customers_leads()
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 5, o => o.Marketo.CrmSync = true);
        await sandbox.RunAsync();
        var person = sandbox.SolePersons()[0];
        var customer = sandbox.Host.BusinessCentral.Store.Customers.Single(c => c.CompanyContact?.Number == person.CompanyNumber);
        sandbox.Host.BusinessCentral.PostPayment(customer.Id, 10m);

        var refresh = await sandbox.RunAsync(new CustomerSyncRequest { RefreshFinancials = true });

        Assert.Contains(refresh, r => r.TargetType == MarketoRecord.Lead && r.SourceNumber == person.Number && r.Action == SyncAction.Updated);
    }

    [Fact]
    public async Task Customers_given_as_records_have_their_contacts_planned_as_leads()
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 5);
        var person = sandbox.SolePersons()[0];
        var inBc = sandbox.Host.BusinessCentral.Store.Customers.Single(c => c.CompanyContact?.Number == person.CompanyNumber);
        var customer = (await sandbox.BusinessCentral.GetCustomerByIdAsync(inBc.Id, CancellationToken.None))!;

        var results = await sandbox.RunAsync(new CustomerSyncRequest { Customers = [customer] });

        Assert.Contains(results, r => r.TargetType == MarketoRecord.Lead && r.SourceNumber == person.Number && r.Action == SyncAction.Created);
    }

    [Fact]
    public async Task Planning_progress_counts_against_the_customers_named()
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 3);
        var customer = sandbox.Host.BusinessCentral.Store.Customers[0];
        var progress = new Reports();
        var sync = new CustomerToMarketoSync(sandbox.Context(progress: progress), new BcToMarketoMapper(MappingLoader.Default(), sandbox.Pair.CompanyKeyPrefix));

        await BcSandbox.ToListAsync(sync.RunAsync(new CustomerSyncRequest { CustomerNumbers = [customer.Number] }, CancellationToken.None));

        Assert.Contains(new SyncProgress("Planning companies", 1, 1), progress.Seen);
    }

    [Fact]
    public async Task Crm_sync_switched_on_after_the_connection_saw_companies_writable_skips_the_company_instead_of_writing_it()
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 3);
        await sandbox.RunAsync();
        var customer = sandbox.Host.BusinessCentral.Store.Customers[1];
        sandbox.Host.Marketo.Options.CrmSync = true;
        sandbox.Host.BusinessCentral.ModifyCustomerInUi(customer.Id, c => c.PhoneNumber = "+1 555 0100");
        sandbox.Host.Journal.Clear();

        var results = await sandbox.RunAsync();

        var company = Assert.Single(results, r => r.TargetType == MarketoRecord.Company);
        Assert.Equal((customer.Number, SyncAction.Skipped, SyncReasons.CrmSyncEnabled), (company.SourceNumber, company.Action, company.Reason));
        // Companies no longer writable: the customer's leads carry its account figures from now on.
        Assert.Contains(results, r => r.TargetType == MarketoRecord.Lead && r.Action == SyncAction.Updated);
    }

    [Fact]
    public async Task Each_chunk_is_told_with_what_it_sends_and_why_it_skips()
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 3, o => o.Marketo.CrmSync = true);

        await sandbox.RunAsync();

        Assert.Contains("VERBOSE Planned 3 customer(s) read from Business Central: 0 to send, 0 unchanged, 3 skipped (3 CrmSyncEnabled).", sandbox.Log.Lines);
    }

    private sealed class Reports : IProgress<SyncProgress>
    {
        public List<SyncProgress> Seen { get; } = [];
        public void Report(SyncProgress value) { lock (Seen) Seen.Add(value); }
    }
}
