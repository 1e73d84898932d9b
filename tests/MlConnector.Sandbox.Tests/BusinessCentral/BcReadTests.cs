using System.Net;
using System.Text;
using System.Text.Json;

namespace MlConnector.Sandbox.Tests.BusinessCentral;

/// <summary>Reads against one shared, unchanged sandbox (40 seeded customers).</summary>
public sealed class BcReadTests : IClassFixture<SandboxFixture>
{
    private readonly BcTestClient _bc;

    public BcReadTests(SandboxFixture sandbox) => _bc = new BcTestClient(sandbox.Host, sandbox.Http);

    private int CustomerCount => _bc.Host.BusinessCentral.Store.Customers.Count;

    [Fact]
    public async Task Companies_lists_the_one_company_with_context()
    {
        var body = await _bc.GetCollectionAsync(_bc.ApiRoot + "companies", "company");
        var company = Assert.Single(body.GetProperty("value").EnumerateArray());
        Assert.Equal(_bc.Host.BusinessCentral.CompanyId.ToString(), company.GetProperty("id").GetString());
        Assert.EndsWith("/api/v2.0/$metadata#companies", body.GetProperty("@odata.context").GetString());
    }

    [Fact]
    public async Task Customers_are_company_scoped_and_also_reachable_with_company_query_parameter()
    {
        var scoped = await _bc.GetCollectionAsync(_bc.Company + "customers", "customer");
        var byQuery = await _bc.GetCollectionAsync($"{_bc.ApiRoot}customers?company={_bc.Host.BusinessCentral.CompanyId}", "customer");
        Assert.Equal(CustomerCount, scoped.GetProperty("value").GetArrayLength());
        Assert.Equal(scoped.GetProperty("value").GetArrayLength(), byQuery.GetProperty("value").GetArrayLength());
        Assert.Contains("$metadata#companies(", scoped.GetProperty("@odata.context").GetString());
    }

    [Fact]
    public async Task Customers_without_company_fail_with_company_not_found()
    {
        using var response = await _bc.SendAsync(HttpMethod.Get, _bc.ApiRoot + "customers");
        await BcTestClient.AssertErrorAsync(response, HttpStatusCode.BadRequest, "Internal_CompanyNotFound");
    }

    [Fact]
    public async Task Customer_expand_customerFinancialDetail_inlines_the_singular_navigation()
    {
        var body = await _bc.GetCollectionAsync(_bc.Company + "customers?$expand=customerFinancialDetail", "customer");
        foreach (var customer in body.GetProperty("value").EnumerateArray())
        {
            var details = customer.GetProperty("customerFinancialDetail");
            Assert.Equal(customer.GetProperty("id").GetString(), details.GetProperty("id").GetString());
            Assert.Equal(JsonValueKind.Number, details.GetProperty("balance").ValueKind);
        }
    }

    [Fact]
    public async Task Expand_with_the_plural_AL_part_name_is_rejected()
    {
        using var response = await _bc.SendAsync(HttpMethod.Get, _bc.Company + "customers?$expand=customerFinancialDetails");
        var message = await BcTestClient.AssertErrorAsync(response, HttpStatusCode.BadRequest, "BadRequest_NotFound");
        Assert.Contains("customerFinancialDetails", message);
    }

    [Fact]
    public async Task CustomerFinancialDetails_entity_set_has_one_row_per_customer_keyed_by_customer_id()
    {
        var body = await _bc.GetCollectionAsync(_bc.Company + "customerFinancialDetails", "customerFinancialDetail");
        Assert.Equal(CustomerCount, body.GetProperty("value").GetArrayLength());
        var first = _bc.Host.BusinessCentral.Store.Customers[0];
        var single = await _bc.GetEntityAsync($"{_bc.Company}customerFinancialDetails({first.Id})", "customerFinancialDetail");
        Assert.Equal(first.Number, single.GetProperty("number").GetString());
    }

    [Fact]
    public async Task Contacts_include_company_and_person_contacts_linked_by_companyNumber()
    {
        var body = await _bc.GetCollectionAsync(_bc.Company + "contacts", "contact");
        var contacts = body.GetProperty("value").EnumerateArray().ToList();
        Assert.Equal(_bc.Host.BusinessCentral.Store.Contacts.Count, contacts.Count);
        var companies = contacts.Where(c => c.GetProperty("type").GetString() == "Company").Select(c => c.GetProperty("number").GetString()).ToHashSet();
        var persons = contacts.Where(c => c.GetProperty("type").GetString() == "Person").ToList();
        Assert.All(persons.Where(p => p.GetProperty("companyNumber").GetString() != ""), p => Assert.Contains(p.GetProperty("companyNumber").GetString(), companies));
    }

    [Fact]
    public async Task ContactsInformation_without_relatedId_and_relatedType_filter_fails()
    {
        using var response = await _bc.SendAsync(HttpMethod.Get, _bc.Company + "contactsInformation");
        var message = await BcTestClient.AssertErrorAsync(response, HttpStatusCode.BadRequest, "Application_DialogException");
        Assert.StartsWith("id type not specified.", message);
        var id = _bc.Host.BusinessCentral.Store.Customers[0].Id;
        using var onlyId = await _bc.SendAsync(HttpMethod.Get, $"{_bc.Company}contactsInformation?$filter=relatedId eq {id}");
        await BcTestClient.AssertErrorAsync(onlyId, HttpStatusCode.BadRequest, "Application_DialogException");
    }

    [Fact]
    public async Task ContactsInformation_filtered_on_customer_lists_its_company_contact_and_persons()
    {
        var customer = _bc.Host.BusinessCentral.Store.Customers.First(c => _bc.Host.BusinessCentral.Store.ContactsOfCompany(c.CompanyContact!.Number).Count > 1);
        var body = await _bc.GetCollectionAsync($"{_bc.Company}contactsInformation?$filter=relatedId eq {customer.Id} and relatedType eq 'Customer'", "contactInformation");
        var rows = body.GetProperty("value").EnumerateArray().ToList();
        Assert.Equal(_bc.Host.BusinessCentral.Store.ContactsOfCompany(customer.CompanyContact!.Number).Count, rows.Count);
        Assert.Contains(rows, r => r.GetProperty("contactType").GetString() == "Company");
        Assert.Contains(rows, r => r.GetProperty("contactType").GetString() == "Person");
        Assert.All(rows, r => Assert.Equal(customer.Id.ToString(), r.GetProperty("relatedId").GetString()));
        var viaNavigation = await _bc.GetCollectionAsync($"{_bc.Company}customers({customer.Id})/contactsInformation", "contactInformation");
        Assert.Equal(rows.Count, viaNavigation.GetProperty("value").GetArrayLength());
    }

    [Fact]
    public async Task CustomerContacts_lists_person_contacts_with_their_customer()
    {
        var body = await _bc.GetCollectionAsync(_bc.Company + "customerContacts", "customerContact");
        var rows = body.GetProperty("value").EnumerateArray().ToList();
        Assert.NotEmpty(rows);
        var customerIds = _bc.Host.BusinessCentral.Store.Customers.Select(c => c.Id.ToString()).ToHashSet();
        Assert.All(rows, r => Assert.Contains(r.GetProperty("customerId").GetString()!, customerIds));
    }

    [Fact]
    public async Task Currencies_list_foreign_currencies_but_not_the_local_currency()
    {
        var body = await _bc.GetCollectionAsync(_bc.Company + "currencies", "currency");
        var codes = body.GetProperty("value").EnumerateArray().Select(c => c.GetProperty("code").GetString()).ToList();
        Assert.Contains("EUR", codes);
        Assert.DoesNotContain("USD", codes);
    }

    [Fact]
    public async Task Metadata_serves_the_captured_edmx()
    {
        using var response = await _bc.SendAsync(HttpMethod.Get, _bc.ApiRoot + "$metadata");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/xml", response.Content.Headers.ContentType!.MediaType);
        var served = await response.Content.ReadAsByteArrayAsync();
        var captured = await File.ReadAllBytesAsync(Path.Combine(RepoPaths.Specs, "business-central", "bc-api-v2.0-metadata.edmx.xml"));
        Assert.Equal(captured, served);
    }

    [Theory]
    [InlineData("number eq 'C00003'", 1)]
    [InlineData("number ne 'C00003'", -1)]
    [InlineData("number gt 'C00038'", 2)]
    [InlineData("number ge 'C00038'", 3)]
    [InlineData("number lt 'C00003'", 2)]
    [InlineData("number le 'C00003'", 3)]
    [InlineData("number ge 'C00010' and number le 'C00019'", 10)]
    [InlineData("startswith(number,'C0001')", 10)]
    [InlineData("contains(number,'0002')", 11)]
    [InlineData("number eq 'C00001' or number eq 'C00002'", 2)]
    [InlineData("not (number le 'C00038')", 2)]
    public async Task Filter_operators_select_the_expected_customers(string filter, int expected)
    {
        var body = await _bc.GetCollectionAsync(_bc.Company + "customers?$filter=" + Uri.EscapeDataString(filter), "customer");
        Assert.Equal(expected < 0 ? CustomerCount - 1 : expected, body.GetProperty("value").GetArrayLength());
    }

    [Fact]
    public async Task Filter_or_across_distinct_fields_is_refused_like_BC()
    {
        using var response = await _bc.SendAsync(HttpMethod.Get, _bc.Company + "customers?$filter=" + Uri.EscapeDataString("number eq 'C00001' or displayName eq 'x'"));
        var message = await BcTestClient.AssertErrorAsync(response, HttpStatusCode.BadRequest, "BadRequest_NotSupported");
        Assert.StartsWith("The 'OR' operator is not supported on distinct fields on an OData filter.", message);
    }

    [Fact]
    public async Task Filter_on_lastModifiedDateTime_takes_an_unquoted_DateTimeOffset_literal()
    {
        var store = _bc.Host.BusinessCentral.Store;
        var pivot = store.Customers.Select(c => c.LastModified).OrderBy(t => t).ElementAt(20);
        var literal = pivot.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'");
        var body = await _bc.GetCollectionAsync(_bc.Company + "customers?$filter=" + Uri.EscapeDataString($"lastModifiedDateTime gt {literal}"), "customer");
        Assert.Equal(store.Customers.Count(c => c.LastModified > pivot), body.GetProperty("value").GetArrayLength());

        using var quoted = await _bc.SendAsync(HttpMethod.Get, _bc.Company + "customers?$filter=" + Uri.EscapeDataString($"lastModifiedDateTime gt '{literal}'"));
        await BcTestClient.AssertErrorAsync(quoted, HttpStatusCode.BadRequest, "BadRequest");
    }

    [Fact]
    public async Task Filter_on_an_unknown_property_or_bad_syntax_fails()
    {
        using var unknown = await _bc.SendAsync(HttpMethod.Get, _bc.Company + "customers?$filter=" + Uri.EscapeDataString("nope eq 'x'"));
        await BcTestClient.AssertErrorAsync(unknown, HttpStatusCode.BadRequest, "BadRequest_NotFound");
        using var syntax = await _bc.SendAsync(HttpMethod.Get, _bc.Company + "customers?$filter=" + Uri.EscapeDataString("number eq"));
        Assert.Equal(BcErrorsQuerySyntax, (await BcTestClient.AssertErrorAsync(syntax, HttpStatusCode.BadRequest, "BadRequest_NotFound")).Split("  Corr")[0]);
    }

    private const string BcErrorsQuerySyntax = "Bad Request - Error in query syntax.";

    [Fact]
    public async Task Select_returns_only_the_chosen_properties_plus_etag()
    {
        var body = await _bc.GetCollectionAsync(_bc.Company + "customers?$select=id,number,email", "customer");
        var first = body.GetProperty("value")[0];
        Assert.Equal(new[] { "@odata.etag", "id", "number", "email" }, first.EnumerateObject().Select(p => p.Name));
        Assert.EndsWith("/customers(id,number,email)", body.GetProperty("@odata.context").GetString());
    }

    [Fact]
    public async Task Top_limits_rows_and_suppresses_nextLink_even_with_a_small_page_size()
    {
        var body = await _bc.GetCollectionAsync(_bc.Company + "customers?$top=7", "customer", h => h.Add("Prefer", "odata.maxpagesize=3"));
        Assert.Equal(7, body.GetProperty("value").GetArrayLength());
        Assert.False(body.TryGetProperty("@odata.nextLink", out _));
    }

    [Fact]
    public async Task Skip_and_orderby_desc_order_and_offset_rows()
    {
        var body = await _bc.GetCollectionAsync(_bc.Company + "customers?$orderby=number desc&$skip=2&$top=3", "customer");
        var numbers = body.GetProperty("value").EnumerateArray().Select(c => c.GetProperty("number").GetString()).ToArray();
        var expected = _bc.Host.BusinessCentral.Store.Customers.Select(c => c.Number).OrderByDescending(n => n, StringComparer.Ordinal).Skip(2).Take(3).ToArray();
        Assert.Equal(expected, numbers);
    }

    [Fact]
    public async Task Server_paging_with_maxpagesize_follows_opaque_nextLinks_to_every_row_once()
    {
        var seen = new List<string>();
        string? url = _bc.Company + "customers?$select=id,number";
        var pages = 0;
        while (url is not null)
        {
            var body = await _bc.GetCollectionAsync(url, "customer", h => h.Add("Prefer", "odata.maxpagesize=15"));
            seen.AddRange(body.GetProperty("value").EnumerateArray().Select(c => c.GetProperty("id").GetString()!));
            url = body.TryGetProperty("@odata.nextLink", out var next) ? next.GetString() : null;
            if (url is not null) Assert.Contains("$skiptoken=", url);
            pages++;
        }
        Assert.Equal(3, pages);
        Assert.Equal(CustomerCount, seen.Distinct().Count());
        Assert.Equal(CustomerCount, seen.Count);
    }

    /// <summary>
    /// Pages served in key order from a $skiptoken (the keyed path) hold the same rows in the same order as the general
    /// path ($orderby filters and sorts everything), also under a filter, and key "eq ... or eq ..." filters find exactly
    /// the rows the general path finds.
    /// </summary>
    [Theory]
    [InlineData("contacts", "number", "type eq 'Person'")]
    [InlineData("customers", "number", "blocked eq ' '")]
    [InlineData("customerContacts", "id", null)]
    public async Task Keyed_pages_and_key_filters_return_what_the_general_path_returns(string set, string key, string? filter)
    {
        var where = filter is null ? "" : "&$filter=" + Uri.EscapeDataString(filter);
        var keyed = await ReadAllAsync($"{_bc.Company}{set}?$select={key}{where}", pageSize: 7);
        var general = await ReadAllAsync($"{_bc.Company}{set}?$select={key}&$orderby={key}{where}", pageSize: 7);
        Assert.True(keyed.Count > 14, $"{keyed.Count} rows make too few pages");
        Assert.Equal(general, keyed);

        var some = keyed.Where((_, i) => i % 5 == 1).Take(6).ToList();
        var terms = Uri.EscapeDataString(string.Join(" or ", some.Select(v => key == "id" ? $"{key} eq {v}" : $"{key} eq '{v}'")));
        Assert.Equal(some, await ReadAllAsync($"{_bc.Company}{set}?$select={key}&$filter={terms}", pageSize: 4));
        Assert.Equal(some, await ReadAllAsync($"{_bc.Company}{set}?$select={key}&$orderby={key}&$filter={terms}", pageSize: 4));
    }

    private async Task<List<string>> ReadAllAsync(string url, int pageSize)
    {
        var name = url.Contains("customerContacts", StringComparison.Ordinal) ? "customerContact" : url.Contains("contacts", StringComparison.Ordinal) ? "contact" : "customer";
        var key = url.Contains("$select=id", StringComparison.Ordinal) ? "id" : "number";
        return (await _bc.ReadAllPagesAsync(url, name, pageSize)).Select(r => r.GetProperty(key).GetString()!).ToList();
    }

    [Fact]
    public async Task Prefer_maxpagesize_is_acknowledged_with_Preference_Applied_and_capped_at_20000()
    {
        using var small = await _bc.SendAsync(HttpMethod.Get, _bc.Company + "customers?$select=id", headers: h => h.Add("Prefer", "odata.maxpagesize=5"));
        Assert.Equal("odata.maxpagesize=5", small.Headers.GetValues("Preference-Applied").Single());
        using var huge = await _bc.SendAsync(HttpMethod.Get, _bc.Company + "customers?$select=id", headers: h => h.Add("Prefer", "odata.maxpagesize=50000"));
        Assert.Equal("odata.maxpagesize=20000", huge.Headers.GetValues("Preference-Applied").Single());
    }

    [Fact]
    public async Task Default_page_without_Prefer_returns_everything_up_to_20000_without_nextLink()
    {
        using var response = await _bc.SendAsync(HttpMethod.Get, _bc.Company + "customers?$select=id");
        Assert.False(response.Headers.Contains("Preference-Applied"));
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(CustomerCount, body.GetProperty("value").GetArrayLength());
        Assert.False(body.TryGetProperty("@odata.nextLink", out _));
    }

    [Fact]
    public async Task Single_customer_has_entity_context_and_odata_headers()
    {
        var customer = _bc.Host.BusinessCentral.Store.Customers[5];
        using var response = await _bc.SendAsync(HttpMethod.Get, $"{_bc.Company}customers({customer.Id})");
        Assert.Equal("4.0", response.Headers.GetValues("OData-Version").Single());
        Assert.Equal("application/json", response.Content.Headers.ContentType!.MediaType);
        Assert.Contains(response.Content.Headers.ContentType.Parameters, p => p.Name == "odata.metadata" && p.Value == "minimal");
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        EdmxConformance.AssertEntity(body, "customer");
        Assert.EndsWith("/customers/$entity", body.GetProperty("@odata.context").GetString());
    }

    [Fact]
    public async Task Unknown_customer_is_404_and_malformed_key_is_query_syntax_error()
    {
        using var missing = await _bc.SendAsync(HttpMethod.Get, $"{_bc.Company}customers({Guid.NewGuid()})");
        await BcTestClient.AssertErrorAsync(missing, HttpStatusCode.NotFound, "Internal_RecordNotFound");
        using var malformed = await _bc.SendAsync(HttpMethod.Get, $"{_bc.Company}customers('C00001')");
        await BcTestClient.AssertErrorAsync(malformed, HttpStatusCode.BadRequest, "BadRequest_NotFound");
        using var segment = await _bc.SendAsync(HttpMethod.Get, $"{_bc.Company}customerz");
        await BcTestClient.AssertErrorAsync(segment, HttpStatusCode.NotFound, "BadRequest_ResourceNotFound");
    }

    [Fact]
    public async Task Blank_blocked_is_x0020_and_local_currency_shows_LCY_code_with_zero_guid()
    {
        var body = await _bc.GetCollectionAsync(_bc.Company + "customers", "customer");
        var customers = body.GetProperty("value").EnumerateArray().ToList();
        Assert.Contains(customers, c => c.GetProperty("blocked").GetString() == "_x0020_");
        Assert.DoesNotContain(customers, c => c.GetProperty("blocked").GetString() == " ");
        var local = customers.Where(c => c.GetProperty("currencyId").GetString() == Guid.Empty.ToString()).ToList();
        Assert.NotEmpty(local);
        Assert.All(local, c => Assert.Equal("USD", c.GetProperty("currencyCode").GetString()));
        Assert.Contains(customers, c => c.GetProperty("paymentMethodId").GetString() == Guid.Empty.ToString());
    }

    [Fact]
    public async Task LastModifiedDateTime_has_SQL_datetime_precision_and_etags_have_BC_shape()
    {
        var body = await _bc.GetCollectionAsync(_bc.Company + "contacts", "contact");
        foreach (var contact in body.GetProperty("value").EnumerateArray())
        {
            // SQL datetime keeps 1/300 s (milliseconds end in 0, 3 or 7); BC drops trailing fractional zeros.
            var stamp = contact.GetProperty("lastModifiedDateTime").GetString()!;
            Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{0,2}[1-9])?Z$", stamp);
            Assert.Contains(DateTimeOffset.Parse(stamp, System.Globalization.CultureInfo.InvariantCulture).Millisecond % 10, new[] { 0, 3, 7 });
            var etag = contact.GetProperty("@odata.etag").GetString()!;
            Assert.StartsWith("W/\"JzQ0O", etag);
            var inner = Encoding.ASCII.GetString(Convert.FromBase64String(etag[3..^1]));
            Assert.Matches(@"^'44;[A-Za-z0-9+/=]{44}1;00;'$", inner);
        }
    }

}
