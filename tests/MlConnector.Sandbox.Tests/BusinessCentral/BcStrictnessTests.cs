using System.Net;
using System.Text.Json;

namespace MlConnector.Sandbox.Tests.BusinessCentral;

/// <summary>
/// Places where the simulator used to be kinder than Business Central (issue 12): filters on computed page fields,
/// the contact name breakdown, the default contact type, and the JSON formats of timestamps and @odata.context.
/// </summary>
public sealed class BcStrictnessTests : IClassFixture<SandboxFixture>
{
    private readonly BcTestClient _bc;

    public BcStrictnessTests(SandboxFixture sandbox) => _bc = new BcTestClient(sandbox.Host, sandbox.Http);

    private Sandbox.BusinessCentral.BusinessCentralSimulator Bc => _bc.Host.BusinessCentral;

    [Theory]
    [InlineData("customerId eq {0}")]
    [InlineData("customerName eq 'Anything'")]
    [InlineData("startswith(customerName,'A')")]
    public async Task CustomerContacts_refuse_a_filter_on_the_computed_customer_fields(string filter)
    {
        var customerId = Bc.Store.Customers[0].Id;
        using var response = await _bc.SendAsync(HttpMethod.Get, $"{_bc.Company}customerContacts?$filter={string.Format(filter, customerId)}");
        var message = await BcTestClient.AssertErrorAsync(response, HttpStatusCode.BadRequest, "BadRequest_NotSupported");
        Assert.Contains(filter.Contains("customerId", StringComparison.Ordinal) ? "customerId" : "customerName", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CustomerContacts_are_read_through_the_documented_paths()
    {
        var rows = (await _bc.GetCollectionAsync(_bc.Company + "customerContacts?$select=id,customerId", "customerContact")).GetProperty("value").EnumerateArray().ToList();
        var first = rows[0];
        var id = first.GetProperty("id").GetString();
        var single = await _bc.GetEntityAsync($"{_bc.Company}customerContacts({id})", "customerContact");
        Assert.Equal(first.GetProperty("customerId").GetString(), single.GetProperty("customerId").GetString());
        var byId = await _bc.GetCollectionAsync($"{_bc.Company}customerContacts?$filter=id eq {id}", "customerContact");
        Assert.Single(byId.GetProperty("value").EnumerateArray());

        // The customer page has no customerContacts part in $metadata or in the AL source (page 30009): BC refuses both forms.
        var customer = first.GetProperty("customerId").GetString();
        using var navigation = await _bc.SendAsync(HttpMethod.Get, $"{_bc.Company}customers({customer})/customerContacts");
        await BcTestClient.AssertErrorAsync(navigation, HttpStatusCode.NotFound, "BadRequest_ResourceNotFound");
        using var expand = await _bc.SendAsync(HttpMethod.Get, $"{_bc.Company}customers({customer})?$expand=customerContacts");
        await BcTestClient.AssertErrorAsync(expand, HttpStatusCode.BadRequest, "BadRequest_NotFound");
        var documented = await _bc.GetEntityAsync($"{_bc.Company}customers({customer})?$expand=contactsInformation", "customer");
        Assert.Contains(documented.GetProperty("contactsInformation").EnumerateArray(), r => r.GetProperty("contactId").GetString() == id);
    }

    [Theory]
    [InlineData("Ada Lovelace", "Ada", "Lovelace")]
    [InlineData("Anna Maria de Vries", "Anna Maria", "Vries")] // "de" is the middle name, which customerContacts does not show
    [InlineData("Jean Paul Sartre", "Jean", "Sartre")]
    [InlineData("Madonna", "Madonna", "")]
    [InlineData("Ludwig  van  Beethoven", "Ludwig", "Beethoven")]
    public async Task Person_names_are_broken_down_as_BC_does(string name, string first, string last)
    {
        var company = Bc.Store.Customers[1].CompanyContact!;
        var person = Bc.AddPersonContact(name, $"p{Guid.NewGuid():N}@example.com", company.Number);
        var row = await _bc.GetEntityAsync($"{_bc.Company}customerContacts({person.Id})", "customerContact");
        Assert.Equal(first, row.GetProperty("firstName").GetString());
        Assert.Equal(last, row.GetProperty("lastName").GetString());
    }

    [Fact]
    public async Task Post_contact_without_type_creates_a_company_contact()
    {
        using var response = await _bc.SendAsync(HttpMethod.Post, _bc.Company + "contacts", new { displayName = "Typeless Trading" });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        EdmxConformance.AssertEntity(json, "contact");
        Assert.Equal("Company", json.GetProperty("type").GetString());
        Assert.Equal(json.GetProperty("number").GetString(), json.GetProperty("companyNumber").GetString());
    }

    [Theory]
    [InlineData(120, "2026-01-02T03:04:05.12Z")]
    [InlineData(700, "2026-01-02T03:04:05.7Z")]
    [InlineData(0, "2026-01-02T03:04:05Z")]
    [InlineData(457, "2026-01-02T03:04:05.457Z")]
    public async Task LastModifiedDateTime_drops_trailing_fractional_zeros(int milliseconds, string expected)
    {
        var customer = Bc.Store.Customers[2];
        lock (Bc.Store.Gate) customer.LastModified = new DateTimeOffset(2026, 1, 2, 3, 4, 5, milliseconds, TimeSpan.Zero);
        var json = await _bc.GetEntityAsync($"{_bc.Company}customers({customer.Id})", "customer");
        Assert.Equal(expected, json.GetProperty("lastModifiedDateTime").GetString());
    }

    [Fact]
    public async Task Odata_context_leaves_out_the_tenant_segment()
    {
        var collection = await _bc.GetCollectionAsync(_bc.Company + "customers?$top=1", "customer");
        var expectedRoot = new Uri(_bc.Host.HttpBaseUri, $"v2.0/{Bc.Options.EnvironmentName}/api/v2.0/$metadata#").ToString();
        Assert.Equal(expectedRoot + $"companies({Bc.CompanyId})/customers", collection.GetProperty("@odata.context").GetString());
        var single = await _bc.GetEntityAsync($"{_bc.Company}customers({Bc.Store.Customers[0].Id})", "customer");
        Assert.Equal(expectedRoot + $"companies({Bc.CompanyId})/customers/$entity", single.GetProperty("@odata.context").GetString());
        Assert.DoesNotContain(Bc.TenantId, single.GetProperty("@odata.context").GetString()!, StringComparison.OrdinalIgnoreCase);
    }
}
