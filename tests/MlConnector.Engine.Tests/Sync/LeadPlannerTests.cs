using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using MlConnector.Engine.Mapping;
using MlConnector.Engine.Marketo;
using MlConnector.Engine.State;
using MlConnector.Engine.Sync;
using MlConnector.Engine.Sync.MarketoToBc;
using static MlConnector.Engine.Tests.Sync.ReverseSandbox;

namespace MlConnector.Engine.Tests.Sync;

/// <summary>What the reverse planner makes of each lead of a batch, read straight from its plans (no write follows).</summary>
public sealed class LeadPlannerTests
{
    private static readonly MarketoToBcMapping MarketoOwnsWebsite =
        MarketoToBcMapping.FromUserJson("""{ "marketoToBc": { "marketoOwns": ["customer.website"] } }""");

    private static readonly MarketoToBcMapping BcOwnsContactPhone =
        MarketoToBcMapping.FromUserJson("""{ "marketoToBc": { "businessCentralOwns": ["contact.phoneNumber"] } }""");

    private static MarketoLead Lead(long id, string email, params (string Field, string? Value)[] more)
    {
        var fields = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
        {
            ["email"] = email, ["firstName"] = "Ada", ["lastName"] = "Quill", ["company"] = "Acme Trading",
        };
        foreach (var (field, value) in more) fields[field] = value;
        return new MarketoLead { Id = id, Fields = fields };
    }

    private static LeadPlanner Planner(SyncSandbox sandbox, MarketoToBcMapping? mapping = null, IProgress<SyncProgress>? progress = null)
        => new(sandbox.Context(progress: progress), new MarketoToBcMapper(mapping ?? MarketoToBcMapping.Default()));

    private static Task<List<LeadPlan>> PlanAsync(SyncSandbox sandbox, MarketoToBcMapping? mapping, params MarketoLead[] leads)
        => Planner(sandbox, mapping).PlanAsync(leads, CancellationToken.None);

    private static void LinkContact(SyncSandbox sandbox, long leadId, string number, Guid id)
        => sandbox.State.Links.Save([new RecordLink(LinkKind.Contact, number, id, leadId, null, sandbox.Host.Clock.GetUtcNow())]);

    private static void AssertUnchanged(LeadPlan plan, string contactNumber)
        => Assert.Equal((SyncAction.Unchanged, LeadResults.Contact, contactNumber, (string?)null),
            (plan.Settled?.Action, plan.Settled?.TargetType, plan.Settled?.TargetKey, plan.Settled?.Reason));

    [Fact]
    public async Task A_lead_without_a_Marketo_id_is_skipped_before_any_read()
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 0);

        var why = Planner(sandbox).LocalSkip(Lead(0, "ada@plan-test.example"), linked: false);

        Assert.Equal(LeadReasons.NoMarketoId + ": the input has no Marketo lead id (an id or MarketoId column)", why);
        Assert.Null(Planner(sandbox).LocalSkip(Lead(1, "ada@plan-test.example"), linked: false));
    }

    [Fact]
    public async Task A_linked_lead_is_taken_without_a_company_but_never_with_a_bad_email()
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 0);
        var planner = Planner(sandbox);
        var noCompany = Lead(5, "ada@plan-test.example", ("company", null));

        Assert.Null(planner.LocalSkip(noCompany, linked: true));
        Assert.Equal(LeadReasons.NotQualified + ": the lead has no company", planner.LocalSkip(noCompany, linked: false));
        Assert.Equal(LeadReasons.NotQualified + ": " + EmailRules.Invalid, planner.LocalSkip(Lead(6, "not-an-email"), linked: true));
    }

    [Fact]
    public async Task Contact_links_are_looked_up_for_real_lead_ids_only()
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 0);
        LinkContact(sandbox, 0, "CT-ZERO", Guid.NewGuid());
        LinkContact(sandbox, 7, "CT-SEVEN", Guid.NewGuid());

        var links = Planner(sandbox).ContactLinks([Lead(0, "zero@plan-test.example"), Lead(7, "seven@plan-test.example")]);

        Assert.Equal("CT-SEVEN", Assert.Single(links, l => l.Key == 7).Value.BcNumber);
        Assert.DoesNotContain(0, links.Keys);
    }

    [Fact]
    public async Task A_linked_lead_holding_what_was_last_written_is_unchanged_without_looking_the_contact_up()
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 0);
        // The link names a contact Business Central does not have: only the state can settle the lead.
        LinkContact(sandbox, 7, "CT-GONE", Guid.NewGuid());
        // The hash of the Marketo-owned values only: the phone belongs to Business Central here.
        var written = LeadPlanner.Hash(new Dictionary<string, string> { ["displayName"] = "Ada Quill", ["email"] = "ada@plan-test.example" });
        sandbox.State.Records(SyncDirection.MarketoToBc).Save([new RecordState("Contact:CT-GONE", "7", written, null, sandbox.Host.Clock.GetUtcNow())]);

        var plans = await PlanAsync(sandbox, BcOwnsContactPhone, Lead(0, "nobody@plan-test.example"), Lead(7, "ada@plan-test.example", ("phone", "+1 555 0100")));

        Assert.StartsWith(LeadReasons.NoMarketoId, plans[0].Settled?.Reason);
        AssertUnchanged(plans[1], "CT-GONE");
        Assert.Equal(written, plans[1].ContactHash);
    }

    [Fact]
    public async Task With_customer_fields_Marketo_owns_a_linked_lead_is_read_even_when_its_contact_matches_the_state()
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 0);
        var bc = sandbox.Host.BusinessCentral;
        var customer = bc.AddCustomer("Harbor Goods", c => c.Website = "old.example");
        var contact = bc.AddPersonContact("Ada Quill", "ada@plan-test.example", customer.CompanyContact!.Number);
        LinkContact(sandbox, 7, contact.Number, contact.Id);
        var written = LeadPlanner.Hash(new Dictionary<string, string> { ["displayName"] = "Ada Quill", ["email"] = "ada@plan-test.example" });
        sandbox.State.Records(SyncDirection.MarketoToBc).Save([new RecordState("Contact:" + contact.Number, "7", written, null, sandbox.Host.Clock.GetUtcNow())]);

        var plan = Assert.Single(await PlanAsync(sandbox, MarketoOwnsWebsite,
            Lead(7, "ada@plan-test.example", ("externalCompanyId", customer.Number), ("website", "new.example"))));

        Assert.Null(plan.Settled);
        Assert.Equal(contact.Id, plan.Contact?.Id);
        Assert.Equal(new FieldChange("website", "old.example", "new.example"), Assert.Single(plan.Customer!.Changes));
    }

    [Fact]
    public async Task A_contact_matched_by_email_that_already_holds_the_lead_is_unchanged()
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 0);
        var contact = sandbox.Host.BusinessCentral.AddPersonContact("Ada Quill", "ada@plan-test.example");

        var plan = Assert.Single(await PlanAsync(sandbox, null, Lead(7, "Ada@Plan-Test.example")));

        AssertUnchanged(plan, contact.Number);
        Assert.Null(plan.Customer);
    }

    [Fact]
    public async Task A_linked_lead_updates_its_contact_without_qualifying_as_a_customer_and_a_blank_field_changes_from_nothing()
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 0);
        var contact = sandbox.Host.BusinessCentral.AddPersonContact("Ada Quill", "ada@plan-test.example");
        LinkContact(sandbox, 7, contact.Number, contact.Id);
        LinkContact(sandbox, 8, "CT-GONE", Guid.NewGuid());

        var plans = await PlanAsync(sandbox, null,
            Lead(7, "ada@plan-test.example", ("company", null), ("title", "Buyer")),
            Lead(8, "gone@plan-test.example", ("company", null)));

        Assert.Null(plans[0].Settled);
        Assert.Equal(contact.Id, plans[0].Contact?.Id);
        Assert.Equal([new FieldChange("jobTitle", null, "Buyer")], plans[0].ContactChanges);
        // Its contact gone, the lead would become a new customer: now it has to qualify as one.
        Assert.Equal((SyncAction.Skipped, LeadReasons.NotQualified + ": the lead has no company"), (plans[1].Settled?.Action, plans[1].Settled?.Reason));
    }

    [Fact]
    public async Task A_new_contact_carries_every_mapped_field_and_leads_of_one_new_company_share_one_customer()
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 0);

        var plans = await PlanAsync(sandbox, BcOwnsContactPhone,
            Lead(7, "ada@plan-test.example", ("phone", "+1 555 0100")),
            Lead(8, "bob@plan-test.example", ("firstName", "Bob"), ("company", " ACME   trading "), ("city", "Oslo")));

        var ada = plans[0];
        Assert.Null(ada.Settled);
        var values = new Dictionary<string, string> { ["displayName"] = "Ada Quill", ["email"] = "ada@plan-test.example", ["phoneNumber"] = "+1 555 0100" };
        Assert.Equal(values.OrderBy(v => v.Key), ada.ContactValues.OrderBy(v => v.Key));
        Assert.Equal(values.Select(v => new FieldChange(v.Key, null, v.Value)).OrderBy(c => c.Field), ada.ContactChanges.OrderBy(c => c.Field));
        var customer = ada.Customer!;
        Assert.True(customer.IsNew);
        Assert.Same(customer, plans[1].Customer);
        Assert.Equal(("Acme Trading", 7L), (customer.Values["displayName"], customer.FirstLeadId));
        Assert.DoesNotContain("city", customer.Values.Keys); // the second lead's values do not touch the customer the first one creates
    }

    [Fact]
    public async Task A_lead_whose_email_two_contacts_have_is_skipped_naming_both()
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 0);
        var first = sandbox.Host.BusinessCentral.AddPersonContact("Ada Quill", "ada@plan-test.example");
        var second = sandbox.Host.BusinessCentral.AddPersonContact("Ada Q.", "ADA@plan-test.example");

        var plan = Assert.Single(await PlanAsync(sandbox, null, Lead(7, "ada@plan-test.example")));

        Assert.Equal(SyncAction.Skipped, plan.Settled?.Action);
        var numbers = new[] { first.Number, second.Number }.Order(StringComparer.Ordinal);
        Assert.Equal($"{LeadReasons.DuplicateEmail}: Business Central contacts {string.Join(", ", numbers)} have this email", plan.Settled?.Reason);
    }

    [Fact]
    public async Task With_customer_fields_Marketo_owns_an_unchanged_contact_is_unchanged_whatever_customer_its_lead_names()
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 0);
        var bc = sandbox.Host.BusinessCentral;
        var customer = bc.AddCustomer("Harbor Goods", c => c.Website = "same.example");
        var named = bc.AddPersonContact("Ada Quill", "named@plan-test.example", customer.CompanyContact!.Number);
        var unknown = bc.AddPersonContact("Ada Quill", "unknown@plan-test.example");
        var none = bc.AddPersonContact("Ada Quill", "none@plan-test.example");

        var plans = await PlanAsync(sandbox, MarketoOwnsWebsite,
            Lead(7, "named@plan-test.example", ("externalCompanyId", customer.Number), ("website", "same.example")),
            Lead(8, "unknown@plan-test.example", ("externalCompanyId", "NO-SUCH-CUSTOMER"), ("website", "any.example")),
            Lead(9, "none@plan-test.example", ("website", "any.example")));

        AssertUnchanged(plans[0], named.Number);
        AssertUnchanged(plans[1], unknown.Number);
        AssertUnchanged(plans[2], none.Number);
    }

    [Fact]
    public async Task A_customer_value_Business_Central_would_refuse_skips_the_lead_even_when_its_contact_is_unchanged()
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 0);
        var bc = sandbox.Host.BusinessCentral;
        var customer = bc.AddCustomer("Harbor Goods", c => c.Website = "same.example");
        var contacts = new[] { "first", "good", "later" }.Select(n => bc.AddPersonContact("Ada Quill", n + "@plan-test.example", customer.CompanyContact!.Number)).ToArray();
        var tooLong = new string('w', 78) + ".example";

        // The first lead of the customer is refused before the customer is planned; the last after another lead planned it.
        var plans = await PlanAsync(sandbox, MarketoOwnsWebsite,
            Lead(7, "first@plan-test.example", ("externalCompanyId", customer.Number), ("website", tooLong)),
            Lead(8, "good@plan-test.example", ("externalCompanyId", customer.Number), ("website", "same.example")),
            Lead(9, "later@plan-test.example", ("externalCompanyId", customer.Number), ("website", tooLong)));

        var refused = $"{LeadReasons.ValueTooLong}: the customer's website would be 86 characters; Business Central holds at most 80";
        Assert.Equal((SyncAction.Skipped, refused), (plans[0].Settled?.Action, plans[0].Settled?.Reason));
        AssertUnchanged(plans[1], contacts[1].Number);
        Assert.Equal((SyncAction.Skipped, refused), (plans[2].Settled?.Action, plans[2].Settled?.Reason));
    }

    [Fact]
    public async Task Later_leads_of_an_existing_customer_update_only_what_Marketo_owns_and_the_last_value_wins()
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 0);
        var customer = sandbox.Host.BusinessCentral.AddCustomer("Harbor Goods", c => c.Website = "zero.example");

        var plans = await PlanAsync(sandbox, MarketoOwnsWebsite,
            Lead(7, "first@plan-test.example", ("externalCompanyId", customer.Number), ("company", "Harbor Goods"), ("website", "one.example")),
            Lead(8, "second@plan-test.example", ("externalCompanyId", customer.Number), ("company", "Harbor Renamed"), ("website", "two.example")));

        Assert.All(plans, p => Assert.Null(p.Settled));
        var planned = plans[0].Customer!;
        Assert.Same(planned, plans[1].Customer);
        Assert.Equal((customer.Id, false), (planned.Id, planned.IsNew));
        Assert.Equal([new KeyValuePair<string, string>("website", "two.example")], planned.Values);
        Assert.Equal([new FieldChange("website", "zero.example", "two.example")], planned.Changes);
    }

    [Fact]
    public async Task A_new_contact_naming_no_customer_is_skipped_and_one_naming_a_renumbered_customer_finds_it_through_its_link()
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 0);
        var customer = sandbox.Host.BusinessCentral.AddCustomer("Harbor Goods");
        sandbox.State.Links.Save([new RecordLink(LinkKind.Customer, "OLD-7", customer.Id, 70, "OLD-7", sandbox.Host.Clock.GetUtcNow())]);

        var plans = await PlanAsync(sandbox, null,
            Lead(7, "lost@plan-test.example", ("externalCompanyId", "NO-SUCH-CUSTOMER")),
            Lead(8, "found@plan-test.example", ("externalCompanyId", "OLD-7")));

        Assert.Equal((SyncAction.Skipped, $"{LeadReasons.CustomerNotFound}: externalCompanyId NO-SUCH-CUSTOMER names no Business Central customer"),
            (plans[0].Settled?.Action, plans[0].Settled?.Reason));
        Assert.Null(plans[1].Settled);
        Assert.Equal((customer.Id, customer.Number), (plans[1].Customer?.Id, plans[1].Customer?.Number));
    }

    [Fact]
    public async Task A_country_only_the_contact_maps_is_checked_against_Business_Centrals_table()
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 0);
        var mapping = MarketoToBcMapping.FromUserJson("""{ "marketoToBc": { "customer": { "remove": ["country"] } } }""");

        var plan = Assert.Single(await PlanAsync(sandbox, mapping, Lead(7, "ada@plan-test.example", ("country", "Atlantis"))));

        Assert.Equal(SyncAction.Skipped, plan.Settled?.Action);
        Assert.StartsWith(LeadReasons.UnknownCountry + ": 'Atlantis'", plan.Settled?.Reason);
    }

    [Fact]
    public async Task Without_a_country_table_in_Business_Central_any_country_is_taken_as_given()
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 0);
        sandbox.Host.BusinessCentral.Store.Setup.CountriesRegions.Clear();

        var plan = Assert.Single(await PlanAsync(sandbox, null, Lead(7, "ada@plan-test.example", ("country", "Neverland"))));

        Assert.Null(plan.Settled);
        Assert.Equal(("Neverland", "Neverland"), (plan.ContactValues["country"], plan.Customer!.Values["country"]));
    }

    [Fact]
    public async Task A_new_customer_for_a_lead_without_a_company_is_named_after_the_person_else_the_email()
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 0);
        var mapping = MarketoToBcMapping.FromUserJson("""{ "marketoToBc": { "qualify": { "requireCompany": false } } }""");

        var plans = await PlanAsync(sandbox, mapping,
            Lead(7, "ada@plan-test.example", ("company", null)),
            Lead(8, "nameless@plan-test.example", ("company", null), ("firstName", null), ("lastName", null)));

        Assert.Equal(("Ada Quill", "nameless@plan-test.example"), (plans[0].Customer!.Values["displayName"], plans[1].Customer!.Values["displayName"]));
    }

    [Fact]
    public async Task A_new_customers_id_is_a_version_4_guid_from_the_pair_and_the_company_or_else_the_email()
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 0);
        var planner = Planner(sandbox);
        // The recipe is kept across versions: a run after an upgrade must still find the customers an earlier one created.
        Guid Expected(string key)
        {
            var bytes = SHA256.HashData(Encoding.UTF8.GetBytes($"mlconnector|customer|{sandbox.State.PairId}|{key}"));
            bytes[7] = (byte)((bytes[7] & 0x0F) | 0x40);
            bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
            return new Guid(bytes.AsSpan(0, 16));
        }

        var company = planner.NewCustomerId(Lead(7, "ada@plan-test.example", ("company", "  Acme \t Trading ")));
        var person = planner.NewCustomerId(Lead(8, " Ada@Plan-Test.example ", ("company", null)));
        var noEmail = planner.NewCustomerId(Lead(9, "", ("company", null)));

        Assert.Equal(Expected("company:acme trading"), company);
        Assert.Equal(Expected("person:ada@plan-test.example"), person);
        Assert.Equal(Expected("person:9"), noEmail);
        Assert.All(new[] { company, person, noEmail }, id => Assert.Equal((4, "10"), (id.Version, Convert.ToString(id.ToByteArray()[8] >> 6, 2))));
    }

    [Fact]
    public void The_record_state_keys_name_the_kind_and_the_number()
    {
        Assert.Equal(("Contact:CT000123", "Customer:C00042"), (LeadPlanner.ContactKey("CT000123"), LeadPlanner.CustomerKey("C00042")));
    }

    [Fact]
    public async Task Reading_Business_Central_is_reported_with_the_number_of_leads_to_read_for()
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 0);
        var reports = new List<SyncProgress>();

        await Planner(sandbox, progress: new Hook(reports.Add)).PlanAsync([Lead(0, "skipped@plan-test.example"), Lead(7, "ada@plan-test.example")], CancellationToken.None);

        Assert.Equal([new SyncProgress("Reading Business Central", 1)], reports);
    }

    [Fact]
    public void A_customers_display_name_is_the_planned_one_else_the_one_read_else_empty()
    {
        var read = new BcRow(JsonDocument.Parse("""{ "displayName": "Harbor Goods" }""").RootElement);
        var planned = new CustomerPlan { Id = Guid.NewGuid(), Existing = read, FirstLeadId = 7 };
        planned.Values["displayName"] = "Harbor Renamed";

        Assert.Equal("Harbor Renamed", planned.DisplayName);
        Assert.Equal("Harbor Goods", new CustomerPlan { Id = Guid.NewGuid(), Existing = read, FirstLeadId = 7 }.DisplayName);
        Assert.Equal("", new CustomerPlan { Id = Guid.NewGuid(), FirstLeadId = 7 }.DisplayName);
    }
}
