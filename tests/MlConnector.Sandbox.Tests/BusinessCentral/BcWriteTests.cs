using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace MlConnector.Sandbox.Tests.BusinessCentral;

/// <summary>POST/PATCH/DELETE, etags, validation and $batch, in this class's own sandbox.</summary>
public sealed class BcWriteTests : IClassFixture<SandboxFixture>
{
    private readonly BcTestClient _bc;

    public BcWriteTests(SandboxFixture sandbox) => _bc = new BcTestClient(sandbox.Host, sandbox.Http);

    private async Task<JsonElement> CreateCustomerAsync(object body)
    {
        using var response = await _bc.SendAsync(HttpMethod.Post, _bc.Company + "customers", body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, text);
        var json = JsonDocument.Parse(text).RootElement.Clone();
        EdmxConformance.AssertEntity(json, "customer");
        return json;
    }

    [Fact]
    public async Task Post_customer_returns_201_with_number_series_etag_stamp_and_a_company_contact()
    {
        var created = await CreateCustomerAsync(new { displayName = "Nova Sandbox Ltd", email = "hello@nova.example.com" });
        Assert.StartsWith("C", created.GetProperty("number").GetString());
        Assert.Equal("_x0020_", created.GetProperty("blocked").GetString());
        Assert.Equal("USD", created.GetProperty("currencyCode").GetString());
        var stamp = DateTimeOffset.Parse(created.GetProperty("lastModifiedDateTime").GetString()!);
        Assert.True((_bc.Host.Clock.GetUtcNow() - stamp).Duration() < TimeSpan.FromSeconds(5));
        var id = Guid.Parse(created.GetProperty("id").GetString()!);
        var contacts = await _bc.GetCollectionAsync($"{_bc.Company}contactsInformation?$filter=relatedId eq {id} and relatedType eq 'Customer'", "contactInformation");
        Assert.Equal("Company", Assert.Single(contacts.GetProperty("value").EnumerateArray()).GetProperty("contactType").GetString());
    }

    /// <summary>
    /// The keyed path keeps rows in key order between writes: a write that moves a row (a renumbered customer, a person
    /// contact moved to another company) shows on the next keyed page read, and an edit that leaves the keys alone shows
    /// its new values in place; keyed pages hold what the general path ($orderby) returns after each.
    /// </summary>
    [Fact]
    public async Task Keyed_pages_follow_writes_that_move_rows_and_edits_that_do_not()
    {
        var store = _bc.Host.BusinessCentral.Store;
        await AssertKeyedEqualsGeneralAsync();

        var customer = store.Customers.OrderBy(c => c.Number, StringComparer.Ordinal).First(c => c.CompanyContact is not null);
        await PatchAsync($"customers({customer.Id})", new { number = "ZZ" + customer.Number });
        await AssertKeyedEqualsGeneralAsync();
        var person = store.Contacts.First(c => c.Type == "Person" && c.CompanyNumber.Length > 0 && c.CompanyNumber != customer.CompanyContact!.Number);
        await PatchAsync($"contacts({person.Id})", new { companyNumber = customer.CompanyContact!.Number });
        await AssertKeyedEqualsGeneralAsync();
        var linked = store.Contacts.Last(c => c.Type == "Person" && c.CompanyNumber.Length > 0 && store.ContactByNumber(c.CompanyNumber)?.LinkedCustomer is not null);
        await PatchAsync($"contacts({linked.Id})", new { jobTitle = "Keyed Edit" });
        await AssertKeyedEqualsGeneralAsync();

        var moved = (await _bc.ReadAllPagesAsync($"{_bc.Company}customerContacts?$select=id,customerId", "customerContact", 7))
            .Single(r => r.GetProperty("id").GetString() == person.Id.ToString());
        Assert.Equal(customer.Id.ToString(), moved.GetProperty("customerId").GetString());
    }

    private async Task PatchAsync(string path, object body)
    {
        using var response = await _bc.SendAsync(HttpMethod.Patch, _bc.Company + path, body, h => h.TryAddWithoutValidation("If-Match", "*"));
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
    }

    private async Task AssertKeyedEqualsGeneralAsync()
    {
        foreach (var (set, type, key, select) in new[]
        {
            ("customers", "customer", "number", "number,displayName"),
            ("contacts", "contact", "number", "number,companyNumber,jobTitle"),
            ("customerContacts", "customerContact", "id", "id,customerId"),
        })
        {
            var keyed = await _bc.ReadAllPagesAsync($"{_bc.Company}{set}?$select={select}", type, 7);
            var general = await _bc.ReadAllPagesAsync($"{_bc.Company}{set}?$select={select}&$orderby={key}", type, 7);
            Assert.Equal(general.Select(r => r.GetRawText()), keyed.Select(r => r.GetRawText()));
        }
    }

    [Theory]
    [InlineData("{\"email\":\"a@b.example.com\"}", "Application_DialogException", "A \"displayName\" must be provided.")]
    [InlineData("{\"displayName\":\"   \"}", "Application_DialogException", "The blank \"displayName\" is not allowed.")]
    [InlineData("{\"displayName\":\"X\",\"addressLine2\":\"123456789012345678901234567890123456789012345678901\"}", "Application_StringExceededLength", "The length of the string is 51, but it must be less than or equal to 50 characters.")]
    [InlineData("{\"displayName\":\"X\",\"colour\":\"red\"}", "BadRequest", "The property 'colour' does not exist on type 'Microsoft.NAV.customer'.")]
    [InlineData("{\"displayName\":\"X\",\"balanceDue\":5}", "BadRequest_InvalidOperation", "Control 'balanceDue' is read-only.")]
    [InlineData("{\"displayName\":\"X\",\"currencyId\":\"11111111-2222-3333-4444-555555555555\"}", "Application_DialogException", "The \"currencyId\" does not match to a Currency.")]
    [InlineData("{\"displayName\":\"X\",\"blocked\":\"Sometimes\"}", "BadRequest", "The string 'Sometimes' is not a valid enumeration type constant.")]
    [InlineData("{\"displayName\":\"X\",\"email\":\"not-an-email\"}", "Application_DialogException", "The email address \"not-an-email\" is not valid.")]
    [InlineData("{\"displayName\":", "BadRequest", "Invalid Request Body")]
    public async Task Post_customer_validation_errors_use_BC_codes(string body, string code, string messageStart)
    {
        var before = _bc.Host.BusinessCentral.Store.Customers.Count;
        using var response = await _bc.SendAsync(HttpMethod.Post, _bc.Company + "customers", body);
        var message = await BcTestClient.AssertErrorAsync(response, HttpStatusCode.BadRequest, code);
        Assert.StartsWith(messageStart, message);
        Assert.Equal(before, _bc.Host.BusinessCentral.Store.Customers.Count);
    }

    [Fact]
    public async Task Post_with_duplicate_number_fails_with_same_key_exists()
    {
        using var response = await _bc.SendAsync(HttpMethod.Post, _bc.Company + "customers", new { displayName = "Dup", number = "C00001" });
        await BcTestClient.AssertErrorAsync(response, HttpStatusCode.BadRequest, "Internal_EntityWithSameKeyExists");
    }

    [Fact]
    public async Task A_renumbered_contact_is_found_by_its_new_number_and_a_taken_number_is_refused()
    {
        var store = _bc.Host.BusinessCentral.Store;
        var people = store.Contacts.Where(c => c.Type == "Person").Take(2).ToArray();
        var (person, other) = (people[0], people[1]);
        var oldNumber = person.Number;

        await PatchAsync($"contacts({person.Id})", new { number = "RN" + oldNumber });

        var found = await _bc.GetCollectionAsync($"{_bc.Company}contacts?$filter=number eq 'RN{oldNumber}'", "contact");
        Assert.Equal(person.Id.ToString(), Assert.Single(found.GetProperty("value").EnumerateArray()).GetProperty("id").GetString());
        Assert.Empty((await _bc.GetCollectionAsync($"{_bc.Company}contacts?$filter=number eq '{oldNumber}'", "contact")).GetProperty("value").EnumerateArray());

        using var taken = await _bc.SendAsync(HttpMethod.Patch, $"{_bc.Company}contacts({person.Id})", new { number = other.Number }, h => h.TryAddWithoutValidation("If-Match", "*"));
        var message = await BcTestClient.AssertErrorAsync(taken, HttpStatusCode.BadRequest, "Internal_EntityWithSameKeyExists");
        Assert.StartsWith($"The Contact already exists. Identification fields and values: No.='{other.Number}'", message, StringComparison.Ordinal);
        Assert.Equal("RN" + oldNumber, person.Number);
        Assert.Same(other, store.ContactByNumber(other.Number));
    }

    [Fact]
    public async Task Patch_without_If_Match_is_400_invalid_token()
    {
        var created = await CreateCustomerAsync(new { displayName = "No Etag Inc." });
        using var response = await _bc.SendAsync(HttpMethod.Patch, $"{_bc.Company}customers({created.GetProperty("id").GetString()})", new { city = "Oslo" });
        await BcTestClient.AssertErrorAsync(response, HttpStatusCode.BadRequest, "BadRequest_InvalidToken");
    }

    [Fact]
    public async Task Patch_with_current_etag_returns_200_new_etag_and_new_stamp_then_old_etag_is_409()
    {
        var created = await CreateCustomerAsync(new { displayName = "Etag Works Ltd" });
        var url = $"{_bc.Company}customers({created.GetProperty("id").GetString()})";
        var etag = created.GetProperty("@odata.etag").GetString()!;
        _bc.Host.Clock.Advance(TimeSpan.FromSeconds(2));
        using var ok = await _bc.SendAsync(HttpMethod.Patch, url, new { city = "Oslo", currencyCode = "EUR" }, h => h.TryAddWithoutValidation("If-Match", etag));
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        var updated = JsonDocument.Parse(await ok.Content.ReadAsStringAsync()).RootElement;
        EdmxConformance.AssertEntity(updated, "customer");
        Assert.Equal("Oslo", updated.GetProperty("city").GetString());
        Assert.Equal("EUR", updated.GetProperty("currencyCode").GetString());
        Assert.NotEqual(Guid.Empty.ToString(), updated.GetProperty("currencyId").GetString());
        Assert.NotEqual(etag, updated.GetProperty("@odata.etag").GetString());
        Assert.True(DateTimeOffset.Parse(updated.GetProperty("lastModifiedDateTime").GetString()!) > DateTimeOffset.Parse(created.GetProperty("lastModifiedDateTime").GetString()!));

        using var stale = await _bc.SendAsync(HttpMethod.Patch, url, new { city = "Bergen" }, h => h.TryAddWithoutValidation("If-Match", etag));
        var message = await BcTestClient.AssertErrorAsync(stale, HttpStatusCode.Conflict, "Request_EntityChanged");
        Assert.StartsWith("Another user has already changed the record.", message);
    }

    [Fact]
    public async Task Patch_with_star_If_Match_is_accepted_and_customer_changes_flow_to_company_contact()
    {
        var created = await CreateCustomerAsync(new { displayName = "Star Match Ltd" });
        var id = Guid.Parse(created.GetProperty("id").GetString()!);
        using var ok = await _bc.SendAsync(HttpMethod.Patch, $"{_bc.Company}customers({id})", new { displayName = "Star Match Renamed Ltd" }, h => h.TryAddWithoutValidation("If-Match", "*"));
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        var contact = _bc.Host.BusinessCentral.Store.Customer(id)!.CompanyContact!;
        var json = await _bc.GetEntityAsync($"{_bc.Company}contacts({contact.Id})", "contact");
        Assert.Equal("Star Match Renamed Ltd", json.GetProperty("displayName").GetString());
    }

    [Fact]
    public async Task Delete_requires_If_Match_returns_204_and_the_customer_is_gone()
    {
        var created = await CreateCustomerAsync(new { displayName = "Short Lived Co" });
        var url = $"{_bc.Company}customers({created.GetProperty("id").GetString()})";
        using var noEtag = await _bc.SendAsync(HttpMethod.Delete, url);
        await BcTestClient.AssertErrorAsync(noEtag, HttpStatusCode.BadRequest, "BadRequest_InvalidToken");
        using var deleted = await _bc.SendAsync(HttpMethod.Delete, url, headers: h => h.TryAddWithoutValidation("If-Match", created.GetProperty("@odata.etag").GetString()));
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        using var gone = await _bc.SendAsync(HttpMethod.Get, url);
        await BcTestClient.AssertErrorAsync(gone, HttpStatusCode.NotFound, "Internal_RecordNotFound");
    }

    [Fact]
    public async Task Post_person_contact_under_a_company_takes_the_company_name()
    {
        var company = _bc.Host.BusinessCentral.Store.Customers[0].CompanyContact!;
        using var response = await _bc.SendAsync(HttpMethod.Post, _bc.Company + "contacts", new { displayName = "Ada Lovelace", type = "Person", companyNumber = company.Number, email = "ada@example.com" });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        EdmxConformance.AssertEntity(json, "contact");
        Assert.Equal(company.DisplayName, json.GetProperty("companyName").GetString());
        Assert.Equal("ADA LOVELACE", json.GetProperty("searchName").GetString());
    }

    [Fact]
    public async Task Write_to_read_only_entity_set_is_method_not_allowed()
    {
        using var response = await _bc.SendAsync(HttpMethod.Post, _bc.Company + "customerFinancialDetails", new { number = "X" });
        await BcTestClient.AssertErrorAsync(response, HttpStatusCode.MethodNotAllowed, "BadRequest_MethodNotAllowed");
    }

    [Fact]
    public async Task Batch_runs_operations_independently_without_isolation()
    {
        var body = new
        {
            requests = new object[]
            {
                new { method = "POST", id = "1", url = $"companies({_bc.Host.BusinessCentral.CompanyId})/customers", headers = new Dictionary<string, string> { ["Content-Type"] = "application/json" }, body = new { displayName = "Batch One" } },
                new { method = "POST", id = "2", url = $"companies({_bc.Host.BusinessCentral.CompanyId})/customers", body = new { email = "no-name@example.com" } },
                new { method = "GET", id = "3", url = $"companies({_bc.Host.BusinessCentral.CompanyId})/customers?$filter=displayName eq 'Batch One'" },
            },
        };
        using var response = await _bc.SendAsync(HttpMethod.Post, _bc.ApiRoot + "$batch", body);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var responses = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("responses").EnumerateArray().ToList();
        Assert.Equal(new[] { 201, 400, 200 }, responses.Select(r => r.GetProperty("status").GetInt32()));
        Assert.Equal("Application_DialogException", responses[1].GetProperty("body").GetProperty("error").GetProperty("code").GetString());
        EdmxConformance.AssertEntity(responses[0].GetProperty("body"), "customer");
        EdmxConformance.AssertCollection(responses[2].GetProperty("body"), "customer");
        Assert.Equal(1, responses[2].GetProperty("body").GetProperty("value").GetArrayLength());
    }

    [Fact]
    public async Task Batch_with_isolation_snapshot_rolls_everything_back_on_a_failure()
    {
        var target = _bc.Host.BusinessCentral.Store.Customers[3];
        var originalCity = target.City;
        var before = _bc.Host.BusinessCentral.Store.Customers.Count;
        var body = new
        {
            requests = new object[]
            {
                new { method = "POST", id = "a", url = $"companies({_bc.Host.BusinessCentral.CompanyId})/customers", body = new { displayName = "Rolled Back" } },
                new { method = "PATCH", id = "b", url = $"companies({_bc.Host.BusinessCentral.CompanyId})/customers({target.Id})", headers = new Dictionary<string, string> { ["If-Match"] = "*" }, body = new { city = "Nowhere" } },
                new { method = "PATCH", id = "c", url = $"companies({_bc.Host.BusinessCentral.CompanyId})/customers({target.Id})", body = new { city = "No etag" } },
            },
        };
        using var response = await _bc.SendAsync(HttpMethod.Post, _bc.ApiRoot + "$batch", body, h => h.Add("Isolation", "snapshot"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(before, _bc.Host.BusinessCentral.Store.Customers.Count);
        Assert.Equal(originalCity, _bc.Host.BusinessCentral.Store.Customer(target.Id)!.City);
        Assert.DoesNotContain(_bc.Host.BusinessCentral.Store.Contacts, c => c.DisplayName == "Rolled Back");
    }

    [Fact]
    public async Task Batch_over_100_operations_is_rejected()
    {
        var requests = Enumerable.Range(0, 101).Select(i => new { method = "GET", id = i.ToString(), url = "companies" }).ToArray();
        using var response = await _bc.SendAsync(HttpMethod.Post, _bc.ApiRoot + "$batch", new { requests });
        await BcTestClient.AssertErrorAsync(response, HttpStatusCode.BadRequest, "BadRequest");
        var hundred = requests.Take(100).ToArray();
        using var ok = await _bc.SendAsync(HttpMethod.Post, _bc.ApiRoot + "$batch", new { requests = hundred });
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
    }

    [Fact]
    public async Task Paging_is_stable_when_customers_are_inserted_between_pages()
    {
        string? url = _bc.Company + "customers?$select=id,number";
        var seen = new List<string>();
        var inserted = false;
        while (url is not null)
        {
            var body = await _bc.GetCollectionAsync(url, "customer", h => h.Add("Prefer", "odata.maxpagesize=10"));
            seen.AddRange(body.GetProperty("value").EnumerateArray().Select(c => c.GetProperty("number").GetString()!));
            if (!inserted)
            {
                _bc.Host.BusinessCentral.AddCustomer("Inserted Early", c => c.Number = "A00001");
                _bc.Host.BusinessCentral.AddCustomer("Inserted Late", c => c.Number = "Z99999");
                inserted = true;
            }
            url = body.TryGetProperty("@odata.nextLink", out var next) ? next.GetString() : null;
        }
        Assert.Equal(seen.Count, seen.Distinct().Count());
        Assert.DoesNotContain("A00001", seen);
        Assert.Contains("Z99999", seen);
    }
}
