using MlConnector.Engine.Diagnostics;
using MlConnector.Engine.Mapping;
using MlConnector.Engine.Sync;
using MlConnector.Engine.Sync.BcToMarketo;
using MlConnector.Engine.Tests.BusinessCentral;
using MlConnector.Sandbox.Core;

namespace MlConnector.Engine.Tests.Sync;

/// <summary>
/// What a run establishes about Marketo before writing: whether companies are writable (probed at most once per run
/// unless the connection's last answer may be stale), the mapping checked against the fields that will be written,
/// and saying so.
/// </summary>
public sealed class MarketoScopeTests
{
    private const string ReadOnlyCompanies = "Marketo Companies are read-only on this instance (CRM sync): company writes are reported as Skipped (CrmSyncEnabled); leads are still written.";

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_run_warns_that_companies_are_read_only_only_when_crm_sync_is_on(bool crmSync)
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 3, o => o.Marketo.CrmSync = crmSync);

        await sandbox.RunAsync();

        Assert.Equal(crmSync ? 1 : 0, ReadOnlyWarnings(sandbox));
    }

    [Fact]
    public async Task A_connection_that_saw_companies_writable_probes_once_before_the_runs_first_write()
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 5);
        await sandbox.RunAsync();
        sandbox.Host.Clock.Advance(TimeSpan.FromHours(1));
        foreach (var person in sandbox.SolePersons().Take(2)) sandbox.Host.BusinessCentral.ModifyContactInUi(person.Id, c => c.JobTitle = "Buyer");
        sandbox.Host.Journal.Clear();

        var results = await sandbox.RunAsync(chunkSize: 1);

        Assert.Equal(2, results.Count(r => r.TargetType == MarketoRecord.Lead && r.Action == SyncAction.Updated));
        // Two chunks with a lead to send, no company: the one companies call is the probe.
        Assert.Single(CompanyPosts(sandbox));
    }

    [Fact]
    public async Task A_new_connection_probes_when_the_run_opens_and_not_again_before_writing()
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 5);
        await sandbox.RunAsync();
        sandbox.Host.Clock.Advance(TimeSpan.FromHours(1));
        foreach (var person in sandbox.SolePersons().Take(2)) sandbox.Host.BusinessCentral.ModifyContactInUi(person.Id, c => c.JobTitle = "Buyer");
        using var marketo = await sandbox.ConnectMarketoAsync();
        sandbox.Host.Journal.Clear();

        var results = await BcSandbox.ToListAsync(sandbox.Sync(marketo: marketo, chunkSize: 1).RunAsync(new CustomerSyncRequest(), CancellationToken.None));

        Assert.Equal(2, results.Count(r => r.TargetType == MarketoRecord.Lead && r.Action == SyncAction.Updated));
        Assert.Single(CompanyPosts(sandbox));
    }

    [Fact]
    public async Task Crm_sync_switched_on_after_describe_was_read_is_found_by_the_probe_before_any_company_is_sent()
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 5);
        // One sync object: describe is read once, so in the second run it still says companies are writable.
        var sync = sandbox.Sync(chunkSize: 1);
        await BcSandbox.ToListAsync(sync.RunAsync(new CustomerSyncRequest(), CancellationToken.None));
        sandbox.Host.Clock.Advance(TimeSpan.FromHours(1));
        sandbox.Host.Marketo.Options.CrmSync = true;
        var persons = sandbox.SolePersons().DistinctBy(p => p.CompanyNumber).Take(2).ToArray();
        var changed = persons.Select(p => sandbox.Host.BusinessCentral.Store.Customers.Single(c => c.CompanyContact?.Number == p.CompanyNumber)).ToArray();
        foreach (var customer in changed) sandbox.Host.BusinessCentral.ModifyCustomerInUi(customer.Id, c => c.PhoneNumber = "+1 555 0100");
        sandbox.Host.Journal.Clear();

        var results = await BcSandbox.ToListAsync(sync.RunAsync(new CustomerSyncRequest(), CancellationToken.None));

        var companies = results.Where(r => r.TargetType == MarketoRecord.Company).OrderBy(r => r.SourceNumber).ToArray();
        Assert.Equal(changed.Select(c => (c.Number, SyncAction.Skipped, (string?)SyncReasons.CrmSyncEnabled)).OrderBy(c => c.Number),
            companies.Select(r => (r.SourceNumber, r.Action, r.Reason)));
        // Neither company was sent: the one companies call is the probe, and the answer held for the second chunk.
        Assert.Single(CompanyPosts(sandbox));
        Assert.Equal(1, ReadOnlyWarnings(sandbox));
        // Companies read-only: the changed customers' leads carry their account figures from now on (the first chunk's too).
        Assert.All(persons, p => Assert.Contains(results, r => r.TargetType == MarketoRecord.Lead && r.SourceNumber == p.Number && r.Action == SyncAction.Updated));
    }

    [Fact]
    public async Task Company_fields_described_read_only_are_probed_once_and_that_answer_holds_for_the_run()
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 5);
        await sandbox.RunAsync();
        sandbox.Host.Clock.Advance(TimeSpan.FromHours(1));
        sandbox.Host.Marketo.Options.CrmSync = true;
        foreach (var customer in sandbox.Host.BusinessCentral.Store.Customers.Where(c => c.Blocked != "All").Take(2))
            sandbox.Host.BusinessCentral.ModifyCustomerInUi(customer.Id, c => c.PhoneNumber = "+1 555 0100");
        sandbox.Host.Journal.Clear();

        var results = await sandbox.RunAsync(chunkSize: 1);

        Assert.Equal(2, results.Count(r => r.TargetType == MarketoRecord.Company && r.Reason == SyncReasons.CrmSyncEnabled));
        Assert.Single(CompanyPosts(sandbox));
    }

    [Fact]
    public async Task A_company_field_described_read_only_stops_the_run_when_the_probe_finds_companies_writable()
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 3);
        await sandbox.RunAsync();
        var customer = sandbox.Host.BusinessCentral.Store.Customers.First(c => c.Blocked != "All");
        sandbox.Host.BusinessCentral.ModifyCustomerInUi(customer.Id, c => c.PhoneNumber = "+1 555 0100");
        var mapping = MappingLoader.FromUserJson("""{ "company": { "fields": { "createdAt": "City" } } }""");

        var error = await Assert.ThrowsAsync<MappingException>(() => sandbox.RunAsync(mapping: mapping));

        Assert.Equal(("MappingTargetFieldReadOnly", "createdAt"), (error.ErrorId, error.Field));
    }

    [Fact]
    public async Task A_lead_field_marketo_lacks_stops_the_run_before_bc_is_read_though_crm_sync_left_only_lead_fields_to_check()
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 3, o => o.Marketo.CrmSync = true);
        var mapping = MappingLoader.FromUserJson("""{ "lead": { "fields": { "leadNoSuchField": "JobTitle" } } }""");
        sandbox.Host.Journal.Clear();

        var error = await Assert.ThrowsAsync<MappingException>(() => sandbox.RunAsync(mapping: mapping));

        Assert.Equal(("MappingTargetFieldUnknown", "leadNoSuchField"), (error.ErrorId, error.Field));
        Assert.Empty(sandbox.Host.Journal.For(SandboxService.BusinessCentral));
    }

    [Fact]
    public async Task A_connection_that_saw_companies_read_only_does_not_describe_companies()
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 3, o => o.Marketo.CrmSync = true);
        await sandbox.RunAsync();
        sandbox.Host.Clock.Advance(TimeSpan.FromHours(1));
        var customer = sandbox.Host.BusinessCentral.Store.Customers.First(c => c.Blocked != "All");
        sandbox.Host.BusinessCentral.ModifyCustomerInUi(customer.Id, c => c.PhoneNumber = "+1 555 0100");
        sandbox.Host.Journal.Clear();

        var results = await sandbox.RunAsync();

        Assert.Contains(results, r => r.SourceNumber == customer.Number && r.Reason == SyncReasons.CrmSyncEnabled);
        Assert.Single(CompanyPosts(sandbox));
        Assert.DoesNotContain(sandbox.Host.Journal.For(SandboxService.Marketo), e => e.Path.StartsWith("/rest/v1/companies/describe.json", StringComparison.Ordinal));
    }

    private static int ReadOnlyWarnings(SyncSandbox sandbox) => sandbox.Log.Lines.Count(l =>
        l.StartsWith("WARNING " + EngineWarnings.CrmSyncEnabled, StringComparison.Ordinal) && l.EndsWith(ReadOnlyCompanies, StringComparison.Ordinal));

    private static IEnumerable<JournalEntry> CompanyPosts(SyncSandbox sandbox)
        => sandbox.MarketoWrites().Where(e => e.Path.StartsWith("/rest/v1/companies.json", StringComparison.Ordinal));
}
