using System.Net;
using System.Text.Json;

namespace MlConnector.Sandbox.Tests.BusinessCentral;

/// <summary>
/// The writes the reverse flow (Marketo leads → BC customers and contacts) makes: relation checks as page 30009 and table 18
/// answer them, the customer template, number series, If-Match on contacts, and these writes inside $batch.
/// </summary>
public sealed class BcReverseWriteTests : IClassFixture<SandboxFixture>
{
    private readonly BcTestClient _bc;

    public BcReverseWriteTests(SandboxFixture sandbox) => _bc = new BcTestClient(sandbox.Host, sandbox.Http);

    private async Task<JsonElement> FirstAsync(string set, string entityType)
        => (await _bc.GetCollectionAsync($"{_bc.Company}{set}", entityType)).GetProperty("value")[0];

    private async Task<(HttpStatusCode Status, JsonElement Body)> PostAsync(string set, object body)
    {
        using var response = await _bc.SendAsync(HttpMethod.Post, _bc.Company + set, body);
        return (response.StatusCode, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone());
    }

    [Fact]
    public async Task The_setup_tables_a_customer_points_at_are_readable()
    {
        var terms = await FirstAsync("paymentTerms", "paymentTerm");
        var customer = _bc.Host.BusinessCentral.Store.Customers.First(c => c.PaymentTermsId != Guid.Empty);
        var expanded = await _bc.GetEntityAsync($"{_bc.Company}customers({customer.Id})?$expand=paymentTerm", "customer");
        Assert.Equal(customer.PaymentTermsId.ToString(), expanded.GetProperty("paymentTerm").GetProperty("id").GetString());
        Assert.NotEqual("", terms.GetProperty("code").GetString());
        await FirstAsync("shipmentMethods", "shipmentMethod");
        await FirstAsync("paymentMethods", "paymentMethod");
        var countries = await _bc.GetCollectionAsync($"{_bc.Company}countriesRegions?$filter=code eq 'DE'", "countryRegion");
        Assert.Single(countries.GetProperty("value").EnumerateArray());
    }

    [Theory]
    [InlineData("paymentTermsId", "Application_DialogException", "The \"paymentTermsId\" does not match to a Payment Terms.")]
    [InlineData("shipmentMethodId", "Application_DialogException", "The \"shipmentMethodId\" does not match to a Shipment Method.")]
    [InlineData("paymentMethodId", "Application_DialogException", "The \"paymentMethodId\" does not match to a Payment Method.")]
    public async Task An_id_that_names_no_setup_row_is_refused(string property, string code, string message)
    {
        var body = new Dictionary<string, object> { ["displayName"] = "Bad Reference Ltd", [property] = Guid.NewGuid().ToString() };
        using var response = await _bc.SendAsync(HttpMethod.Post, _bc.Company + "customers", body);
        Assert.StartsWith(message, await BcTestClient.AssertErrorAsync(response, HttpStatusCode.BadRequest, code));
    }

    [Fact]
    public async Task Country_codes_must_exist_in_Country_Region_for_customers_and_contacts()
    {
        using var customer = await _bc.SendAsync(HttpMethod.Post, _bc.Company + "customers", new { displayName = "Nowhere Ltd", country = "ZZ" });
        var message = await BcTestClient.AssertErrorAsync(customer, HttpStatusCode.BadRequest, "Internal_InvalidTableRelation");
        Assert.StartsWith("The field Country/Region Code of table Customer contains a value (ZZ) that cannot be found in the related table (Country/Region).", message);
        using var contact = await _bc.SendAsync(HttpMethod.Post, _bc.Company + "contacts", new { displayName = "Nowhere Person", type = "Person", country = "ZZ" });
        await BcTestClient.AssertErrorAsync(contact, HttpStatusCode.BadRequest, "Internal_InvalidTableRelation");

        var terms = (await FirstAsync("paymentTerms", "paymentTerm")).GetProperty("id").GetString();
        var (status, created) = await PostAsync("customers", new { displayName = "Somewhere GmbH", country = "de", paymentTermsId = terms, currencyCode = "EUR" });
        Assert.Equal(HttpStatusCode.Created, status);
        Assert.Equal("DE", created.GetProperty("country").GetString());
        Assert.Equal(terms, created.GetProperty("paymentTermsId").GetString());
        Assert.StartsWith("C", created.GetProperty("number").GetString());
    }

    [Fact]
    public async Task A_person_contact_is_created_under_its_company_numbered_from_the_series_and_patched_with_If_Match()
    {
        var company = _bc.Host.BusinessCentral.Store.Customers[4].CompanyContact!;
        var (status, person) = await PostAsync("contacts", new { displayName = "Grace Brewster Hopper", type = "Person", companyNumber = company.Number, email = "grace@example.com" });
        Assert.Equal(HttpStatusCode.Created, status);
        EdmxConformance.AssertEntity(person, "contact");
        Assert.StartsWith("CT", person.GetProperty("number").GetString());
        Assert.Equal("Customer", person.GetProperty("contactBusinessRelation").GetString());
        var row = await _bc.GetEntityAsync($"{_bc.Company}customerContacts({person.GetProperty("id").GetString()})", "customerContact");
        Assert.Equal("Hopper", row.GetProperty("lastName").GetString());

        var url = $"{_bc.Company}contacts({person.GetProperty("id").GetString()})";
        var etag = person.GetProperty("@odata.etag").GetString()!;
        using var ok = await _bc.SendAsync(HttpMethod.Patch, url, new { jobTitle = "Rear Admiral" }, h => h.TryAddWithoutValidation("If-Match", etag));
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        using var stale = await _bc.SendAsync(HttpMethod.Patch, url, new { jobTitle = "Admiral" }, h => h.TryAddWithoutValidation("If-Match", etag));
        await BcTestClient.AssertErrorAsync(stale, HttpStatusCode.Conflict, "Request_EntityChanged");
    }

    [Fact]
    public async Task The_customer_template_fills_what_the_request_leaves_out()
    {
        var options = new SandboxOptions { Customers = 5 };
        var (host, http) = await SandboxFixture.StartAsync(options);
        await using var _ = host;
        using var __ = http;
        var bc = new BcTestClient(host, http);
        var terms = host.BusinessCentral.Store.Setup.PaymentTerms[2].Id.ToString();
        using (var set = await http.PostAsync(new Uri(host.AdminUri, "bc/settings"), new StringContent(
            JsonSerializer.Serialize(new { customerTemplate = new { paymentTermsId = terms, country = "US", creditLimit = 2500 } }), System.Text.Encoding.UTF8, "application/json")))
            Assert.Equal(HttpStatusCode.OK, set.StatusCode);

        using var response = await bc.SendAsync(HttpMethod.Post, bc.Company + "customers", new { displayName = "Templated Inc.", country = "CA" });
        var created = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(terms, created.GetProperty("paymentTermsId").GetString());
        Assert.Equal(2500, created.GetProperty("creditLimit").GetDecimal());
        Assert.Equal("CA", created.GetProperty("country").GetString());

        using var refused = await http.PostAsync(new Uri(host.AdminUri, "bc/settings"), new StringContent("""{"customerTemplate":{"balanceDue":1}}""", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
    }

    [Fact]
    public async Task Batch_carries_the_reverse_writes_and_answers_each_with_its_own_status()
    {
        var store = _bc.Host.BusinessCentral.Store;
        var customer = store.Customers[6];
        var current = (await _bc.GetEntityAsync($"{_bc.Company}customers({customer.Id})", "customer")).GetProperty("@odata.etag").GetString();
        var company = $"companies({_bc.Host.BusinessCentral.CompanyId})";
        var body = new
        {
            requests = new object[]
            {
                new { method = "POST", id = "contact", url = $"{company}/contacts", headers = new Dictionary<string, string> { ["Content-Type"] = "application/json" },
                    body = new { displayName = "Batch Person", type = "Person", companyNumber = customer.CompanyContact!.Number } },
                new { method = "PATCH", id = "fresh", url = $"{company}/customers({customer.Id})", headers = new Dictionary<string, string> { ["If-Match"] = current! }, body = new { city = "Batchville" } },
                new { method = "PATCH", id = "stale", url = $"{company}/customers({customer.Id})", headers = new Dictionary<string, string> { ["If-Match"] = current! }, body = new { city = "Too Late" } },
                new { method = "POST", id = "bad", url = $"{company}/customers", body = new { displayName = "Bad Country", country = "ZZ" } },
            },
        };
        using var response = await _bc.SendAsync(HttpMethod.Post, _bc.ApiRoot + "$batch", body);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var responses = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("responses").EnumerateArray().ToList();
        Assert.Equal(new[] { 201, 200, 409, 400 }, responses.Select(r => r.GetProperty("status").GetInt32()));
        Assert.Equal("Batchville", store.Customer(customer.Id)!.City);
        Assert.Contains(store.Contacts, c => c.DisplayName == "Batch Person");
    }
}
