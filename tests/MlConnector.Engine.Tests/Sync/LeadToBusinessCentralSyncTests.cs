using System.Globalization;
using System.Runtime.CompilerServices;
using MlConnector.Engine.Mapping;
using MlConnector.Engine.Marketo;
using MlConnector.Engine.Sync;
using MlConnector.Engine.Sync.MarketoToBc;
using MlConnector.Engine.Tests.BusinessCentral;
using static MlConnector.Engine.Tests.Sync.ReverseSandbox;

namespace MlConnector.Engine.Tests.Sync;

/// <summary>The reverse run's orchestration: -WhatIf rows per customer and contact, when queued leads are drained, and the audit of what it settles itself.</summary>
public sealed class LeadToBusinessCentralSyncTests
{
    [Fact]
    public async Task WhatIf_rows_say_create_for_new_records_update_for_a_changed_contact_and_unchanged_for_a_contact_that_holds_the_lead_already()
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 4);
        var bc = sandbox.Host.BusinessCentral.Store;
        var customer = bc.Customers[0];
        var pat = sandbox.Host.BusinessCentral.AddPersonContact("Pat Plan", "pat.plan@rows-test.example", customer.CompanyContact!.Number);
        var kim = sandbox.Host.BusinessCentral.AddPersonContact("Kim Same", "kim.same@rows-test.example", customer.CompanyContact!.Number);
        var since = sandbox.Host.Clock.GetUtcNow().AddMinutes(-1);
        var fresh = sandbox.MarketingLead("new.person@rows-test.example", "Rows Company");
        var changed = sandbox.MarketingLead(pat.Email, "Any", ("firstName", "Pat"), ("lastName", "Planner"));
        var same = sandbox.MarketingLead(kim.Email, "Any", ("firstName", "Kim"), ("lastName", "Same"));
        var context = sandbox.Context();
        var leads = await sandbox.ReceiveAsync(new LeadReceiveRequest { Since = since, AdvanceWatermark = false }, context);

        var rows = await BcSandbox.ToListAsync(sandbox.LeadSync(context).PlanAsync(leads, CancellationToken.None));

        var actions = rows.Select(r => (r.MarketoId, r.TargetType, r.TargetKey, r.Action)).ToList();
        Assert.Equal([(LeadResults.Customer, PlannedAction.Create), (LeadResults.Contact, PlannedAction.Create)], actions.Where(a => a.MarketoId == fresh).Select(a => (a.TargetType, a.Action)));
        Assert.Equal([(changed, LeadResults.Contact, pat.Number, PlannedAction.Update)], actions.Where(a => a.MarketoId == changed));
        Assert.Equal([(same, LeadResults.Contact, kim.Number, PlannedAction.Unchanged)], actions.Where(a => a.MarketoId == same));
    }

    [Fact]
    public async Task Leads_short_of_a_full_batch_wait_for_the_end_of_the_read_and_then_go_out_together()
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 0);
        var since = sandbox.Host.Clock.GetUtcNow().AddMinutes(-1);
        sandbox.MarketingLead("first@drain-test.example", "First Drain Co");
        sandbox.MarketingLead("second@drain-test.example", "Second Drain Co");
        var context = sandbox.Context();
        var leads = await sandbox.ReceiveAsync(new LeadReceiveRequest { Since = since, AdvanceWatermark = false }, context);
        int? writesBeforeSecondStep = null;
        var before = 0;

        async IAsyncEnumerable<ReceivedLeads> Steps([EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            yield return new ReceivedLeads([leads[0]], []);
            writesBeforeSecondStep = sandbox.BcWrites().Count - before;
            yield return new ReceivedLeads([leads[1]], []);
            await Task.CompletedTask;
        }

        before = sandbox.BcWrites().Count;
        var results = await BcSandbox.ToListAsync(sandbox.LeadSync(context).RunAsync(Steps(), CancellationToken.None));

        Assert.Equal(0, writesBeforeSecondStep);
        Assert.Equal(4, results.Count(r => r.Action == SyncAction.Created));
    }

    [Fact]
    public async Task An_echo_settled_without_a_Business_Central_read_is_audited()
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 6);
        await sandbox.RunAsync();
        var contact = sandbox.Host.BusinessCentral.Store.Contacts.First(c => c.Type == "Person" && sandbox.Host.Marketo.LeadsByEmail(c.Email).Count == 1);
        var lead = sandbox.Host.Marketo.LeadsByEmail(contact.Email)[0];
        var fields = lead.Fields.ToDictionary(f => f.Key, f => f.Value, StringComparer.OrdinalIgnoreCase);

        var echo = Assert.Single(await BcSandbox.ToListAsync(sandbox.LeadSync(sandbox.Context()).RunAsync([new MarketoLead { Id = lead.Id, Fields = fields }], CancellationToken.None)));

        var audited = Assert.Single(sandbox.Audited(lead.Id.ToString(CultureInfo.InvariantCulture)));
        Assert.Equal((LeadResults.Source, LeadResults.Contact, nameof(SyncAction.Unchanged), echo.Reason), (audited.SourceType, audited.TargetType, audited.Action, audited.Reason));
    }

    [Fact]
    public async Task A_full_batch_is_written_while_Marketo_is_still_being_read_and_its_results_are_handed_on()
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 4);
        var customer = sandbox.Host.BusinessCentral.Store.Customers[1];
        var leads = Enumerable.Range(1, LeadToBusinessCentralSync.DrainBatch).Select(i => new MarketoLead
        {
            Id = 500_000 + i,
            Fields = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
            {
                ["email"] = $"buyer{i}@full-batch-test.example", ["firstName"] = "Buyer", ["lastName"] = $"Number {i}",
                ["company"] = customer.DisplayName, ["externalCompanyId"] = customer.Number,
            },
        }).ToList();
        var phases = new List<SyncProgress>();
        var context = sandbox.Context(progress: new Hook(phases.Add));
        var sync = sandbox.LeadSync(context);
        int? resultsBeforeReadEnded = null;
        var results = new List<SyncResult>();

        async IAsyncEnumerable<ReceivedLeads> Steps([EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            yield return new ReceivedLeads(leads, []);
            resultsBeforeReadEnded = results.Count;
            await Task.CompletedTask;
        }

        await foreach (var result in sync.RunAsync(Steps(), CancellationToken.None)) results.Add(result);

        Assert.Equal(LeadToBusinessCentralSync.DrainBatch, resultsBeforeReadEnded);
        Assert.Equal(LeadToBusinessCentralSync.DrainBatch, results.Count(r => r.Action == SyncAction.Created));
        Assert.Equal(5, sync.BcWriteCalls); // 500 new contacts in $batches of 100
        Assert.Contains(phases, p => p is { Phase: "Writing Business Central", Total: not null }); // the drain's batch, besides the writer's own report
    }

    [Fact]
    public async Task WhatIf_rows_say_update_for_an_existing_customer_the_lead_changes_and_nothing_for_one_a_new_contact_leaves_alone()
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 4);
        var bc = sandbox.Host.BusinessCentral;
        var changed = bc.Store.Customers[1];
        var same = bc.Store.Customers[2];
        var mary = bc.AddPersonContact("Mary Major", "mary.major@customer-rows-test.example", changed.CompanyContact!.Number);
        var mapping = MarketoToBcMapping.FromUserJson("""{ "marketoToBc": { "marketoOwns": ["customer.phoneNumber"], "businessCentralOwns": ["contact.phoneNumber"] } }""");
        var since = sandbox.Host.Clock.GetUtcNow().AddMinutes(-1);
        var maryLead = sandbox.MarketingLead(mary.Email, changed.DisplayName, ("firstName", "Mary"), ("lastName", "Major"), ("externalCompanyId", changed.Number), ("phone", "+1 555 0123"));
        var kimLead = sandbox.MarketingLead("kim.new@customer-rows-test.example", same.DisplayName, ("firstName", "Kim"), ("lastName", "Same"), ("externalCompanyId", same.Number), ("phone", same.PhoneNumber));
        var context = sandbox.Context();
        var leads = await sandbox.ReceiveAsync(new LeadReceiveRequest { Since = since, AdvanceWatermark = false }, context);

        var rows = await BcSandbox.ToListAsync(sandbox.LeadSync(context, mapping).PlanAsync(leads, CancellationToken.None));

        Assert.Equal([(LeadResults.Customer, changed.Number, PlannedAction.Update), (LeadResults.Contact, mary.Number, PlannedAction.Unchanged)],
            rows.Where(r => r.MarketoId == maryLead).Select(r => (r.TargetType, r.TargetKey, r.Action)));
        Assert.Equal(["phoneNumber"], rows.Single(r => r.TargetType == LeadResults.Customer).FieldChanges.Select(c => c.Field));
        Assert.Equal([(LeadResults.Contact, (string?)null, PlannedAction.Create)], rows.Where(r => r.MarketoId == kimLead).Select(r => (r.TargetType, r.TargetKey, r.Action)));
    }

    [Fact]
    public async Task WhatIf_gives_one_row_each_to_a_lead_skipped_by_the_read_an_echo_and_a_lead_the_planner_settles()
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 6);
        await sandbox.RunAsync();
        var bc = sandbox.Host.BusinessCentral;
        var echoed = bc.Store.Contacts.First(c => c.Type == "Person" && sandbox.Host.Marketo.LeadsByEmail(c.Email).Count == 1);
        var echo = sandbox.Host.Marketo.LeadsByEmail(echoed.Email)[0];
        var sam = bc.AddPersonContact("Sam Skip", "sam.skip@plan-rows-test.example", bc.Store.Customers[1].CompanyContact!.Number);
        var since = sandbox.Host.Clock.GetUtcNow().AddMinutes(-1);
        var settled = sandbox.MarketingLead(sam.Email, "Any Company", ("firstName", "Sam"), ("lastName", new string('S', 120)));
        var context = sandbox.Context();
        var leads = await sandbox.ReceiveAsync(new LeadReceiveRequest { Since = since, AdvanceWatermark = false }, context);
        var skipped = LeadResults.Skipped(context, 42, null, "skipped by the read");
        var echoLead = new MarketoLead { Id = echo.Id, Fields = echo.Fields.ToDictionary(f => f.Key, f => f.Value, StringComparer.OrdinalIgnoreCase) };

        var rows = await BcSandbox.ToListAsync(sandbox.LeadSync(context).PlanAsync(One(new ReceivedLeads([.. leads, echoLead], [skipped])), CancellationToken.None));

        Assert.Equal([(42L, PlannedAction.Skip), (echo.Id, PlannedAction.Unchanged), (settled, PlannedAction.Skip)], rows.Select(r => (r.MarketoId ?? 0, r.Action)));
    }

    private static async IAsyncEnumerable<ReceivedLeads> One(ReceivedLeads step)
    {
        yield return step;
        await Task.CompletedTask;
    }
}
