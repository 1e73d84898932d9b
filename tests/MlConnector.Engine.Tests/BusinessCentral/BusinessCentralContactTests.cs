using MlConnector.Engine.BusinessCentral;
using Sim = MlConnector.Sandbox.BusinessCentral;

namespace MlConnector.Engine.Tests.BusinessCentral;

public sealed class BusinessCentralContactTests : IAsyncLifetime
{
    private BcSandbox _sandbox = null!;
    private BusinessCentralClient _client = null!;

    public async Task InitializeAsync()
    {
        _sandbox = await BcSandbox.StartAsync(30);
        _client = await _sandbox.ConnectAsync(_sandbox.Settings(pageSize: 20));
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _sandbox.DisposeAsync();
    }

    [Fact]
    public async Task Every_contact_is_read_once_with_the_number_of_its_customer()
    {
        var store = _sandbox.Host.BusinessCentral.Store;
        var contacts = await BcSandbox.ToListAsync(_client.GetContactsAsync(new BcContactQuery(), default));

        Assert.Equal(store.Contacts.Select(c => c.Id).Order(), contacts.Select(c => c.Id).Order());
        foreach (var contact in contacts)
        {
            var source = store.Contact(contact.Id)!;
            Assert.Equal(source.Number, contact.Number);
            Assert.Equal(source.DisplayName, contact.DisplayName);
            Assert.Equal(source.Email, contact.Email);
            Assert.Equal(source.CompanyNumber, contact.CompanyNumber);
            Assert.True(ExpectedCustomer(store, source) == contact.CustomerNumber, $"{contact.Number} {contact.Type} rel={contact.ContactBusinessRelation} company={contact.CompanyNumber} persons={store.ContactsOfCompany(source.CompanyNumber).Count} expected {ExpectedCustomer(store, source)} got {contact.CustomerNumber}");
        }
        var person = contacts.First(c => c.Type == "Person" && c.CustomerNumber is not null);
        Assert.Equal(person.DisplayName, (person.FirstName + " " + person.LastName).Trim());
        Assert.Contains(_sandbox.BcCalls("/customerContacts"), e => e.Status == 200);
    }

    [Fact]
    public async Task Contacts_of_given_customers_come_through_contactsInformation()
    {
        var store = _sandbox.Host.BusinessCentral.Store;
        var customers = store.Customers.Where(c => c.CompanyContact is not null).Take(3).ToArray();
        var numbers = customers.Select(c => c.Number).ToArray();
        var contacts = await BcSandbox.ToListAsync(_client.GetContactsAsync(new BcContactQuery { CustomerNumbers = numbers }, default));

        var expected = store.Contacts.Where(c => ExpectedCustomer(store, c) is { } n && numbers.Contains(n)).Select(c => c.Id).Order().ToArray();
        Assert.NotEmpty(expected);
        Assert.Equal(expected, contacts.Select(c => c.Id).Order());
        Assert.All(contacts, c => Assert.Contains(c.CustomerNumber, numbers));
        var calls = _sandbox.BcCalls("/contactsInformation");
        Assert.Equal(customers.Length, calls.Count); // one call per customer, each with the filters BC requires
        Assert.All(calls, e =>
        {
            Assert.Contains("relatedType", Uri.UnescapeDataString(e.Path), StringComparison.Ordinal);
            Assert.Equal(200, e.Status);
        });
        foreach (var customer in customers)
            Assert.Single(calls, e => Uri.UnescapeDataString(e.Path).Contains("relatedId eq " + customer.Id.ToString("D"), StringComparison.OrdinalIgnoreCase));
    }

    private static string? ExpectedCustomer(Sim.BcDataStore store, Sim.BcContact contact)
    {
        var company = contact.CompanyNumber.Length > 0 ? store.ContactByNumber(contact.CompanyNumber) : contact;
        return company?.LinkedCustomer?.Number;
    }
}
