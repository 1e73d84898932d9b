using MlConnector.Engine.Mapping;
using MlConnector.Engine.Sync;
using MlConnector.Engine.Sync.BcToMarketo;

namespace MlConnector.Engine.Tests.Sync;

/// <summary>
/// Issue 11: -WhatIf diffs against what Marketo holds now, read in batches, including records the content hashes call
/// unchanged: a marketer's edit shows, and a record Marketo lacks shows Create. A run on named customers does what the
/// plan said; an incremental plan says it leaves such a record (Unchanged, MarketoDiffers) because the run does.
/// </summary>
public sealed class WhatIfTruthTests
{
    [Fact]
    public async Task A_marketing_edit_of_a_mapped_field_shows_as_Update_and_the_named_run_restores_BCs_value()
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 10);
        var (contact, customer) = await SyncedContactAsync(sandbox);
        var lead = sandbox.Lead(contact.Email);
        sandbox.Host.Marketo.MarketingEdit(lead.Id, new Dictionary<string, string?> { ["title"] = "Chief Edited Officer" });
        var writes = sandbox.MarketoWrites().Count;
        int Reads() => sandbox.Host.Journal.For(MlConnector.Sandbox.Core.SandboxService.Marketo)
            .Count(e => e.Method == "GET" && (e.Path.StartsWith("/rest/v1/leads.json", StringComparison.Ordinal) || e.Path.StartsWith("/rest/v1/companies.json", StringComparison.Ordinal)));
        var reads = Reads();

        var plan = await sandbox.PlanAsync(new CustomerSyncRequest { CustomerNumbers = [customer.Number] });

        var row = Assert.Single(plan, p => p.SourceNumber == contact.Number);
        Assert.Equal(PlannedAction.Update, row.Action);
        var change = Assert.Single(row.GetFieldChanges());
        Assert.Equal(("title", "Chief Edited Officer", contact.JobTitle), (change.Field, change.Current, change.Planned));
        Assert.Equal($"title: Chief Edited Officer -> {contact.JobTitle}", row.Changes);
        Assert.Equal(PlannedAction.Unchanged, Assert.Single(plan, p => p.TargetType == MarketoRecord.Company).Action);
        Assert.Equal(writes, sandbox.MarketoWrites().Count);
        // Read in batches: one call per object type for the customer and all its contacts.
        Assert.Equal(reads + 2, Reads());

        var results = await sandbox.RunAsync(new CustomerSyncRequest { CustomerNumbers = [customer.Number] });

        Assert.Equal(SyncAction.Updated, Assert.Single(results, r => r.SourceNumber == contact.Number).Action);
        Assert.Equal(contact.JobTitle, sandbox.Lead(contact.Email).Fields["title"]);
        Assert.DoesNotContain(results, r => r.SourceNumber != contact.Number && r.Action is SyncAction.Updated or SyncAction.Created);
        Assert.All(await sandbox.PlanAsync(new CustomerSyncRequest { CustomerNumbers = [customer.Number] }),
            p => Assert.True(p.Action is PlannedAction.Unchanged or PlannedAction.Skip, $"{p.SourceNumber} {p.Action}"));
    }

    [Fact]
    public async Task A_record_missing_from_Marketo_shows_as_Create_and_the_named_run_creates_it()
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 10);
        var (contact, customer) = await SyncedContactAsync(sandbox);
        await sandbox.Marketo.DeleteLeadsAsync([sandbox.Lead(contact.Email).Id], CancellationToken.None);

        var row = Assert.Single(await sandbox.PlanAsync(new CustomerSyncRequest { CustomerNumbers = [customer.Number] }), p => p.SourceNumber == contact.Number);

        Assert.Equal(PlannedAction.Create, row.Action);
        Assert.Contains(row.GetFieldChanges(), c => c.Field == "email" && c.Current is null);
        var results = await sandbox.RunAsync(new CustomerSyncRequest { CustomerNumbers = [customer.Number] });
        Assert.Equal(SyncAction.Created, Assert.Single(results, r => r.SourceNumber == contact.Number).Action);
        Assert.Equal(contact.Number, sandbox.Lead(contact.Email).Fields["bcContactNumber"]);
    }

    [Fact]
    public async Task An_incremental_plan_shows_a_marketing_edit_as_Unchanged_with_MarketoDiffers_as_the_run_leaves_it()
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 10);
        var (contact, _) = await SyncedContactAsync(sandbox);
        var lead = sandbox.Lead(contact.Email);
        sandbox.Host.Marketo.MarketingEdit(lead.Id, new Dictionary<string, string?> { ["title"] = "Chief Edited Officer" });
        // A BC change the mapping does not carry: the contact is read again, and its mapped values are unchanged.
        sandbox.Host.BusinessCentral.ModifyContactInUi(contact.Id, c => c.Website = "https://example.org/changed");

        var row = Assert.Single(await sandbox.PlanAsync(), p => p.SourceNumber == contact.Number);

        Assert.Equal((PlannedAction.Unchanged, SyncReasons.MarketoDiffers), (row.Action, row.Reason));
        Assert.Equal($"title: Chief Edited Officer -> {contact.JobTitle}", row.Changes);
        Assert.Equal(SyncAction.Unchanged, Assert.Single(await sandbox.RunAsync(), r => r.SourceNumber == contact.Number).Action);
        Assert.Equal("Chief Edited Officer", sandbox.Lead(contact.Email).Fields["title"]);
    }

    /// <summary>A first full sync, then a contact of its own lead with a job title, and its customer.</summary>
    private static async Task<(MlConnector.Sandbox.BusinessCentral.BcContact Contact, MlConnector.Sandbox.BusinessCentral.BcCustomer Customer)> SyncedContactAsync(SyncSandbox sandbox)
    {
        await sandbox.RunAsync();
        var contact = sandbox.SolePersons().First(c => c.JobTitle.Length > 0);
        return (contact, sandbox.Host.BusinessCentral.Store.Customers.Single(c => c.CompanyContact?.Number == contact.CompanyNumber));
    }
}
