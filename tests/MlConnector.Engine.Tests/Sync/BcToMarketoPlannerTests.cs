using MlConnector.Engine.Mapping;
using MlConnector.Engine.Sync;

namespace MlConnector.Engine.Tests.Sync;

/// <summary>
/// How the BC → Marketo planner finds the lead a Privacy Blocked contact owns (its link before its email now), leaves
/// alone a lead another contact claims in the run, and what its Skipped results say about their source.
/// </summary>
public sealed class BcToMarketoPlannerTests
{
    [Fact]
    public async Task A_contact_that_changes_its_email_as_it_becomes_privacy_blocked_has_the_lead_of_its_old_email_unsubscribed()
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 10);
        await sandbox.RunAsync();
        var contact = sandbox.SolePersons()[0];
        var leadId = sandbox.Lead(contact.Email).Id;
        sandbox.Host.BusinessCentral.ModifyContactInUi(contact.Id, c => { c.Email = "moved.on@example.com"; c.PrivacyBlocked = true; });

        var results = await sandbox.RunAsync();

        var acted = Assert.Single(results, r => r.SourceNumber == contact.Number);
        Assert.Equal((SyncAction.Updated, SyncReasons.PrivacyBlocked, leadId), (acted.Action, acted.Reason, acted.MarketoId));
        Assert.Equal("true", sandbox.Host.Marketo.Lead(leadId)!.Fields["unsubscribed"], ignoreCase: true);
        Assert.Empty(sandbox.Host.Marketo.LeadsByEmail("moved.on@example.com"));
    }

    [Fact]
    public async Task The_lead_of_a_privacy_blocked_contact_is_left_alone_when_a_lower_numbered_contact_takes_its_email_in_the_run()
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 10);
        await sandbox.RunAsync();
        var persons = sandbox.SolePersons().OrderBy(c => c.Number, StringComparer.Ordinal).ToList();
        var (taker, blocked) = (persons[0], persons[^1]);
        var email = blocked.Email;
        sandbox.Host.BusinessCentral.ModifyContactInUi(blocked.Id, c => c.PrivacyBlocked = true);
        sandbox.Host.BusinessCentral.ModifyContactInUi(taker.Id, c => c.Email = email);

        var results = await sandbox.RunAsync();

        var skipped = Assert.Single(results, r => r.SourceNumber == blocked.Number);
        Assert.Equal((SyncAction.Skipped, SyncReasons.PrivacyBlocked), (skipped.Action, skipped.Reason));
        Assert.Equal(SyncAction.Updated, Assert.Single(results, r => r.SourceNumber == taker.Number).Action);
        Assert.NotEqual("true", sandbox.Lead(email).Fields.GetValueOrDefault("unsubscribed"), StringComparer.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Skipped_customers_and_contacts_name_their_source_type_and_a_blank_email_is_no_target_key()
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 10);
        var bc = sandbox.Host.BusinessCentral;
        var customer = bc.Store.Customers[0];
        bc.ModifyCustomerInUi(customer.Id, c => c.Blocked = "All");
        var (blank, blocked) = (sandbox.SolePersons()[0], sandbox.SolePersons()[1]);
        bc.ModifyContactInUi(blank.Id, c => c.Email = "   ");
        bc.ModifyContactInUi(blocked.Id, c => c.PrivacyBlocked = true);

        var results = await sandbox.RunAsync();

        var company = Assert.Single(results, r => r.SourceNumber == customer.Number && r.TargetType == MarketoRecord.Company);
        Assert.Equal(("Customer", SyncAction.Skipped, SyncReasons.CustomerBlocked), (company.SourceType, company.Action, company.Reason));
        var noEmail = Assert.Single(results, r => r.SourceNumber == blank.Number);
        Assert.Equal(("Contact", SyncAction.Skipped, (string?)null), (noEmail.SourceType, noEmail.Action, noEmail.TargetKey));
        var privacy = Assert.Single(results, r => r.SourceNumber == blocked.Number);
        Assert.Equal(("Contact", SyncAction.Skipped, SyncReasons.PrivacyBlocked), (privacy.SourceType, privacy.Action, privacy.Reason));
    }
}
