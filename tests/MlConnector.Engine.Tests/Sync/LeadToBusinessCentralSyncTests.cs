using System.Globalization;
using System.Runtime.CompilerServices;
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
}
