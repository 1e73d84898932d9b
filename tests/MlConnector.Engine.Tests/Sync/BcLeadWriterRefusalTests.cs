using MlConnector.Engine.Mapping;
using MlConnector.Engine.State;
using MlConnector.Engine.Sync;
using MlConnector.Engine.Sync.MarketoToBc;
using MlConnector.Engine.Tests.BusinessCentral;
using MlConnector.Sandbox.Core;
using static MlConnector.Engine.Tests.Sync.ReverseSandbox;

namespace MlConnector.Engine.Tests.Sync;

/// <summary>The lead writer when Business Central refuses a write, or a record changes or disappears around a stale-ETag re-read.</summary>
public sealed class BcLeadWriterRefusalTests
{
    private static readonly MarketoToBcMapping CustomerPhoneOnly =
        MarketoToBcMapping.FromUserJson("""{ "marketoToBc": { "marketoOwns": ["customer.phoneNumber"], "businessCentralOwns": ["contact.phoneNumber"] } }""");

    [Fact]
    public async Task A_customer_deleted_before_its_update_fails_with_the_404_and_its_unchanged_contact_stays_Unchanged()
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 4);
        var bc = sandbox.Host.BusinessCentral;
        var customer = bc.Store.Customers[1];
        var contact = bc.AddPersonContact("Mary Major", "mary.major@deleted-customer-test.example", customer.CompanyContact!.Number);
        var since = sandbox.Host.Clock.GetUtcNow().AddMinutes(-1);
        sandbox.MarketingLead(contact.Email, customer.DisplayName, ("firstName", "Mary"), ("lastName", "Major"), ("externalCompanyId", customer.Number), ("phone", "+1 555 0123"));
        var deleted = 0;
        var hook = new Hook(p =>
        {
            if (p is { Phase: "Writing Business Central", Total: null } && deleted++ == 0) bc.DeleteCustomer(customer.Id);
        });

        var results = await sandbox.RunReverseAsync(Request(since), CustomerPhoneOnly, hook);

        var failed = Assert.Single(results, r => r.TargetType == LeadResults.Customer);
        Assert.Equal(SyncAction.Failed, failed.Action);
        Assert.StartsWith("Business Central answered 404", failed.Reason);
        Assert.Empty(failed.ChangedFields);
        var unchanged = Assert.Single(results, r => r.TargetType == LeadResults.Contact);
        Assert.Equal((SyncAction.Unchanged, contact.Number), (unchanged.Action, unchanged.TargetKey));
    }

    [Fact]
    public async Task A_contact_written_beside_a_customer_update_that_fails_keeps_no_record_state_so_the_replay_writes_it_again()
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 4);
        var bc = sandbox.Host.BusinessCentral;
        var customer = bc.Store.Customers[1];
        var contact = bc.AddPersonContact("Mary Major", "mary.major@failed-customer-state-test.example", customer.CompanyContact!.Number);
        var since = sandbox.Host.Clock.GetUtcNow().AddMinutes(-1);
        sandbox.MarketingLead(contact.Email, customer.DisplayName, ("firstName", "Mary"), ("lastName", "Major-Smith"), ("externalCompanyId", customer.Number), ("phone", "+1 555 0123"));
        var deleted = 0;
        var hook = new Hook(p =>
        {
            if (p is { Phase: "Writing Business Central", Total: null } && deleted++ == 0) bc.DeleteCustomer(customer.Id);
        });

        var results = await sandbox.RunReverseAsync(Request(since), CustomerPhoneOnly, hook);

        Assert.Equal([(LeadResults.Contact, SyncAction.Updated), (LeadResults.Customer, SyncAction.Failed)], results.Select(r => (r.TargetType, r.Action)).Order());
        Assert.Equal("Mary Major-Smith", bc.Store.Contact(contact.Id)!.DisplayName);
        Assert.Empty(sandbox.State.Records(SyncDirection.MarketoToBc).Get([LeadPlanner.ContactKey(contact.Number)]));
    }

    [Fact]
    public async Task A_contact_deleted_after_its_stale_PATCH_and_before_the_re_read_fails_as_a_conflict()
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 4);
        var bc = sandbox.Host.BusinessCentral;
        var contact = bc.AddPersonContact("Mary Major", "mary.major@gone-conflict-test.example", bc.Store.Customers[1].CompanyContact!.Number);
        var since = sandbox.Host.Clock.GetUtcNow().AddMinutes(-1);
        sandbox.MarketingLead(contact.Email, "Any", ("firstName", "Mary"), ("lastName", "Major-Smith"));
        var holding = new TaskCompletionSource<FaultRule>(TaskCreationOptions.RunContinuationsAsynchronously);
        var hook = new Hook(p =>
        {
            if (p is not { Phase: "Writing Business Central", Total: null } || holding.Task.IsCompleted) return;
            bc.ModifyContactInUi(contact.Id, c => c.City = "Changed Elsewhere");
            holding.SetResult(sandbox.Host.Faults.Add(new FaultRule
            {
                Service = SandboxService.BusinessCentral, PathContains = "$batch", Method = "POST", Hold = HoldPoint.BeforeAnswer, Times = 1,
            }));
        });
        var run = Task.Run(() => sandbox.RunReverseAsync(Request(since), progress: hook));
        Assert.Same(holding.Task, await Task.WhenAny(holding.Task, run));
        var held = await holding.Task;
        await sandbox.Host.Faults.Held.WaitForAsync(held.Id, TimeSpan.FromSeconds(30)); // the stale PATCH was answered 409 and the answer waits
        bc.DeleteContact(contact.Id);
        sandbox.Host.Faults.Held.Release(held.Id);

        var result = Assert.Single(await run);

        Assert.Equal(SyncAction.Failed, result.Action);
        Assert.Equal($"{LeadReasons.Conflict}: the record was deleted in Business Central while the connector wrote to it", result.Reason);
    }

    [Fact]
    public async Task A_contact_deleted_between_the_re_read_and_the_re_applied_PATCH_fails_with_the_404()
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 4);
        var bc = sandbox.Host.BusinessCentral;
        var contact = bc.AddPersonContact("Mary Major", "mary.major@gone-reapply-test.example", bc.Store.Customers[1].CompanyContact!.Number);
        var since = sandbox.Host.Clock.GetUtcNow().AddMinutes(-1);
        sandbox.MarketingLead(contact.Email, "Any", ("firstName", "Mary"), ("lastName", "Major-Smith"));
        var changed = 0;
        var hook = new Hook(p =>
        {
            if (p is { Phase: "Writing Business Central", Total: null } && changed++ == 0) bc.ModifyContactInUi(contact.Id, c => c.City = "Changed Elsewhere");
            if (p.Phase == "Re-applying changes after a conflict") bc.DeleteContact(contact.Id);
        });

        var result = Assert.Single(await sandbox.RunReverseAsync(Request(since), progress: hook));

        Assert.Equal(SyncAction.Failed, result.Action);
        Assert.StartsWith("Business Central answered 404", result.Reason);
    }

    [Fact]
    public async Task A_re_read_name_that_differs_from_the_change_only_in_case_is_written_again()
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 4);
        var bc = sandbox.Host.BusinessCentral;
        var contact = bc.AddPersonContact("Mary Major", "mary.major@case-name-test.example", bc.Store.Customers[1].CompanyContact!.Number);
        var since = sandbox.Host.Clock.GetUtcNow().AddMinutes(-1);
        sandbox.MarketingLead(contact.Email, "Any", ("firstName", "Mary"), ("lastName", "Major-smith"));
        var changed = 0;
        var hook = new Hook(p =>
        {
            if (p is { Phase: "Writing Business Central", Total: null } && changed++ == 0) bc.ModifyContactInUi(contact.Id, c => c.DisplayName = "Mary Major-Smith");
        });
        var context = sandbox.Context(progress: hook);
        var sync = sandbox.LeadSync(context);

        var result = Assert.Single(await BcSandbox.ToListAsync(sync.RunAsync(sandbox.Receiver(context).ReceiveAsync(Request(since), CancellationToken.None), CancellationToken.None)));

        Assert.Equal(SyncAction.Updated, result.Action);
        Assert.Equal("Mary Major-smith", bc.Store.Contact(contact.Id)!.DisplayName);
        Assert.Equal(2, sync.BcWriteOperations); // the stale PATCH and the re-applied one
    }

    [Fact]
    public async Task A_re_read_postal_code_that_differs_from_the_change_only_in_case_is_taken_as_written()
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 4);
        var bc = sandbox.Host.BusinessCentral;
        var contact = bc.AddPersonContact("Mary Major", "mary.major@case-code-test.example", bc.Store.Customers[1].CompanyContact!.Number);
        var since = sandbox.Host.Clock.GetUtcNow().AddMinutes(-1);
        sandbox.MarketingLead(contact.Email, "Any", ("firstName", "Mary"), ("lastName", "Major"), ("postalCode", "ab1 2cd"));
        var changed = 0;
        var hook = new Hook(p =>
        {
            if (p is { Phase: "Writing Business Central", Total: null } && changed++ == 0) bc.ModifyContactInUi(contact.Id, c => c.PostalCode = "AB1 2CD");
        });
        var context = sandbox.Context(progress: hook);
        var sync = sandbox.LeadSync(context);

        var result = Assert.Single(await BcSandbox.ToListAsync(sync.RunAsync(sandbox.Receiver(context).ReceiveAsync(Request(since), CancellationToken.None), CancellationToken.None)));

        Assert.Equal(SyncAction.Updated, result.Action);
        Assert.Equal(1, sync.BcWriteOperations); // the stale PATCH only: the re-read row holds the code already
        Assert.Contains(sandbox.Log.Lines, l => l.Contains("stale ETag", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_lead_under_a_customer_whose_company_contact_was_deleted_fails_saying_so()
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 4);
        var bc = sandbox.Host.BusinessCentral;
        var customer = bc.Store.Customers[2];
        bc.DeleteContact(customer.CompanyContact!.Id);
        var since = sandbox.Host.Clock.GetUtcNow().AddMinutes(-1);
        sandbox.MarketingLead("new.buyer@no-company-contact-test.example", customer.DisplayName, ("externalCompanyId", customer.Number));

        var results = await sandbox.RunReverseAsync(Request(since));

        var why = $"{LeadReasons.NoCompanyContact}: customer {customer.Number} has no company contact in Business Central, so no person contact can be placed under it " +
            "(Marketing Setup: Bus. Rel. Code for Customers creates one for every new customer)";
        Assert.Equal([(LeadResults.Contact, SyncAction.Failed, why), (LeadResults.Customer, SyncAction.Failed, why)], results.Select(r => (r.TargetType, r.Action, r.Reason)).Order());
        Assert.DoesNotContain(bc.Store.Contacts, c => c.Email == "new.buyer@no-company-contact-test.example");
    }

    [Fact]
    public async Task A_customer_update_does_not_need_a_company_contact_when_the_lead_creates_no_contact()
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 4);
        var bc = sandbox.Host.BusinessCentral;
        var customer = bc.Store.Customers[1];
        var contact = bc.AddPersonContact("Mary Major", "mary.major@no-company-update-test.example", customer.CompanyContact!.Number);
        bc.DeleteContact(customer.CompanyContact!.Id);
        var since = sandbox.Host.Clock.GetUtcNow().AddMinutes(-1);
        sandbox.MarketingLead(contact.Email, customer.DisplayName, ("firstName", "Mary"), ("lastName", "Major"), ("externalCompanyId", customer.Number), ("phone", "+1 555 0123"));

        var results = await sandbox.RunReverseAsync(Request(since), CustomerPhoneOnly);

        Assert.Equal([(LeadResults.Contact, SyncAction.Unchanged), (LeadResults.Customer, SyncAction.Updated)], results.Select(r => (r.TargetType, r.Action)).Order());
        Assert.Equal("+1 555 0123", bc.Store.Customer(customer.Id)!.PhoneNumber);
    }
}
