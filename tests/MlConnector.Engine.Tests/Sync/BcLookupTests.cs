using MlConnector.Engine.Sync.MarketoToBc;
using MlConnector.Sandbox.BusinessCentral;

namespace MlConnector.Engine.Tests.Sync;

/// <summary>The Business Central rows a batch of leads is matched against, read through the sandbox.</summary>
public sealed class BcLookupTests
{
    private static BcLookupRequest Request(IReadOnlyCollection<Guid>? contactIds = null, IReadOnlyCollection<string>? emails = null, bool countries = false)
        => new([], [], contactIds ?? [], emails ?? [], countries);

    [Fact]
    public async Task Contacts_by_id_and_by_email_are_kept_once_and_only_persons_with_a_usable_email_are_found_by_it()
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 2);
        var bc = sandbox.Host.BusinessCentral;
        var company = bc.Store.Customers[0].CompanyContact!;
        var person = bc.AddPersonContact("Ada Quill", "Ada.Quill@Lookup-Test.example", company.Number);
        var badEmail = bc.AddPersonContact("Bo Broken", "bo.broken@", company.Number);
        bc.ModifyContactInUi(company.Id, c => c.Email = "ada.quill@lookup-test.example");

        var lookup = await BcLookup.ReadAsync(sandbox.BusinessCentral, Request([person.Id, badEmail.Id, company.Id], ["ada.quill@lookup-test.example"]), CancellationToken.None);

        Assert.Equal(new[] { person.Id, badEmail.Id, company.Id }.Order(), lookup.ContactsById.Keys.Order());
        Assert.Equal(company.Number, lookup.ContactsById[person.Id].CompanyNumber);
        var found = Assert.Single(Assert.Single(lookup.PersonsByEmail).Value);
        Assert.Equal(person.Id, found.Id);
    }

    [Fact]
    public async Task Persons_are_found_by_email_and_company_contacts_sharing_it_are_not_read()
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 2);
        var bc = sandbox.Host.BusinessCentral;
        var company = bc.Store.Customers[0].CompanyContact!;
        var person = bc.AddPersonContact("Ada Quill", "ada.quill@lookup-test.example", company.Number);
        bc.ModifyContactInUi(company.Id, c => c.Email = "ada.quill@lookup-test.example");

        var lookup = await BcLookup.ReadAsync(sandbox.BusinessCentral, Request(emails: ["Ada.Quill@Lookup-Test.example"]), CancellationToken.None);

        Assert.Equal([person.Id], lookup.ContactsById.Keys);
        Assert.Equal([person.Id], lookup.PersonsByEmail["ada.quill@lookup-test.example"].Select(r => r.Id));
    }

    [Fact]
    public async Task Countries_are_found_by_code_and_by_a_display_name_that_is_not_empty_and_rows_without_a_code_are_dropped()
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 1);
        var setup = sandbox.Host.BusinessCentral.Store.Setup;
        lock (sandbox.Host.BusinessCentral.Store.Gate)
        {
            setup.CountriesRegions.Single(c => c.Code == "DE").DisplayName = "Germany";
            setup.CountriesRegions.Single(c => c.Code == "FR").DisplayName = "";
            var nameless = setup.CountriesRegions.Single(c => c.Code == "ZA");
            (nameless.Code, nameless.DisplayName) = ("", "Nowhere");
        }

        var lookup = await BcLookup.ReadAsync(sandbox.BusinessCentral, Request(countries: true), CancellationToken.None);

        Assert.Equal("DE", lookup.Countries["germany"]);
        Assert.Equal("DE", lookup.Countries["de"]);
        Assert.Equal("FR", lookup.Countries["FR"]);
        Assert.False(lookup.Countries.ContainsKey(""));
        Assert.False(lookup.Countries.ContainsKey("Nowhere"));
        Assert.Equal(BcSetupTables.CountryCodes.Length, lookup.Countries.Count); // Germany added, the row without a code dropped
    }

    [Fact]
    public async Task A_customer_without_company_contact_information_has_no_company_contact_number()
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 2);
        var customer = sandbox.Host.BusinessCentral.Store.Customers[1];
        var unknown = Guid.NewGuid();

        var found = await BcLookup.CompanyContactsAsync(sandbox.BusinessCentral, [customer.Id, unknown, customer.Id], CancellationToken.None);

        Assert.Equal(customer.CompanyContact!.Number, Assert.Single(found, f => f.Key == customer.Id).Value);
        Assert.False(found.ContainsKey(unknown));
    }
}
