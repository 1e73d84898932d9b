using System.Globalization;
using MlConnector.Engine.BusinessCentral;
using MlConnector.Engine.Mapping;
using MlConnector.Engine.Marketo;
using MlConnector.Engine.State;
using MlConnector.Engine.Sync;
using MlConnector.Engine.Sync.MarketoToBc;

namespace MlConnector.Engine.Tests.Sync;

/// <summary>Which changed leads are only the connector's own BC → Marketo write coming back, and when a reverse write seeds the forward state.</summary>
public sealed class ForwardEchoTests
{
    private const long LeadId = 7;

    /// <summary>Lead fields typed bool and DateTimeOffset on the BC side, beside the shipped string ones.</summary>
    private static readonly FieldMapping[] TypedLeadFields = [new("bcPrivacyBlocked", ["PrivacyBlocked"]), new("bcModifiedAt", ["LastModifiedDateTime"])];

    private static MappingSet Forward(LeadAccountFieldsWhen when, params FieldMapping[] moreLeadFields)
    {
        var shipped = MappingLoader.Default();
        return shipped with { Lead = shipped.Lead with { Fields = [.. shipped.Lead.Fields, .. moreLeadFields] }, LeadAccountFieldsWhen = when };
    }

    private static BcContact Ada(string city = "Seattle") => new()
    {
        Id = Guid.NewGuid(), Number = "CT0100", Type = "Person", DisplayName = "Ada Quill", FirstName = "Ada", LastName = "Quill",
        Email = "ada.quill@echo-test.example", City = city, CustomerNumber = "C00100", CompanyNumber = "CT0099",
        LastModifiedDateTime = new DateTimeOffset(2026, 3, 1, 10, 0, 0, TimeSpan.Zero),
    };

    private static readonly BcCustomer Account = new() { Id = Guid.NewGuid(), Number = "C00100", DisplayName = "Echo Traders", CurrencyCode = "EUR", Balance = 1234.5m, TotalSalesExcludingTax = 99m };

    /// <summary>A lead holding <paramref name="record"/>'s fields as Marketo returns them (text), with <paramref name="changes"/> on top.</summary>
    private static MarketoLead Holding(MarketoRecord record, long id = LeadId, params (string Field, string? Value)[] changes)
    {
        var fields = record.Fields.ToDictionary(f => f.Key, f => MarketoLead.Text(f.Value), StringComparer.OrdinalIgnoreCase);
        foreach (var (field, value) in changes) fields[field] = value;
        return new MarketoLead { Id = id, Fields = fields };
    }

    private static void Wrote(SyncSandbox sandbox, MarketoRecord record)
        => sandbox.State.Records(SyncDirection.BcToMarketo).Save([new RecordState(record.TargetKey, record.SourceNumber, record.ContentHash, "7", sandbox.Host.Clock.GetUtcNow())]);

    private static ForwardEcho Echo(SyncSandbox sandbox, MappingSet forward, MarketoToBcMapping? reverse = null)
        => new(sandbox.Context(), new BcToMarketoMapper(forward), new MarketoToBcMapper(reverse ?? MarketoToBcMapping.Default()));

    [Fact]
    public async Task Lead_fields_are_the_lead_targets_and_the_account_targets_unless_leads_never_carry_them()
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 1);
        var shipped = MappingLoader.Default();
        var leadTargets = shipped.Lead.Fields.Select(f => f.Target).ToArray();

        Assert.Equal(leadTargets, Echo(sandbox, Forward(LeadAccountFieldsWhen.Never)).LeadFields());
        Assert.Equal([.. leadTargets, "bcCurrencyCode", "bcBalance", "bcTotalSalesExclTax"], Echo(sandbox, Forward(LeadAccountFieldsWhen.CompaniesReadOnly)).LeadFields());
    }

    [Fact]
    public async Task A_lead_holding_what_was_last_written_is_an_echo_with_bools_and_times_typed_and_a_changed_lead_is_not()
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 1);
        var forward = Forward(LeadAccountFieldsWhen.Never, TypedLeadFields);
        var record = new BcToMarketoMapper(forward).MapContact(Ada(), null, withAccountFields: false).Record!;
        Wrote(sandbox, record);
        // The same instant as written ("2026-03-01T10:00:00Z"), in the form Marketo may return it.
        var echo = Holding(record, LeadId, ("bcModifiedAt", "2026-03-01T12:00:00+02:00"));
        var changed = Holding(record, LeadId + 1, ("firstName", "Ava"));

        var echoes = Echo(sandbox, forward).Echoes([echo, changed]);

        Assert.Equal([LeadId], echoes);
    }

    [Fact]
    public async Task A_lead_carrying_account_figures_is_an_echo_of_a_write_with_them_when_leads_carry_them()
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 1);
        var forward = Forward(LeadAccountFieldsWhen.CompaniesReadOnly);
        var record = new BcToMarketoMapper(forward).MapContact(Ada(), Account, withAccountFields: true).Record!;
        Wrote(sandbox, record);

        Assert.Equal([LeadId], Echo(sandbox, forward).Echoes([Holding(record)]));
    }

    [Fact]
    public async Task Account_figures_do_not_vouch_for_an_echo_when_leads_never_carry_them()
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 1);
        var forward = Forward(LeadAccountFieldsWhen.Never);
        var record = new BcToMarketoMapper(Forward(LeadAccountFieldsWhen.Always)).MapContact(Ada(), Account, withAccountFields: true).Record!;
        Wrote(sandbox, record);

        Assert.Empty(Echo(sandbox, forward).Echoes([Holding(record)]));
    }

    [Theory]
    [InlineData("""{ "marketoToBc": { "marketoOwns": ["customer.website"] } }""")] // website: a Marketo-owned customer field the forward mapping never writes to a lead
    [InlineData("""{ "marketoToBc": { "contact": { "fields": { "jobTitle": "leadSource" } } } }""")] // a contact field from a lead field the forward mapping never writes
    public async Task No_lead_is_an_echo_when_the_reverse_flow_would_write_a_Marketo_owned_field_the_forward_mapping_does_not_send(string reverseJson)
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 1);
        var forward = Forward(LeadAccountFieldsWhen.Never);
        var record = new BcToMarketoMapper(forward).MapContact(Ada(), null, withAccountFields: false).Record!;
        Wrote(sandbox, record);

        Assert.Empty(Echo(sandbox, forward, MarketoToBcMapping.FromUserJson(reverseJson)).Echoes([Holding(record)]));
    }

    [Fact]
    public async Task Seed_keeps_the_contact_forward_content_when_the_lead_holds_it_the_email_in_any_case()
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 1);
        var forward = Forward(LeadAccountFieldsWhen.Never, TypedLeadFields);
        var record = new BcToMarketoMapper(forward).MapContact(Ada(), null, withAccountFields: false).Record!;
        var lead = Holding(record, LeadId, ("email", "Ada.Quill@Echo-Test.example"));

        var state = Echo(sandbox, forward).Seed(lead, Ada());

        Assert.NotNull(state);
        Assert.Equal((record.TargetKey, record.SourceNumber, record.ContentHash, LeadId.ToString(CultureInfo.InvariantCulture)),
            (state.TargetKey, state.SourceNumber, state.ContentHash, state.TargetId));
    }

    [Fact]
    public async Task Seed_leaves_a_lead_whose_city_differs_in_case_only()
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 1);
        var forward = Forward(LeadAccountFieldsWhen.Never);
        var record = new BcToMarketoMapper(forward).MapContact(Ada(), null, withAccountFields: false).Record!;

        Assert.Null(Echo(sandbox, forward).Seed(Holding(record, LeadId, ("city", "SEATTLE")), Ada()));
    }

    [Fact]
    public async Task Seed_leaves_leads_that_carry_account_fields_always_or_while_Marketo_companies_are_not_known_writable()
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 1);
        var record = new BcToMarketoMapper(Forward(LeadAccountFieldsWhen.Never)).MapContact(Ada(), null, withAccountFields: false).Record!;
        var lead = Holding(record);
        var readOnly = Forward(LeadAccountFieldsWhen.CompaniesReadOnly);

        Assert.Null(Echo(sandbox, Forward(LeadAccountFieldsWhen.Always)).Seed(lead, Ada()));
        Assert.Null(Echo(sandbox, readOnly).Seed(lead, Ada()));
        Assert.True(await sandbox.Marketo.ProbeCompaniesWritableAsync(CancellationToken.None));
        Assert.NotNull(Echo(sandbox, readOnly).Seed(lead, Ada()));
        Assert.Null(Echo(sandbox, Forward(LeadAccountFieldsWhen.Always)).Seed(lead, Ada()));
    }
}
