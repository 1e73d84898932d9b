using MlConnector.Engine.Mapping;
using MlConnector.Engine.Sync;
using MlConnector.Engine.Sync.BcToMarketo;

namespace MlConnector.Engine.Tests.Sync;

/// <summary>
/// Issue 11: a Privacy Blocked contact is never sent; a lead synced before its contact became Privacy Blocked is
/// acted on by the mapping's whenPrivacyBlocked (Unsubscribe or DeleteLead), audited and shown in -WhatIf; customers
/// blocked for all transactions are skipped unless the mapping sends them.
/// </summary>
public sealed class PrivacyTests
{
    [Fact]
    public async Task A_privacy_blocked_contact_is_never_sent_and_its_skip_is_audited()
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 10);
        var contact = sandbox.SolePersons()[0];
        sandbox.Host.BusinessCentral.ModifyContactInUi(contact.Id, c => c.PrivacyBlocked = true);

        var results = await sandbox.RunAsync();

        var skipped = Assert.Single(results, r => r.SourceNumber == contact.Number);
        Assert.Equal((SyncAction.Skipped, SyncReasons.PrivacyBlocked), (skipped.Action, skipped.Reason));
        Assert.Empty(sandbox.Host.Marketo.LeadsByEmail(contact.Email));
        var line = Assert.Single(sandbox.Audited(contact.Number));
        Assert.Equal(("Skipped", SyncReasons.PrivacyBlocked), (line.Action, line.Reason));
        // And never later either, however often it changes.
        sandbox.Host.BusinessCentral.ModifyContactInUi(contact.Id, c => c.JobTitle = "Changed");
        Assert.Equal(SyncReasons.PrivacyBlocked, Assert.Single(await sandbox.RunAsync(), r => r.SourceNumber == contact.Number).Reason);
        Assert.Empty(sandbox.Host.Marketo.LeadsByEmail(contact.Email));
    }

    [Fact]
    public async Task A_lead_whose_contact_becomes_privacy_blocked_is_unsubscribed_and_cleared_once_shown_in_WhatIf_and_audited()
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 10);
        await sandbox.RunAsync();
        var contact = sandbox.SolePersons()[0];
        var before = sandbox.Lead(contact.Email);
        Assert.False(string.IsNullOrEmpty(before.Fields["lastName"]));
        sandbox.Host.BusinessCentral.ModifyContactInUi(contact.Id, c => c.PrivacyBlocked = true);

        var plan = Assert.Single(await sandbox.PlanAsync(), p => p.SourceNumber == contact.Number);
        Assert.Equal((PlannedAction.Update, SyncReasons.PrivacyBlocked), (plan.Action, plan.Reason));
        Assert.Contains(plan.GetFieldChanges(), c => c.Field == "unsubscribed" && c.Planned == "true");
        Assert.Contains(plan.GetFieldChanges(), c => c.Field == "lastName" && c.Current == before.Fields["lastName"] && c.Planned is null);
        Assert.Contains("lastName: " + before.Fields["lastName"] + " -> (empty)", plan.Changes, StringComparison.Ordinal);

        var results = await sandbox.RunAsync();

        var acted = Assert.Single(results, r => r.SourceNumber == contact.Number);
        Assert.Equal((SyncAction.Updated, SyncReasons.PrivacyBlocked), (acted.Action, acted.Reason));
        var lead = sandbox.Lead(contact.Email);
        Assert.Equal(before.Id, lead.Id);
        Assert.Equal("true", lead.Fields["unsubscribed"], ignoreCase: true);
        foreach (var field in MappingLoader.Default().Lead.Fields.Select(f => f.Target).Where(f => f != "email"))
            Assert.True(string.IsNullOrEmpty(lead.Fields.GetValueOrDefault(field)), $"{field} still holds a value");
        Assert.Equal(("Updated", SyncReasons.PrivacyBlocked), (sandbox.Audited(contact.Number)[^1].Action, sandbox.Audited(contact.Number)[^1].Reason));

        // Acted on once: the next change of the contact sends nothing.
        sandbox.Host.Journal.Clear();
        sandbox.Host.BusinessCentral.ModifyContactInUi(contact.Id, c => c.JobTitle = "Changed");
        var again = Assert.Single(await sandbox.RunAsync(), r => r.SourceNumber == contact.Number);
        Assert.Equal((SyncAction.Skipped, SyncReasons.PrivacyBlocked), (again.Action, again.Reason));
        Assert.Empty(sandbox.MarketoWrites());
    }

    [Fact]
    public async Task With_whenPrivacyBlocked_DeleteLead_the_lead_is_deleted_shown_as_Delete_in_WhatIf()
    {
        var mapping = MappingLoader.FromUserJson("""{ "lead": { "whenPrivacyBlocked": "DeleteLead" } }""");
        await using var sandbox = await SyncSandbox.StartAsync(customers: 10);
        await sandbox.RunAsync(mapping: mapping);
        var contact = sandbox.SolePersons()[0];
        var leadId = sandbox.Lead(contact.Email).Id;
        sandbox.Host.BusinessCentral.ModifyContactInUi(contact.Id, c => c.PrivacyBlocked = true);

        var plan = Assert.Single(await sandbox.PlanAsync(mapping: mapping), p => p.SourceNumber == contact.Number);
        Assert.Equal((PlannedAction.Delete, SyncReasons.PrivacyBlocked, leadId), (plan.Action, plan.Reason, plan.MarketoId));

        var results = await sandbox.RunAsync(mapping: mapping);

        var deleted = Assert.Single(results, r => r.SourceNumber == contact.Number);
        Assert.Equal((SyncAction.Deleted, SyncReasons.PrivacyBlocked, leadId), (deleted.Action, deleted.Reason, deleted.MarketoId));
        Assert.Empty(sandbox.Host.Marketo.LeadsByEmail(contact.Email));
        Assert.Contains(sandbox.Host.Journal.For(MlConnector.Sandbox.Core.SandboxService.Marketo), e => e.Path.StartsWith("/rest/v1/leads/delete.json", StringComparison.Ordinal));
        Assert.Equal("Deleted", sandbox.Audited(contact.Number)[^1].Action);

        // Deleted once; the next change of the contact deletes nothing more and creates nothing.
        sandbox.Host.BusinessCentral.ModifyContactInUi(contact.Id, c => c.JobTitle = "Changed");
        Assert.Equal(SyncAction.Skipped, Assert.Single(await sandbox.RunAsync(mapping: mapping), r => r.SourceNumber == contact.Number).Action);
        Assert.Empty(sandbox.Host.Marketo.LeadsByEmail(contact.Email));
    }

    [Fact]
    public async Task Customers_blocked_for_all_transactions_are_skipped_unless_the_mapping_sends_them()
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 10);
        var bc = sandbox.Host.BusinessCentral;
        var customer = bc.Store.Customers[0];
        bc.ModifyCustomerInUi(customer.Id, c => c.Blocked = "All");

        var results = await sandbox.RunAsync();

        var skipped = Assert.Single(results, r => r.SourceNumber == customer.Number && r.TargetType == MarketoRecord.Company);
        Assert.Equal((SyncAction.Skipped, SyncReasons.CustomerBlocked), (skipped.Action, skipped.Reason));
        Assert.Null(sandbox.Host.Marketo.CompanyByExternalId(customer.Number));
        Assert.Equal(SyncReasons.CustomerBlocked, Assert.Single(sandbox.Audited(customer.Number), l => l.TargetType == MarketoRecord.Company).Reason);

        var send = MappingLoader.FromUserJson("""{ "company": { "whenBlocked": "Send" } }""");
        var sent = await sandbox.RunAsync(new CustomerSyncRequest { CustomerNumbers = [customer.Number] }, send);
        Assert.Equal(SyncAction.Created, Assert.Single(sent, r => r.TargetType == MarketoRecord.Company).Action);
        Assert.NotNull(sandbox.Host.Marketo.CompanyByExternalId(customer.Number));
    }
}
