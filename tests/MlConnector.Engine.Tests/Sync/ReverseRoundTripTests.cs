using MlConnector.Engine.Diagnostics;
using MlConnector.Engine.Mapping;
using MlConnector.Engine.State;
using MlConnector.Engine.Sync;
using MlConnector.Engine.Sync.MarketoToBc;
using MlConnector.Sandbox.Core;
using static MlConnector.Engine.Tests.Sync.ReverseSandbox;

namespace MlConnector.Engine.Tests.Sync;

/// <summary>Marketo leads into Business Central and back: one customer and one contact per new company, no duplicates, no echoes.</summary>
public sealed class ReverseRoundTripTests
{
    [Fact]
    public async Task A_marketing_lead_becomes_one_customer_with_one_contact_and_the_round_trip_ends_without_duplicates_or_echoes()
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 8);
        await sandbox.RunAsync(); // the pair's BC → Marketo state, as in production
        var bc = sandbox.Host.BusinessCentral.Store;
        var customersBefore = bc.Customers.Count;
        var since = sandbox.Host.Clock.GetUtcNow().AddMinutes(-1);
        var leadId = sandbox.MarketingLead("ada.quill@northwind-test.example", "Northwind Traders Test", ("phone", "+1 555 0101"), ("city", "Seattle"));

        var first = await sandbox.RunReverseAsync(Request(since));

        var customer = Assert.Single(bc.Customers, c => c.DisplayName == "Northwind Traders Test");
        Assert.Equal(customersBefore + 1, bc.Customers.Count);
        var person = Assert.Single(bc.Contacts, c => c.Email == "ada.quill@northwind-test.example" && c.Type == "Person");
        Assert.Equal(customer.CompanyContact!.Number, person.CompanyNumber);
        Assert.Equal(("Ada Quill", "Seattle", "+1 555 0101"), (person.DisplayName, person.City, person.PhoneNumber));
        Assert.Equal([(LeadResults.Customer, SyncAction.Created), (LeadResults.Contact, SyncAction.Created)], first.Select(r => (r.TargetType, r.Action)));
        Assert.Equal(customer.Number, first[0].TargetKey);
        Assert.Equal(person.Number, first[1].TargetKey);

        // The new customer number went back to Marketo: the lead's externalCompanyId, and a company with that key.
        var lead = sandbox.Host.Marketo.Lead(leadId)!;
        Assert.Equal(customer.Number, lead.Fields["externalCompanyId"]);
        var company = sandbox.Host.Marketo.CompanyByExternalId(customer.Number)!;
        Assert.Equal("Northwind Traders Test", company.Fields["company"]);

        // A second reverse run creates nothing: the feed holds only the connector's own write-back.
        sandbox.Host.Journal.Clear();
        var second = await sandbox.RunReverseAsync();
        Assert.Empty(second);
        Assert.Empty(sandbox.BcWrites());
        Assert.Equal(customersBefore + 1, bc.Customers.Count);

        // The next BC → Marketo pass updates that same company and lead: nothing new in Marketo.
        var (leads, companies) = (sandbox.Host.Marketo.LeadCount, sandbox.Host.Marketo.CompanyCount);
        var forward = await sandbox.RunAsync();
        Assert.Contains(forward, r => r.TargetType == "Company" && r.SourceNumber == customer.Number && r.Action == SyncAction.Updated && r.MarketoId == company.Id);
        Assert.Contains(forward, r => r.TargetType == "Lead" && r.SourceNumber == person.Number && r.Action == SyncAction.Updated && r.MarketoId == leadId);
        Assert.Equal((leads, companies), (sandbox.Host.Marketo.LeadCount, sandbox.Host.Marketo.CompanyCount));

        // ... and the following reverse pass sends nothing back to Business Central (the journal shows no BC call at all).
        sandbox.Host.Journal.Clear();
        var third = await sandbox.RunReverseAsync();
        Assert.Empty(third);
        Assert.Empty(sandbox.Host.Journal.For(SandboxService.BusinessCentral));
    }

    [Fact]
    public async Task Two_leads_of_one_new_company_make_one_customer_and_a_later_lead_of_it_joins_that_customer()
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 4);
        var bc = sandbox.Host.BusinessCentral.Store;
        var since = sandbox.Host.Clock.GetUtcNow().AddMinutes(-1);
        sandbox.MarketingLead("one@fabrikam-test.example", "Fabrikam Test");
        sandbox.MarketingLead("two@fabrikam-test.example", "  fabrikam   test ");
        await sandbox.RunReverseAsync(Request(since));

        var customer = Assert.Single(bc.Customers, c => c.DisplayName.Contains("abrikam", StringComparison.Ordinal));
        sandbox.MarketingLead("three@fabrikam-test.example", "Fabrikam Test");
        var later = await sandbox.RunReverseAsync();

        Assert.Single(bc.Customers, c => c.DisplayName.Contains("abrikam", StringComparison.Ordinal));
        Assert.Equal(3, bc.ContactsOfCompany(customer.CompanyContact!.Number).Count(c => c.Type == "Person"));
        Assert.Equal([(LeadResults.Contact, SyncAction.Created)], later.Select(r => (r.TargetType, r.Action)));
    }

    [Fact]
    public async Task A_first_run_without_a_watermark_starts_now_and_says_so()
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 2);
        sandbox.MarketingLead("early@contoso-test.example", "Contoso Test");
        // sinceDatetime has whole seconds: a change in the same second as "now" would still be read.
        sandbox.Host.Clock.Advance(TimeSpan.FromSeconds(2));

        var results = await sandbox.RunReverseAsync();

        Assert.Empty(results);
        Assert.Contains(sandbox.Log.Lines, l => l.StartsWith("WARNING " + EngineWarnings.LeadChangesFromNow, StringComparison.Ordinal));
        Assert.NotNull(sandbox.State.Checkpoints.GetWatermark(SyncCheckpoints.LeadChanges));
        Assert.DoesNotContain(sandbox.Host.BusinessCentral.Store.Customers, c => c.DisplayName == "Contoso Test");
    }
}
