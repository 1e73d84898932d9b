using MlConnector.Engine.Audit;
using MlConnector.Engine.Mapping;
using MlConnector.Engine.State;
using MlConnector.Engine.Sync;
using MlConnector.Engine.Sync.BcToMarketo;

namespace MlConnector.Engine.Tests.Sync;

public sealed class CustomerSyncTests
{
    [Fact]
    public async Task Full_sync_leaves_one_company_per_customer_and_one_lead_per_distinct_valid_email()
    {
        await using var sandbox = await SyncSandbox.StartAsync();
        var results = await sandbox.RunAsync();
        var (companies, emails) = sandbox.Expected();

        var marketoCompanies = sandbox.Host.Marketo.Companies();
        Assert.Equal(companies.Order(), marketoCompanies.Select(c => c.ExternalCompanyId).Order());
        var marketoEmails = sandbox.Host.Marketo.Leads().Select(l => ExpectedLeads.Key(l.Fields["email"]!)).ToList();
        Assert.Equal(marketoEmails.Count, marketoEmails.Distinct().Count());
        Assert.Equal(emails.Order(), marketoEmails.Order());
        var persons = sandbox.Host.BusinessCentral.Store.Contacts.Count(c => c.Type == "Person");
        Assert.True(emails.Count < persons, "the seed must have unusable or duplicate emails for the expectation to exclude");
        Assert.DoesNotContain(results, r => r.Action == SyncAction.Failed);

        // The links the reverse flow reads: every company and lead written, by BC number and by Marketo id.
        var links = sandbox.State.Links;
        Assert.Equal(companies.Count, links.Count(LinkKind.Customer));
        Assert.Equal(results.Count(r => r.TargetType == MarketoRecord.Lead && r.Action == SyncAction.Created), links.Count(LinkKind.Contact));
        var company = marketoCompanies[0];
        var link = links.ByMarketoId(LinkKind.Customer, [company.Id]).Single().Value;
        var customer = sandbox.Host.BusinessCentral.Store.CustomerByNumber(company.ExternalCompanyId)!;
        Assert.Equal((customer.Number, customer.Id, company.ExternalCompanyId), (link.BcNumber, link.BcId!.Value, link.MarketoKey));
    }

    [Fact]
    public async Task Companies_carry_the_mapped_account_attributes_and_leads_link_to_them()
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 10);
        await sandbox.RunAsync();
        var store = sandbox.Host.BusinessCentral.Store;
        var person = store.Contacts.First(c => c.Type == "Person" && EmailRules.Problem(c.Email) is null
            && store.Contacts.Count(o => EmailRules.Normalize(o.Email) == EmailRules.Normalize(c.Email)) == 1
            && store.Customers.Any(cu => cu.CompanyContact?.Number == c.CompanyNumber));
        var customer = store.Customers.Single(cu => cu.CompanyContact?.Number == person.CompanyNumber);
        var financials = sandbox.Host.BusinessCentral.Financials(customer.Id);
        var company = sandbox.Host.Marketo.CompanyByExternalId(customer.Number)!;
        Assert.Equal(customer.DisplayName, company.Fields["company"]);
        Assert.Equal(financials.Balance, decimal.Parse(company.Fields["bcAccountBalance"]!, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(store.CurrencyCodeOf(customer), company.Fields["bcAccountCurrency"]);

        var lead = Assert.Single(sandbox.Host.Marketo.LeadsByEmail(person.Email));
        Assert.Equal(customer.Number, lead.Fields["externalCompanyId"]);
    }

    [Fact]
    public async Task A_second_run_and_a_second_path_make_no_marketo_write()
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 20);
        await sandbox.RunAsync();
        var writes = sandbox.MarketoWrites().Count;
        var leads = sandbox.Host.Marketo.LeadCount;

        var again = await sandbox.RunAsync();
        var numbers = sandbox.Host.BusinessCentral.Store.Customers.Select(c => c.Number).ToArray();
        var viaPipeline = await sandbox.RunAsync(new CustomerSyncRequest { CustomerNumbers = numbers });

        Assert.Equal(writes, sandbox.MarketoWrites().Count);
        Assert.Equal(leads, sandbox.Host.Marketo.LeadCount);
        var compared = viaPipeline.Where(r => r.Action != SyncAction.Skipped).ToList();
        Assert.Equal(numbers.Length, compared.Count(r => r.TargetType == "Company"));
        Assert.All(compared, r => Assert.Equal(SyncAction.Unchanged, r.Action));
        Assert.DoesNotContain(again, r => r.Action is SyncAction.Created or SyncAction.Updated);
    }

    [Fact]
    public async Task Resync_sends_every_mapped_record_once_and_a_following_plain_run_sends_nothing()
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 20);
        var first = await sandbox.RunAsync();
        var written = first.Where(r => r.Action == SyncAction.Created).Select(r => (r.TargetType, r.TargetKey)).ToHashSet();
        sandbox.Host.Journal.Clear();

        var resync = await sandbox.RunAsync(new CustomerSyncRequest { Resync = true });

        // Every record the first run wrote is written again, once; nothing else is, and nothing is unchanged.
        var sent = resync.Where(r => r.Action is SyncAction.Created or SyncAction.Updated).ToList();
        Assert.Equal(written.OrderBy(w => w.ToString()), sent.Select(r => (r.TargetType, r.TargetKey)).OrderBy(w => w.ToString()));
        Assert.DoesNotContain(resync, r => r.Action is SyncAction.Unchanged or SyncAction.Failed);
        var writes = sandbox.MarketoWrites();
        Assert.Equal(sent.Count(r => r.TargetType == MarketoRecord.Lead), writes.Where(w => w.Path.StartsWith("/rest/v1/leads.json", StringComparison.Ordinal)).Sum(w => w.RecordCount));
        Assert.Equal(sent.Count(r => r.TargetType == MarketoRecord.Company),
            writes.Where(w => w.Path.StartsWith("/rest/v1/companies.json", StringComparison.Ordinal) && w.RecordCount > 1).Sum(w => w.RecordCount));
        // A resync reads everything, so it also counts as the day's financial refresh.
        Assert.NotNull(sandbox.State.Checkpoints.Get(SyncCheckpoints.FinancialsRefreshed));
        sandbox.Host.Journal.Clear();

        var after = await sandbox.RunAsync();

        Assert.DoesNotContain(after, r => r.Action is SyncAction.Created or SyncAction.Updated);
        Assert.Empty(sandbox.MarketoWrites());
    }

    [Fact]
    public async Task A_change_inside_the_overlap_window_is_still_picked_up()
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 10);
        await sandbox.RunAsync();
        var customer = sandbox.Host.BusinessCentral.Store.Customers[2];
        sandbox.Host.BusinessCentral.ModifyCustomerInUi(customer.Id, c => c.PhoneNumber = "+1 555 0100");

        var results = await sandbox.RunAsync();

        var updated = Assert.Single(results, r => r.Action == SyncAction.Updated);
        Assert.Equal(customer.Number, updated.SourceNumber);
        Assert.Equal("+1 555 0100", sandbox.Host.Marketo.CompanyByExternalId(customer.Number)!.Fields["mainPhone"]);
    }

    // BC stamps lastModifiedDateTime at 1/300 s: a write landing in the tick of the version the last run read keeps
    // that stamp, and only its ETag tells it apart (a fast run between two edits, shared/api/business-central.md §4.1).
    [Fact]
    public async Task A_customer_written_again_in_the_tick_of_the_version_read_is_still_picked_up()
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 10);
        await sandbox.RunAsync();
        var bc = sandbox.Host.BusinessCentral;
        var customer = bc.Store.Customers[2];
        bc.ModifyCustomerInUi(customer.Id, c => c.PhoneNumber = "+1 555 0101");
        Assert.Equal(SyncAction.Updated, Assert.Single(await sandbox.RunAsync(), r => r.SourceNumber == customer.Number).Action);
        var stampRead = customer.LastModified;

        bc.ModifyCustomerInUi(customer.Id, c => c.PhoneNumber = "+1 555 0102");
        InTickOf(bc.Store, customer, stampRead);
        var results = await sandbox.RunAsync();

        Assert.Equal(SyncAction.Updated, Assert.Single(results, r => r.SourceNumber == customer.Number && r.TargetType == "Company").Action);
        Assert.Equal("+1 555 0102", sandbox.Host.Marketo.CompanyByExternalId(customer.Number)!.Fields["mainPhone"]);
    }

    [Fact]
    public async Task A_contact_written_again_in_the_tick_of_the_version_read_is_still_picked_up()
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 10);
        await sandbox.RunAsync();
        var bc = sandbox.Host.BusinessCentral;
        var person = sandbox.SolePersons()[0];
        var contact = bc.Store.Contact(person.Id)!;
        bc.ModifyContactInUi(person.Id, c => c.JobTitle = "Buyer");
        Assert.Equal(SyncAction.Updated, Assert.Single(await sandbox.RunAsync(), r => r.SourceNumber == person.Number).Action);
        var stampRead = contact.LastModified;

        bc.ModifyContactInUi(person.Id, c => c.JobTitle = "Head buyer");
        InTickOf(bc.Store, contact, stampRead);
        var results = await sandbox.RunAsync();

        Assert.Equal(SyncAction.Updated, Assert.Single(results, r => r.SourceNumber == person.Number).Action);
        Assert.Equal("Head buyer", sandbox.Lead(person.Email).Fields["title"]);
    }

    /// <summary>The write just made to <paramref name="record"/> (a new ETag) carries <paramref name="stamp"/>, as one in that tick would.</summary>
    private static void InTickOf<T>(MlConnector.Sandbox.BusinessCentral.BcDataStore store, T record, DateTimeOffset stamp)
        where T : MlConnector.Sandbox.BusinessCentral.BcRecord
    {
        lock (store.Gate) store.Modify(record, r => r.LastModified = stamp, stamp: false);
        Assert.Equal(stamp, record.LastModified);
    }

    [Fact]
    public async Task Every_skipped_record_has_its_reason_in_the_audit_log()
    {
        await using var sandbox = await SyncSandbox.StartAsync();
        var results = await BusinessCentral.BcSandbox.ToListAsync(sandbox.Sync(correlationId: "run-skips").RunAsync(new CustomerSyncRequest(), CancellationToken.None));
        var skipped = results.Where(r => r.Action == SyncAction.Skipped).ToList();
        Assert.NotEmpty(skipped);

        var audit = new AuditLogReader(sandbox.Audit.Folder).Read(new AuditQuery { CorrelationId = "run-skips", Actions = ["Skipped"] }).ToList();
        foreach (var result in skipped)
        {
            var line = Assert.Single(audit, a => a.SourceNumber == result.SourceNumber && a.SourceType == result.SourceType);
            Assert.False(string.IsNullOrEmpty(line.Reason));
        }
        Assert.Equal(results.Count, new AuditLogReader(sandbox.Audit.Folder).Read(new AuditQuery { CorrelationId = "run-skips" }).Count());
    }

    [Fact]
    public async Task Crm_sync_skips_company_writes_and_still_writes_leads_with_account_attributes()
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 10, o => o.Marketo.CrmSync = true);
        var results = await sandbox.RunAsync();

        var companyResults = results.Where(r => r.TargetType == "Company").ToList();
        Assert.Equal(sandbox.Host.BusinessCentral.Store.Customers.Count, companyResults.Count);
        Assert.All(companyResults, r =>
        {
            Assert.Equal(SyncAction.Skipped, r.Action);
            Assert.Equal(SyncReasons.CrmSyncEnabled, r.Reason);
        });
        Assert.Equal(0, sandbox.Host.Marketo.CompanyCount);
        var lead = sandbox.Host.Marketo.Leads().First(l => l.Fields.GetValueOrDefault("externalCompanyId") is { Length: > 0 });
        Assert.False(string.IsNullOrEmpty(lead.Fields["bcCurrencyCode"]));
        Assert.Contains(results, r => r.TargetType == "Lead" && r.Action == SyncAction.Created);
        Assert.DoesNotContain(results, r => r.Action == SyncAction.Failed);
    }

    [Fact]
    public async Task Every_run_probes_whether_companies_are_writable_so_switching_crm_sync_off_or_on_takes_effect_on_one_connection()
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 10, o => o.Marketo.CrmSync = true);
        var locked = await sandbox.RunAsync();
        Assert.All(locked.Where(r => r.TargetType == MarketoRecord.Company), r => Assert.Equal(SyncReasons.CrmSyncEnabled, r.Reason));
        Assert.Contains(sandbox.Log.Lines, l => l.StartsWith("WARNING " + MlConnector.Engine.Diagnostics.EngineWarnings.CrmSyncEnabled, StringComparison.Ordinal));

        // An admin switches CRM sync off; the next run of the same connection writes the company that changed.
        sandbox.Host.Marketo.Options.CrmSync = false;
        var first = sandbox.Host.BusinessCentral.Store.Customers[0];
        sandbox.Host.BusinessCentral.ModifyCustomerInUi(first.Id, c => c.City = "Unlocked City");
        var open = await sandbox.RunAsync();
        Assert.Equal(SyncAction.Created, Assert.Single(open, r => r.TargetType == MarketoRecord.Company).Action);
        Assert.Equal("Unlocked City", sandbox.Host.Marketo.CompanyByExternalId(first.Number)!.Fields["billingCity"]);

        // And back on: the next change is skipped again, not refused as a failure.
        sandbox.Host.Marketo.Options.CrmSync = true;
        var second = sandbox.Host.BusinessCentral.Store.Customers[1];
        sandbox.Host.BusinessCentral.ModifyCustomerInUi(second.Id, c => c.City = "Locked City");
        var lockedAgain = await sandbox.RunAsync();
        var skipped = Assert.Single(lockedAgain, r => r.TargetType == MarketoRecord.Company);
        Assert.Equal((second.Number, SyncAction.Skipped, SyncReasons.CrmSyncEnabled), (skipped.SourceNumber, skipped.Action, skipped.Reason));
        Assert.Equal(1, sandbox.Host.Marketo.CompanyCount);
    }

    [Fact]
    public async Task WhatIf_only_reads_and_reports_a_field_level_diff()
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 10);
        await sandbox.RunAsync();
        var customer = sandbox.Host.BusinessCentral.Store.Customers[0];
        sandbox.Host.BusinessCentral.ModifyCustomerInUi(customer.Id, c => c.City = "Zürich");
        var writes = sandbox.MarketoWrites().Count;

        var plan = await BusinessCentral.BcSandbox.ToListAsync(sandbox.Sync().PlanAsync(new CustomerSyncRequest(), CancellationToken.None));

        Assert.Equal(writes, sandbox.MarketoWrites().Count);
        var row = Assert.Single(plan, p => p.SourceNumber == customer.Number && p.TargetType == "Company");
        Assert.Equal(PlannedAction.Update, row.Action);
        var change = Assert.Single(row.GetFieldChanges());
        Assert.Equal("billingCity", change.Field);
        Assert.Equal("Zürich", change.Planned);
        Assert.NotEqual("Zürich", change.Current);
    }

    [Fact]
    public async Task Posting_changes_reach_marketo_only_through_the_financial_refresh()
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 10);
        await sandbox.RunAsync();
        var customer = sandbox.Host.BusinessCentral.Store.Customers[1];
        sandbox.Host.BusinessCentral.PostSalesInvoice(customer.Id, 1000m);

        var incremental = await sandbox.RunAsync();
        Assert.DoesNotContain(incremental, r => r.SourceNumber == customer.Number && r.Action == SyncAction.Updated);

        var refresh = await sandbox.RunAsync(new CustomerSyncRequest { RefreshFinancials = true });
        var updated = Assert.Single(refresh, r => r.Action == SyncAction.Updated);
        Assert.Equal(customer.Number, updated.SourceNumber);
        var balance = sandbox.Host.BusinessCentral.Financials(customer.Id).Balance;
        Assert.Equal(balance, decimal.Parse(sandbox.Host.Marketo.CompanyByExternalId(customer.Number)!.Fields["bcAccountBalance"]!, System.Globalization.CultureInfo.InvariantCulture));
    }
}
