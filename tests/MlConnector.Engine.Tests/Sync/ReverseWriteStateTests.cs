using MlConnector.Engine.Diagnostics;
using MlConnector.Engine.Mapping;
using MlConnector.Engine.State;
using MlConnector.Engine.Sync;
using MlConnector.Engine.Sync.MarketoToBc;
using MlConnector.Engine.Tests.BusinessCentral;
using MlConnector.Sandbox.Core;
using static MlConnector.Engine.Tests.Sync.ReverseSandbox;

namespace MlConnector.Engine.Tests.Sync;

/// <summary>What a reverse write leaves behind: links, reverse record states, the forward echo state, results, and write-back warnings.</summary>
public sealed class ReverseWriteStateTests
{
    [Fact]
    public async Task A_new_company_lead_leaves_both_links_and_both_reverse_states_in_two_batch_calls()
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 4);
        var bc = sandbox.Host.BusinessCentral.Store;
        var since = sandbox.Host.Clock.GetUtcNow().AddMinutes(-1);
        var leadId = sandbox.MarketingLead("ada.quill@state-test.example", "State Traders Test", ("city", "Seattle"));
        var context = sandbox.Context();
        var sync = sandbox.LeadSync(context);

        var results = await BcSandbox.ToListAsync(sync.RunAsync(sandbox.Receiver(context).ReceiveAsync(Request(since), CancellationToken.None), CancellationToken.None));

        var customer = Assert.Single(bc.Customers, c => c.DisplayName == "State Traders Test");
        var person = Assert.Single(bc.Contacts, c => c.Email == "ada.quill@state-test.example" && c.Type == "Person");
        var company = sandbox.Host.Marketo.CompanyByExternalId(customer.Number)!;
        var customerLink = sandbox.State.Links.ByBcNumber(LinkKind.Customer, [customer.Number])[customer.Number];
        Assert.Equal((customer.Id, company.Id, customer.Number), (customerLink.BcId, customerLink.MarketoId, customerLink.MarketoKey));
        var contactLink = sandbox.State.Links.ByBcNumber(LinkKind.Contact, [person.Number])[person.Number];
        Assert.Equal((person.Id, leadId, "ada.quill@state-test.example"), (contactLink.BcId, contactLink.MarketoId, contactLink.MarketoKey));
        var lead = leadId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var states = sandbox.State.Records(SyncDirection.MarketoToBc).Get([LeadPlanner.CustomerKey(customer.Number), LeadPlanner.ContactKey(person.Number)]);
        Assert.Equal((lead, customer.Id.ToString("D")), (states[LeadPlanner.CustomerKey(customer.Number)].SourceNumber, states[LeadPlanner.CustomerKey(customer.Number)].TargetId));
        Assert.Equal((lead, person.Id.ToString("D")), (states[LeadPlanner.ContactKey(person.Number)].SourceNumber, states[LeadPlanner.ContactKey(person.Number)].TargetId));
        var customerResult = Assert.Single(results, r => r.TargetType == LeadResults.Customer);
        Assert.Equal(["city", "displayName", "email"], customerResult.ChangedFields.Order());
        Assert.Equal(2, sync.BcWriteCalls); // the customer, then the contact under its new company contact
        Assert.DoesNotContain(sandbox.Log.Lines, l => l.Contains("stale ETag", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_lead_under_an_existing_customer_keeps_the_contact_state_and_no_customer_state()
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 4);
        var customer = sandbox.Host.BusinessCentral.Store.Customers[2];
        var since = sandbox.Host.Clock.GetUtcNow().AddMinutes(-1);
        sandbox.MarketingLead("new.buyer@state-test.example", customer.DisplayName, ("externalCompanyId", customer.Number));

        await sandbox.RunReverseAsync(Request(since));

        var person = Assert.Single(sandbox.Host.BusinessCentral.Store.Contacts, c => c.Email == "new.buyer@state-test.example");
        Assert.Equal(person.Id, sandbox.State.Links.ByBcNumber(LinkKind.Contact, [person.Number])[person.Number].BcId);
        var states = sandbox.State.Records(SyncDirection.MarketoToBc);
        Assert.Empty(states.Get([LeadPlanner.CustomerKey(customer.Number)]));
        Assert.Equal(person.Id.ToString("D"), ContactState(sandbox, person.Number).TargetId);
    }

    [Fact]
    public async Task A_lead_that_already_matches_its_contact_is_Unchanged_and_its_state_kept_while_a_skipped_lead_keeps_none()
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 4);
        var bc = sandbox.Host.BusinessCentral;
        var contact = bc.AddPersonContact("Mary Major", "mary.major@state-test.example", bc.Store.Customers[1].CompanyContact!.Number);
        var since = sandbox.Host.Clock.GetUtcNow().AddMinutes(-1);
        var leadId = sandbox.MarketingLead("mary.major@state-test.example", "Any Company", ("firstName", "Mary"), ("lastName", "Major"));
        sandbox.Host.Marketo.MarketingCreate(new Dictionary<string, string?> { ["email"] = "no.company@state-test.example", ["firstName"] = "Nora" });
        var skipped = bc.AddPersonContact("Sam Skip", "sam.skip@state-test.example", bc.Store.Customers[1].CompanyContact!.Number);
        sandbox.MarketingLead("sam.skip@state-test.example", "Any Company", ("firstName", "Sam"), ("lastName", new string('S', 120)));

        var results = await sandbox.RunReverseAsync(Request(since));

        var result = Assert.Single(results, r => r.MarketoId == leadId);
        Assert.Equal((SyncAction.Unchanged, contact.Number), (result.Action, result.TargetKey));
        Assert.Equal(2, results.Count(r => r.Action == SyncAction.Skipped));
        Assert.Contains(results, r => r.Action == SyncAction.Skipped && r.TargetKey == skipped.Number);
        var states = sandbox.State.Records(SyncDirection.MarketoToBc);
        Assert.Equal(leadId.ToString(System.Globalization.CultureInfo.InvariantCulture), ContactState(sandbox, contact.Number).SourceNumber);
        Assert.Equal(1, states.Count());
    }

    [Fact]
    public async Task A_lead_changing_only_its_customer_updates_the_customer_and_leaves_the_contact_Unchanged_with_its_state()
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 4);
        var bc = sandbox.Host.BusinessCentral;
        var customer = bc.Store.Customers[1];
        var contact = bc.AddPersonContact("Mary Major", "mary.major@customer-only-test.example", customer.CompanyContact!.Number);
        var mapping = MarketoToBcMapping.FromUserJson("""{ "marketoToBc": { "marketoOwns": ["customer.phoneNumber"], "businessCentralOwns": ["contact.phoneNumber"] } }""");
        var since = sandbox.Host.Clock.GetUtcNow().AddMinutes(-1);
        sandbox.MarketingLead("mary.major@customer-only-test.example", customer.DisplayName,
            ("firstName", "Mary"), ("lastName", "Major"), ("externalCompanyId", customer.Number), ("phone", "+1 555 0123"));
        var context = sandbox.Context();
        var sync = sandbox.LeadSync(context, mapping);

        var results = await BcSandbox.ToListAsync(sync.RunAsync(sandbox.Receiver(context, mapping).ReceiveAsync(Request(since), CancellationToken.None), CancellationToken.None));

        Assert.Equal([(LeadResults.Customer, SyncAction.Updated, customer.Number), (LeadResults.Contact, SyncAction.Unchanged, contact.Number)],
            results.Select(r => (r.TargetType, r.Action, r.TargetKey)));
        Assert.Equal("+1 555 0123", bc.Store.Customer(customer.Id)!.PhoneNumber);
        Assert.Equal(1, sync.BcWriteOperations); // the customer only: nothing to write to the contact
        var state = ContactState(sandbox, contact.Number);
        Assert.Equal(contact.Id.ToString("D"), state.TargetId);
    }

    [Fact]
    public async Task A_marketing_edit_written_to_BC_is_kept_as_the_forward_state_so_the_next_forward_pass_does_not_send_it_back()
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 4);
        var bc = sandbox.Host.BusinessCentral;
        var contact = bc.AddPersonContact("Ann Smith", "ann.smith@echo-state-test.example", bc.Store.Customers[0].CompanyContact!.Number);
        await sandbox.RunAsync();
        var lead = sandbox.Lead("ann.smith@echo-state-test.example");
        await sandbox.RunReverseAsync(); // the first reverse run: its watermark starts now
        sandbox.Host.Marketo.MarketingEdit(lead.Id, new Dictionary<string, string?> { ["title"] = "Chief Buyer" });

        var reverse = await sandbox.RunReverseAsync();
        var forward = await sandbox.RunAsync();

        Assert.Equal(SyncAction.Updated, Assert.Single(reverse).Action);
        Assert.Equal("Chief Buyer", bc.Store.Contact(contact.Id)!.JobTitle);
        Assert.DoesNotContain(forward, r => r.SourceNumber == contact.Number && r.Action == SyncAction.Updated);
    }

    [Fact]
    public async Task A_contact_changed_between_read_and_write_is_re_read_and_updated_and_its_link_and_state_name_it()
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 4);
        var bc = sandbox.Host.BusinessCentral;
        var contact = bc.AddPersonContact("Mary Major", "mary.major@conflict-state-test.example", bc.Store.Customers[1].CompanyContact!.Number);
        var since = sandbox.Host.Clock.GetUtcNow().AddMinutes(-1);
        var leadId = sandbox.MarketingLead("Mary.Major@Conflict-State-Test.example", "Any", ("firstName", "Mary"), ("lastName", "Major-Smith"));
        var changed = 0;
        var hook = new Hook(p =>
        {
            if (p is { Phase: "Writing Business Central", Total: null } && changed++ == 0) bc.ModifyContactInUi(contact.Id, c => c.City = "Changed Elsewhere");
        });

        var results = await sandbox.RunReverseAsync(Request(since), progress: hook);

        var result = Assert.Single(results);
        Assert.Equal((SyncAction.Updated, contact.Number), (result.Action, result.TargetKey));
        Assert.Equal(("Mary Major-Smith", "Changed Elsewhere"), (bc.Store.Contact(contact.Id)!.DisplayName, bc.Store.Contact(contact.Id)!.City));
        Assert.Contains(sandbox.Log.Lines, l => l.Contains("stale ETag", StringComparison.Ordinal));
        var link = sandbox.State.Links.ByBcNumber(LinkKind.Contact, [contact.Number])[contact.Number];
        Assert.Equal((contact.Id, leadId, "mary.major@conflict-state-test.example"), (link.BcId, link.MarketoId, link.MarketoKey)); // the email as BC holds it
        Assert.Equal(contact.Id.ToString("D"), ContactState(sandbox, contact.Number).TargetId);
    }

    [Fact]
    public async Task A_contact_that_already_took_the_change_when_re_read_is_not_written_again_and_still_linked()
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 4);
        var bc = sandbox.Host.BusinessCentral;
        var contact = bc.AddPersonContact("Mary Major", "mary.major@same-change-test.example", bc.Store.Customers[1].CompanyContact!.Number);
        var since = sandbox.Host.Clock.GetUtcNow().AddMinutes(-1);
        sandbox.MarketingLead("mary.major@same-change-test.example", "Any", ("firstName", "Mary"), ("lastName", "Major-Smith"));
        var changed = 0;
        var hook = new Hook(p =>
        {
            if (p is { Phase: "Writing Business Central", Total: null } && changed++ == 0) bc.ModifyContactInUi(contact.Id, c => c.DisplayName = "Mary Major-Smith");
        });
        var context = sandbox.Context(progress: hook);
        var sync = sandbox.LeadSync(context);

        var results = await BcSandbox.ToListAsync(sync.RunAsync(sandbox.Receiver(context).ReceiveAsync(Request(since), CancellationToken.None), CancellationToken.None));

        Assert.Equal(SyncAction.Updated, Assert.Single(results).Action);
        Assert.Equal(1, sync.BcWriteOperations); // the stale PATCH only: the re-read row already holds the change
        Assert.Equal(contact.Id, sandbox.State.Links.ByBcNumber(LinkKind.Contact, [contact.Number])[contact.Number].BcId);
    }

    [Fact]
    public async Task A_lead_deleted_before_its_customer_number_goes_back_is_named_in_a_write_back_warning_and_the_company_still_linked()
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 4);
        var since = sandbox.Host.Clock.GetUtcNow().AddMinutes(-1);
        var leadId = sandbox.MarketingLead("gone.later@writeback-test.example", "Write Back Test");
        var deleted = 0;
        var hook = new Hook(p =>
        {
            if (p is { Phase: "Writing Business Central", Total: null } && deleted++ == 0) sandbox.Host.Marketo.MarketingDelete(leadId);
        });

        var results = await sandbox.RunReverseAsync(Request(since), progress: hook);

        Assert.Equal([SyncAction.Created, SyncAction.Created], results.Select(r => r.Action));
        var customer = Assert.Single(sandbox.Host.BusinessCentral.Store.Customers, c => c.DisplayName == "Write Back Test");
        var warning = Assert.Single(sandbox.Log.Lines, l => l.StartsWith("WARNING " + EngineWarnings.WriteBackFailed, StringComparison.Ordinal));
        Assert.Contains($"1 new customer number(s) could not be written back to Marketo (lead {leadId}: ", warning);
        Assert.Equal(sandbox.Host.Marketo.CompanyByExternalId(customer.Number)!.Id, sandbox.State.Links.ByBcNumber(LinkKind.Customer, [customer.Number])[customer.Number].MarketoId);
    }

    [Fact]
    public async Task A_company_write_back_Marketo_leaves_to_its_CRM_is_no_problem_and_no_link()
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 4, o => o.Marketo.CrmSync = true);
        var since = sandbox.Host.Clock.GetUtcNow().AddMinutes(-1);
        sandbox.MarketingLead("crm.owned@writeback-test.example", "Crm Owned Test");

        var results = await sandbox.RunReverseAsync(Request(since));

        Assert.Equal([SyncAction.Created, SyncAction.Created], results.Select(r => r.Action));
        var customer = Assert.Single(sandbox.Host.BusinessCentral.Store.Customers, c => c.DisplayName == "Crm Owned Test");
        Assert.Empty(sandbox.State.Links.ByBcNumber(LinkKind.Customer, [customer.Number]));
        Assert.DoesNotContain(sandbox.Log.Lines, l => l.StartsWith("WARNING " + EngineWarnings.WriteBackFailed, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_company_write_back_Marketo_refuses_is_named_in_a_warning_and_the_customer_stays_created()
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 4);
        var since = sandbox.Host.Clock.GetUtcNow().AddMinutes(-1);
        sandbox.MarketingLead("refused@writeback-test.example", "Refused Write Back Test");
        sandbox.Host.Faults.Add(new FaultRule { Service = SandboxService.Marketo, PathContains = "/rest/v1/companies.json", Method = "POST", ErrorCode = "603" });

        var results = await sandbox.RunReverseAsync(Request(since));

        Assert.Equal([SyncAction.Created, SyncAction.Created], results.Select(r => r.Action));
        var customer = Assert.Single(sandbox.Host.BusinessCentral.Store.Customers, c => c.DisplayName == "Refused Write Back Test");
        var warning = Assert.Single(sandbox.Log.Lines, l => l.StartsWith("WARNING " + EngineWarnings.WriteBackFailed, StringComparison.Ordinal));
        Assert.Contains($"1 new customer number(s) could not be written back to Marketo (company {customer.Number}: 603 Access denied). The customers exist in Business Central", warning);
        Assert.Empty(sandbox.State.Links.ByBcNumber(LinkKind.Customer, [customer.Number]));
    }

    [Fact]
    public async Task A_contact_under_a_new_customer_seeds_no_forward_state_while_the_lead_as_read_lacks_the_new_customer_number()
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 4);
        var since = sandbox.Host.Clock.GetUtcNow().AddMinutes(-1);
        sandbox.MarketingLead("ada.quill@new-customer-echo-test.example", "New Customer Echo Test");
        // Without the BC number fields, externalCompanyId is the only forward field the lead as read cannot hold yet.
        var forward = MappingLoader.FromUserJson("""{ "lead": { "remove": ["bcContactNumber", "bcCustomerNumber"] }, "leadAccount": { "when": "Never" } }""");
        var context = sandbox.Context();
        var sync = new LeadToBusinessCentralSync(context, new MarketoToBcMapper(MarketoToBcMapping.Default()), new BcToMarketoMapper(forward));

        var results = await BcSandbox.ToListAsync(sync.RunAsync(sandbox.Receiver(context).ReceiveAsync(Request(since), CancellationToken.None), CancellationToken.None));

        Assert.Equal([SyncAction.Created, SyncAction.Created], results.Select(r => r.Action));
        Assert.Empty(sandbox.State.Records(SyncDirection.BcToMarketo).Get([MarketoRecord.Lead + ":ada.quill@new-customer-echo-test.example"]));
    }

    private static RecordState ContactState(SyncSandbox sandbox, string contactNumber)
    {
        var key = LeadPlanner.ContactKey(contactNumber);
        return sandbox.State.Records(SyncDirection.MarketoToBc).Get([key])[key];
    }
}
