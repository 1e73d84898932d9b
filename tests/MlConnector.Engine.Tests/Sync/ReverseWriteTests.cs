using MlConnector.Engine.Audit;
using MlConnector.Engine.Mapping;
using MlConnector.Engine.State;
using MlConnector.Engine.Sync;
using MlConnector.Engine.Sync.MarketoToBc;
using MlConnector.Engine.Tests.BusinessCentral;
using static MlConnector.Engine.Tests.Sync.ReverseSandbox;

namespace MlConnector.Engine.Tests.Sync;

/// <summary>How leads meet Business Central: matching, field ownership, stale ETags, bad input, -WhatIf and replay.</summary>
public sealed class ReverseWriteTests
{
    private static readonly MarketoToBcMapping MarketoOwnsCustomerPhone =
        MarketoToBcMapping.FromUserJson("""{ "marketoToBc": { "marketoOwns": ["customer.phoneNumber"] } }""");

    [Fact]
    public async Task A_lead_naming_an_existing_customer_gets_a_contact_under_it_and_no_new_customer()
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 6);
        var bc = sandbox.Host.BusinessCentral.Store;
        var customer = bc.Customers[2];
        var (customers, name) = (bc.Customers.Count, customer.DisplayName);
        var since = sandbox.Host.Clock.GetUtcNow().AddMinutes(-1);
        sandbox.MarketingLead("new.buyer@existing-test.example", "Whatever Marketing Typed", ("externalCompanyId", customer.Number));

        var results = await sandbox.RunReverseAsync(Request(since));

        Assert.Equal(customers, bc.Customers.Count);
        var person = Assert.Single(bc.Contacts, c => c.Email == "new.buyer@existing-test.example");
        Assert.Equal(customer.CompanyContact!.Number, person.CompanyNumber);
        var result = Assert.Single(results);
        Assert.Equal((LeadResults.Contact, SyncAction.Created, person.Number), (result.TargetType, result.Action, result.TargetKey));
        Assert.Equal(name, bc.Customer(customer.Id)!.DisplayName); // account fields belong to Business Central
    }

    [Fact]
    public async Task A_lead_matching_a_contact_by_email_updates_only_the_fields_marketing_owns()
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 6);
        var bc = sandbox.Host.BusinessCentral.Store;
        var contact = sandbox.Host.BusinessCentral.AddPersonContact("Mary Major", "mary.major@match-test.example", bc.Customers[1].CompanyContact!.Number);
        sandbox.Host.BusinessCentral.ModifyContactInUi(contact.Id, c => { c.PhoneNumber = "+44 20 7946 0000"; c.JobTitle = "Buyer"; });
        var customer = bc.Customers[1];
        var (customerName, customerPhone) = (customer.DisplayName, customer.PhoneNumber);
        var mapping = MarketoToBcMapping.FromUserJson("""{ "marketoToBc": { "businessCentralOwns": ["contact.phoneNumber"] } }""");
        var since = sandbox.Host.Clock.GetUtcNow().AddMinutes(-1);
        sandbox.MarketingLead("Mary.Major@match-test.example", "A Company Name Marketing Uses",
            ("firstName", "Mary"), ("lastName", "Major-Smith"), ("title", "Head of Buying"), ("phone", "+1 000 0000"));
        var contacts = bc.Contacts.Count;

        var results = await sandbox.RunReverseAsync(Request(since), mapping);

        var result = Assert.Single(results);
        Assert.Equal((LeadResults.Contact, SyncAction.Updated, contact.Number), (result.TargetType, result.Action, result.TargetKey));
        var updated = bc.Contact(contact.Id)!;
        Assert.Equal(("Mary Major-Smith", "Head of Buying"), (updated.DisplayName, updated.JobTitle));
        Assert.Equal("+44 20 7946 0000", updated.PhoneNumber); // owned by Business Central here
        Assert.Equal(contacts, bc.Contacts.Count);
        Assert.Equal((customerName, customerPhone), (bc.Customer(customer.Id)!.DisplayName, bc.Customer(customer.Id)!.PhoneNumber));
        Assert.Equal(["displayName", "jobTitle"], result.ChangedFields.Order());
    }

    [Fact]
    public async Task A_marketing_edit_of_a_lead_from_BC_changes_that_field_and_keeps_a_middle_name_Marketo_does_not_carry()
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 4);
        var bc = sandbox.Host.BusinessCentral;
        var contact = bc.AddPersonContact("Ann Marie Smith", "ann.marie@middle-test.example", bc.Store.Customers[0].CompanyContact!.Number);
        await sandbox.RunAsync();
        var lead = Assert.Single(sandbox.Host.Marketo.LeadsByEmail("ann.marie@middle-test.example"));
        Assert.Equal(("Ann", "Smith"), (lead.Fields["firstName"], lead.Fields["lastName"]));
        await sandbox.RunReverseAsync(); // the first reverse run: its watermark starts now
        sandbox.Host.Marketo.MarketingEdit(lead.Id, new Dictionary<string, string?> { ["title"] = "Chief Buyer" });

        var results = await sandbox.RunReverseAsync();

        var result = Assert.Single(results);
        Assert.Equal((SyncAction.Updated, contact.Number), (result.Action, result.TargetKey));
        Assert.Equal(["jobTitle"], result.ChangedFields);
        Assert.Equal(("Ann Marie Smith", "Chief Buyer"), (bc.Store.Contact(contact.Id)!.DisplayName, bc.Store.Contact(contact.Id)!.JobTitle));
    }

    [Fact]
    public async Task A_customer_changed_between_read_and_write_is_re_read_and_the_update_applied_once_more()
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 6);
        var bc = sandbox.Host.BusinessCentral;
        var customer = bc.Store.Customers[3];
        var since = sandbox.Host.Clock.GetUtcNow().AddMinutes(-1);
        sandbox.MarketingLead("phone.owner@conflict-test.example", customer.DisplayName, ("externalCompanyId", customer.Number), ("phone", "+1 555 0199"));
        var changed = 0;
        var hook = new Hook(p =>
        {
            // The writer's own report (no total) comes after its reads and before its writes; the drain's comes before the reads.
            if (p is { Phase: "Writing Business Central", Total: null } && changed++ == 0) bc.ModifyCustomerInUi(customer.Id, c => c.City = "Changed Elsewhere");
        });

        var results = await sandbox.RunReverseAsync(Request(since), MarketoOwnsCustomerPhone, hook);

        Assert.Contains(results, r => r.TargetType == LeadResults.Customer && r.Action == SyncAction.Updated && r.TargetKey == customer.Number);
        Assert.Equal(("+1 555 0199", "Changed Elsewhere"), (bc.Store.Customer(customer.Id)!.PhoneNumber, bc.Store.Customer(customer.Id)!.City));
        Assert.Contains(sandbox.Log.Lines, l => l.Contains("stale ETag", StringComparison.Ordinal));
        Assert.Equal(0, sandbox.State.Queue(SyncDirection.MarketoToBc).Count(QueuedJobStatus.Parked));
    }

    [Fact]
    public async Task A_conflict_that_persists_ends_Failed_and_parked_and_a_replay_applies_it()
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 6);
        var bc = sandbox.Host.BusinessCentral;
        var customer = bc.Store.Customers[3];
        var since = sandbox.Host.Clock.GetUtcNow().AddMinutes(-1);
        var leadId = sandbox.MarketingLead("stubborn@conflict-test.example", customer.DisplayName, ("externalCompanyId", customer.Number), ("phone", "+1 555 0177"));
        var edits = 0;
        var hook = new Hook(p =>
        {
            if (p.Phase is "Writing Business Central" or "Re-applying changes after a conflict") bc.ModifyCustomerInUi(customer.Id, c => c.City = "Edit " + ++edits);
        });

        var results = await sandbox.RunReverseAsync(Request(since), MarketoOwnsCustomerPhone, hook);

        var failed = Assert.Single(results, r => r.Action == SyncAction.Failed);
        Assert.Equal((LeadResults.Customer, customer.Number), (failed.TargetType, failed.TargetKey));
        Assert.StartsWith(LeadReasons.Conflict + ":", failed.Reason);
        Assert.NotEqual("+1 555 0177", bc.Store.Customer(customer.Id)!.PhoneNumber);
        var parked = Assert.Single(sandbox.State.Queue(SyncDirection.MarketoToBc).Take(QueuedJobStatus.Parked, null, 10));
        Assert.Equal(leadId.ToString(System.Globalization.CultureInfo.InvariantCulture), parked.SourceNumber);
        var audit = new AuditLogReader(sandbox.Audit.Folder).Read(new AuditQuery()).ToList();
        Assert.Contains(audit, a => a.Direction == nameof(SyncDirection.MarketoToBc) && a.Action == "Failed" && a.TargetKey == customer.Number);

        var replayed = await BcSandbox.ToListAsync(sandbox.LeadSync(sandbox.Context(), MarketoOwnsCustomerPhone).ReplayAsync(null, CancellationToken.None));

        Assert.Contains(replayed, r => r.TargetType == LeadResults.Customer && r.Action == SyncAction.Updated);
        Assert.Equal("+1 555 0177", bc.Store.Customer(customer.Id)!.PhoneNumber);
        Assert.Equal(0, sandbox.State.Queue(SyncDirection.MarketoToBc).Count(QueuedJobStatus.Parked));
    }

    [Fact]
    public async Task Bad_input_is_skipped_with_a_reason_and_the_rest_of_the_batch_is_written()
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 4);
        var bc = sandbox.Host.BusinessCentral.Store;
        var since = sandbox.Host.Clock.GetUtcNow().AddMinutes(-1);
        var good1 = sandbox.MarketingLead("good.one@bad-input-test.example", "Good Company One", ("country", "DE"));
        var longEmail = new string('e', 75) + "@bad-input-test.example"; // valid for Marketo (255), over BC's 80
        var tooLongEmail = sandbox.MarketingLead(longEmail, "Long Email Company");
        var tooLongName = sandbox.MarketingLead("long.name@bad-input-test.example", new string('N', 120));
        var unknownCountry = sandbox.MarketingLead("atlantis@bad-input-test.example", "Atlantis Trading", ("country", "Atlantis"));
        var deleted = sandbox.MarketingLead("gone@bad-input-test.example", "Vanished Company");
        var bcRefuses = sandbox.MarketingLead(".dot.first@bad-input-test.example", "Dotted Company"); // Marketo takes it; BC's mail check does not
        var noCompany = sandbox.Host.Marketo.MarketingCreate(new Dictionary<string, string?> { ["email"] = "no.company@bad-input-test.example", ["firstName"] = "Nora" });
        var good2 = sandbox.MarketingLead("good.two@bad-input-test.example", "Good Company Two");
        // Deleted between the change feed and the read: the receiver reads the feed, then the leads by id.
        var hook = new Hook(p =>
        {
            if (p.Phase == "Reading Marketo lead changes") sandbox.Host.Marketo.MarketingDelete(deleted);
        });

        var results = await sandbox.RunReverseAsync(Request(since), progress: hook);

        string? Reason(long lead) => Assert.Single(results, r => r.MarketoId == lead && r.TargetType == LeadResults.Contact).Reason;
        Assert.StartsWith(LeadReasons.ValueTooLong + ": the contact's email", Reason(tooLongEmail));
        Assert.StartsWith(LeadReasons.ValueTooLong + ": the customer's displayName would be 120", Reason(tooLongName));
        Assert.StartsWith(LeadReasons.UnknownCountry + ": 'Atlantis'", Reason(unknownCountry));
        Assert.StartsWith(LeadReasons.LeadDeleted, Reason(deleted));
        Assert.StartsWith(LeadReasons.NotQualified + ": the lead has no company", Reason(noCompany));
        Assert.Contains("is not valid", Reason(bcRefuses));
        Assert.Equal([SyncAction.Failed, SyncAction.Failed], results.Where(r => r.MarketoId == bcRefuses).Select(r => r.Action));
        var parked = Assert.Single(sandbox.State.Queue(SyncDirection.MarketoToBc).Take(QueuedJobStatus.Parked, null, 10));
        Assert.Equal(bcRefuses.ToString(System.Globalization.CultureInfo.InvariantCulture), parked.SourceNumber);
        Assert.All(results.Where(r => r.MarketoId is { } id && id != good1 && id != good2 && id != bcRefuses), r => Assert.Equal(SyncAction.Skipped, r.Action));
        foreach (var good in new[] { good1, good2 })
            Assert.Equal([SyncAction.Created, SyncAction.Created], results.Where(r => r.MarketoId == good).Select(r => r.Action));
        Assert.Equal("DE", Assert.Single(bc.Customers, c => c.DisplayName == "Good Company One").Country);
        Assert.Equal(8, results.Select(r => r.MarketoId).Distinct().Count());
    }

    [Fact]
    public async Task WhatIf_plans_with_a_field_level_diff_and_writes_nothing()
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 4);
        var bc = sandbox.Host.BusinessCentral.Store;
        var contact = sandbox.Host.BusinessCentral.AddPersonContact("Pat Plan", "pat.plan@whatif-test.example", bc.Customers[0].CompanyContact!.Number);
        var since = sandbox.Host.Clock.GetUtcNow().AddMinutes(-1);
        sandbox.MarketingLead("new.person@whatif-test.example", "What If Company", ("city", "Oslo"));
        sandbox.MarketingLead("pat.plan@whatif-test.example", "Any", ("firstName", "Pat"), ("lastName", "Planner"));
        var (customers, contacts) = (bc.Customers.Count, bc.Contacts.Count);
        var context = sandbox.Context();
        var request = new LeadReceiveRequest { Since = since, AdvanceWatermark = false };

        var rows = await BcSandbox.ToListAsync(sandbox.LeadSync(context).PlanAsync(sandbox.Receiver(context).ReceiveAsync(request, CancellationToken.None), CancellationToken.None));

        var customerRow = Assert.Single(rows, r => r.TargetType == LeadResults.Customer);
        Assert.Equal(PlannedAction.Create, customerRow.Action);
        Assert.Contains(customerRow.GetFieldChanges(), c => c == new FieldChange("displayName", null, "What If Company"));
        Assert.Contains(customerRow.GetFieldChanges(), c => c == new FieldChange("city", null, "Oslo"));
        var update = Assert.Single(rows, r => r.TargetKey == contact.Number);
        Assert.Equal(PlannedAction.Update, update.Action);
        Assert.Equal("displayName: Pat Plan -> Pat Planner", update.Changes);
        Assert.Equal((customers, contacts, "Pat Plan"), (bc.Customers.Count, bc.Contacts.Count, bc.Contact(contact.Id)!.DisplayName));
        Assert.Null(sandbox.State.Checkpoints.GetWatermark(SyncCheckpoints.LeadChanges));
        Assert.Equal(0, sandbox.State.Queue(SyncDirection.MarketoToBc).Count(QueuedJobStatus.Pending));
    }

    [Fact]
    public async Task A_lead_of_another_pair_is_skipped_and_one_of_this_pair_is_matched_without_its_prefix()
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 4);
        var bc = sandbox.Host.BusinessCentral.Store;
        var customer = bc.Customers[1];
        var since = sandbox.Host.Clock.GetUtcNow().AddMinutes(-1);
        var ours = sandbox.MarketingLead("ours@prefix-test.example", "Ours", ("externalCompanyId", "UK-" + customer.Number));
        var theirs = sandbox.MarketingLead("theirs@prefix-test.example", "Theirs", ("externalCompanyId", "US-" + customer.Number));
        var context = sandbox.Context();
        var leads = await sandbox.ReceiveAsync(Request(since), context);

        var results = await BcSandbox.ToListAsync(sandbox.LeadSync(context, prefix: "UK-", otherPrefixes: ["US-"]).RunAsync(leads, CancellationToken.None));

        Assert.Equal(customer.CompanyContact!.Number, Assert.Single(bc.Contacts, c => c.Email == "ours@prefix-test.example").CompanyNumber);
        Assert.Equal(SyncAction.Created, Assert.Single(results, r => r.MarketoId == ours).Action);
        var skipped = Assert.Single(results, r => r.MarketoId == theirs);
        Assert.Equal(SyncAction.Skipped, skipped.Action);
        Assert.StartsWith(LeadReasons.OtherPair + ": externalCompanyId US-", skipped.Reason);
    }
}
