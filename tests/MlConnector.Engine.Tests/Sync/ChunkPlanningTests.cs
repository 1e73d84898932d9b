using MlConnector.Engine.Mapping;
using MlConnector.Engine.Sync;
using MlConnector.Engine.Sync.BcToMarketo;
using MlConnector.Engine.Tests.BusinessCentral;
using MlConnector.Sandbox.Core;

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

    [Fact]
    public async Task Under_crm_sync_a_changed_contact_whose_customer_did_not_change_carries_the_customers_account_figures()
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 5);
        await sandbox.RunAsync();
        sandbox.Host.Clock.Advance(TimeSpan.FromHours(1));
        sandbox.Host.Marketo.Options.CrmSync = true;
        var person = sandbox.SolePersons()[0];
        sandbox.Host.BusinessCentral.ModifyContactInUi(person.Id, c => c.JobTitle = "Buyer");

        await sandbox.RunAsync();

        // The customer was not read among the changed ones: its figures come from the read of the contact's customers.
        Assert.False(string.IsNullOrEmpty(sandbox.Lead(person.Email).Fields.GetValueOrDefault("bcBalance")));
    }

    [Fact]
    public async Task Crm_sync_found_on_before_the_first_lead_is_written_plans_the_lead_again_with_its_customers_account_figures()
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 5);
        // One sync object: describe is read once, so in the second run it still says companies are writable.
        var sync = sandbox.Sync();
        await BcSandbox.ToListAsync(sync.RunAsync(new CustomerSyncRequest(), CancellationToken.None));
        sandbox.Host.Clock.Advance(TimeSpan.FromHours(1));
        sandbox.Host.Marketo.Options.CrmSync = true;
        var person = sandbox.SolePersons()[0];
        sandbox.Host.BusinessCentral.ModifyContactInUi(person.Id, c => c.JobTitle = "Buyer");

        await BcSandbox.ToListAsync(sync.RunAsync(new CustomerSyncRequest(), CancellationToken.None));

        Assert.False(string.IsNullOrEmpty(sandbox.Lead(person.Email).Fields.GetValueOrDefault("bcBalance")));
    }

    [Fact]
    public async Task Under_crm_sync_the_customers_read_as_changed_are_not_read_again_for_their_contacts()
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 5, o => o.Marketo.CrmSync = true);
        await sandbox.RunAsync();
        sandbox.Host.Clock.Advance(TimeSpan.FromHours(1));
        var person = sandbox.SolePersons()[0];
        var customer = sandbox.Host.BusinessCentral.Store.Customers.Single(c => c.CompanyContact?.Number == person.CompanyNumber);
        sandbox.Host.BusinessCentral.PostPayment(customer.Id, 10m);
        sandbox.Host.BusinessCentral.ModifyCustomerInUi(customer.Id, c => c.PhoneNumber = "+1 555 0100");
        sandbox.Host.Journal.Clear();

        var results = await sandbox.RunAsync();

        Assert.Contains(results, r => r.TargetType == MarketoRecord.Lead && r.SourceNumber == person.Number && r.Action == SyncAction.Updated);
        // One read of customers with their figures (the changed ones); the contacts' customers are looked up by number only.
        Assert.Single(sandbox.Host.Journal.For(SandboxService.BusinessCentral), e => e.Path.Contains("/customers?", StringComparison.Ordinal)
            && e.Path.Contains("customerFinancialDetail", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_financial_refresh_of_named_customers_compares_the_leads_of_an_unchanged_customer_when_leads_always_carry_account_figures()
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 5);
        var always = MappingLoader.FromUserJson("""{ "leadAccount": { "when": "Always" } }""");
        await sandbox.RunAsync(mapping: always);
        var person = sandbox.SolePersons()[0];
        var customer = sandbox.Host.BusinessCentral.Store.Customers.Single(c => c.CompanyContact?.Number == person.CompanyNumber);

        var results = await sandbox.RunAsync(new CustomerSyncRequest { CustomerNumbers = [customer.Number], RefreshFinancials = true }, mapping: always);

        Assert.Contains(results, r => r.TargetType == MarketoRecord.Lead && r.SourceNumber == person.Number);
    }

    private sealed class Reports : IProgress<SyncProgress>
    {
        public List<SyncProgress> Seen { get; } = [];
        public void Report(SyncProgress value) { lock (Seen) Seen.Add(value); }
    }
}
