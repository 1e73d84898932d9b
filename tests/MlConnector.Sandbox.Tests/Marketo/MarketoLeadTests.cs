using System.Net;
using System.Text.Json.Nodes;

namespace MlConnector.Sandbox.Tests.Marketo;

public sealed class MarketoLeadTests(MarketoFixture sandbox) : IClassFixture<MarketoFixture>
{
    private readonly MarketoApi _api = sandbox.Api;

    private static string Email(string tag) => $"{tag}.{Guid.NewGuid():N}@example.com";

    private Task<MarketoReply> SyncAsync(object body) => _api.PostAsync("rest/v1/leads.json", body);

    [Fact]
    public async Task CreateOrUpdate_creates_then_updates_the_same_lead()
    {
        var email = Email("upsert");
        var created = await SyncAsync(new { input = new[] { new { email, firstName = "Ann" } } });
        Assert.True(created.Success);
        Assert.Equal("created", created.Status0);
        var id = created.Item(0)["id"]!.GetValue<long>();

        var updated = await SyncAsync(new { action = "createOrUpdate", lookupField = "email", input = new[] { new { email, firstName = "Anna" } } });
        Assert.Equal("updated", updated.Status0);
        Assert.Equal(id, updated.Item(0)["id"]!.GetValue<long>());
        Assert.Equal("Anna", sandbox.Host.Marketo.Lead(id)!.Fields["firstName"]);
    }

    [Theory]
    [InlineData("createOnly", true, "1005")]
    [InlineData("updateOnly", false, "1004")]
    public async Task Actions_skip_records_with_the_documented_reason(string action, bool exists, string code)
    {
        var email = Email(action);
        if (exists) await SyncAsync(new { input = new[] { new { email } } });
        var reply = await SyncAsync(new { action, input = new[] { new { email } } });
        Assert.True(reply.Success);
        Assert.Equal("skipped", reply.Status0);
        Assert.Equal(code, reply.ReasonCode(0));
        Assert.False(reply.Item(0).ContainsKey("id"));
    }

    [Fact]
    public async Task CreateDuplicate_then_lookup_by_that_email_answers_1007()
    {
        var email = Email("dup");
        await SyncAsync(new { input = new[] { new { email } } });
        var duplicate = await SyncAsync(new { action = "createDuplicate", input = new[] { new { email } } });
        Assert.Equal("created", duplicate.Status0);
        var reply = await SyncAsync(new { action = "updateOnly", input = new[] { new { email, firstName = "X" } } });
        Assert.Equal("1007", reply.ReasonCode(0));
    }

    [Fact]
    public async Task Unknown_field_answers_1006_and_other_records_still_succeed()
    {
        var reply = await SyncAsync(new { input = new object[] { new { email = Email("ok") }, new Dictionary<string, object> { ["email"] = Email("bad"), ["favouriteColour"] = "blue" } } });
        Assert.Equal("created", reply.Item(0)["status"]!.GetValue<string>());
        Assert.Equal("1006", reply.ReasonCode(1));
        Assert.Contains("favouriteColour", reply.Item(1)["reasons"]![0]!["message"]!.GetValue<string>());
    }

    public static TheoryData<string, object> InvalidValues() => new()
    {
        { "email", "not-an-email" },
        { "email", "jürgen@example.com" },
        { "firstName", new string('x', 256) },
        { "bcBalance", "lots" },
        { "numberOfEmployees", 12.5 },
        { "doNotCall", "maybe" },
        { "dateOfBirth", "17/05/1980" },
        { "bcLastModified", "yesterday" },
    };

    [Theory]
    [MemberData(nameof(InvalidValues))]
    public async Task Values_are_validated_against_the_field_type_with_1001(string field, object value)
    {
        var record = new Dictionary<string, object> { ["email"] = Email("typed"), [field] = value };
        if (field == "email") record["email"] = value;
        var reply = await SyncAsync(new { action = "createOnly", input = new[] { record } });
        Assert.Equal("1001", reply.ReasonCode(0));
    }

    [Fact]
    public async Task Valid_typed_values_are_stored_and_read_back_typed()
    {
        var email = Email("typed-ok");
        var created = await SyncAsync(new { input = new[] { new Dictionary<string, object> { ["email"] = email, ["bcBalance"] = 1234.5, ["doNotCall"] = true, ["dateOfBirth"] = "1980-05-17", ["bcCustomerNumber"] = "C-TYPED", ["bcLastModified"] = "2024-01-01T10:00:00+02:00" } } });
        var id = created.Item(0)["id"]!.GetValue<long>();
        var lead = await _api.GetAsync($"rest/v1/lead/{id}.json?fields=email,bcBalance,doNotCall,dateOfBirth,bcCustomerNumber,bcLastModified,title");
        var item = lead.Item(0);
        Assert.Equal(1234.5, item["bcBalance"]!.GetValue<double>());
        Assert.True(item["doNotCall"]!.GetValue<bool>());
        Assert.Equal("2024-01-01T08:00:00Z", item["bcLastModified"]!.GetValue<string>());
        Assert.True(item.ContainsKey("title"));
        Assert.Null(item["title"]);
    }

    [Theory]
    [InlineData("bcEngagementScore", 5)]
    [InlineData("createdAt", "2024-01-01T00:00:00Z")]
    public async Task Read_only_fields_are_refused_with_1003(string field, object value)
    {
        var reply = await SyncAsync(new { input = new[] { new Dictionary<string, object> { ["email"] = Email("ro"), [field] = value } } });
        Assert.Equal("1003", reply.ReasonCode(0));
    }

    [Fact]
    public async Task Lookup_by_id_works_for_updateOnly_and_is_refused_otherwise()
    {
        var id = (await SyncAsync(new { input = new[] { new { email = Email("byid") } } })).Item(0)["id"]!.GetValue<long>();
        var update = await SyncAsync(new { action = "updateOnly", lookupField = "id", input = new[] { new { id, lastName = "ById" } } });
        Assert.Equal("updated", update.Status0);
        var upsert = await SyncAsync(new { action = "createOrUpdate", lookupField = "id", input = new[] { new { id, lastName = "No" } } });
        Assert.Equal("1003", upsert.ReasonCode(0));
    }

    [Fact]
    public async Task Lookup_by_searchable_custom_field_updates_the_match()
    {
        var number = "C-" + Guid.NewGuid().ToString("N")[..8];
        await SyncAsync(new { input = new[] { new { email = Email("custom"), bcCustomerNumber = number } } });
        var reply = await SyncAsync(new { action = "updateOnly", lookupField = "bcCustomerNumber", input = new[] { new { bcCustomerNumber = number, bcCurrencyCode = "EUR" } } });
        Assert.Equal("updated", reply.Status0);
    }

    [Theory]
    [InlineData("firstName")]
    [InlineData("createdAt")]
    public async Task Unsupported_lookup_field_answers_1011(string lookupField)
    {
        var reply = await SyncAsync(new { lookupField, input = new[] { new { email = Email("lf") } } });
        Assert.False(reply.Success);
        Assert.Equal("1011", reply.ErrorCode);
    }

    [Fact]
    public async Task More_than_300_records_answer_1003_at_response_level()
    {
        var input = Enumerable.Range(0, 301).Select(i => new { email = $"batch{i}@example.com" }).ToArray();
        var reply = await SyncAsync(new { input });
        Assert.False(reply.Success);
        Assert.Equal("1003", reply.ErrorCode);
        Assert.Empty(sandbox.Host.Marketo.LeadsByEmail("batch0@example.com"));
    }

    [Fact]
    public async Task Unknown_partition_answers_1008_and_default_partition_is_accepted()
    {
        var bad = await SyncAsync(new { partitionName = "Nowhere", input = new[] { new { email = Email("part") } } });
        Assert.Equal("1008", bad.ReasonCode(0));
        var good = await SyncAsync(new { partitionName = "Default", asyncProcessing = true, input = new[] { new { email = Email("part") } } });
        Assert.Equal("created", good.Status0);
    }

    [Fact]
    public async Task Get_by_email_returns_default_fields_and_empty_result_when_nothing_matches()
    {
        var email = Email("get");
        await SyncAsync(new { input = new[] { new { email, firstName = "Gert", lastName = "Get" } } });
        var reply = await _api.GetAsync($"rest/v1/leads.json?filterType=email&filterValues={Uri.EscapeDataString(email)}");
        var item = reply.Item(0);
        Assert.Equal(new[] { "id", "email", "updatedAt", "createdAt", "firstName", "lastName" }, item.Select(p => p.Key).ToArray());
        var none = await _api.GetAsync("rest/v1/leads.json?filterType=email&filterValues=nobody@nowhere.example");
        Assert.True(none.Success);
        Assert.Empty(none.Result);
    }

    [Theory]
    [InlineData("createdAt")]
    [InlineData("updatedAt")]
    public async Task Date_filters_answer_1011(string filterType)
    {
        var reply = await _api.GetAsync($"rest/v1/leads.json?filterType={filterType}&filterValues=2024-01-01");
        Assert.Equal("1011", reply.ErrorCode);
        Assert.Equal($"Lookup field '{filterType}' not supported", reply.ErrorMessage);
    }

    [Fact]
    public async Task More_than_1000_matches_answer_1003()
    {
        var tag = "MANY-" + Guid.NewGuid().ToString("N")[..6];
        for (var batch = 0; batch < 4; batch++)
        {
            var input = Enumerable.Range(0, batch < 3 ? 300 : 101).Select(i => new { email = $"{tag}.{batch}.{i}@example.com", bcCustomerNumber = tag }).ToArray();
            Assert.True((await SyncAsync(new { input })).Success);
        }
        var reply = await _api.GetAsync($"rest/v1/leads.json?filterType=bcCustomerNumber&filterValues={tag}");
        Assert.Equal("1003", reply.ErrorCode);
        Assert.Equal("Too many results match the filter", reply.ErrorMessage);
    }

    [Fact]
    public async Task Paging_with_batchSize_and_nextPageToken_returns_every_lead_once()
    {
        var tag = "PAGE-" + Guid.NewGuid().ToString("N")[..6];
        await SyncAsync(new { input = Enumerable.Range(0, 5).Select(i => new { email = $"{tag}{i}@example.com", bcCustomerNumber = tag }).ToArray() });
        var seen = new List<long>();
        string? token = null;
        var pages = 0;
        do
        {
            var reply = await _api.GetAsync($"rest/v1/leads.json?filterType=bcCustomerNumber&filterValues={tag}&batchSize=2" + (token is null ? "" : "&nextPageToken=" + Uri.EscapeDataString(token)));
            seen.AddRange(reply.Result.Select(r => r!["id"]!.GetValue<long>()));
            token = reply.MoreResult ? reply.NextPageToken : null;
            pages++;
        } while (token is not null);
        Assert.Equal(3, pages);
        Assert.Equal(5, seen.Distinct().Count());
    }

    [Theory]
    [InlineData("batchSize=301", "1003")]
    [InlineData("fields=noSuchField", "1006")]
    [InlineData("", "1002")]
    public async Task Bad_query_parameters_are_refused(string extra, string code)
    {
        var query = extra.Length == 0 ? "filterType=email" : "filterType=email&filterValues=a@b.example&" + extra;
        var reply = await _api.GetAsync("rest/v1/leads.json?" + query);
        Assert.Equal(code, reply.ErrorCode);
    }

    [Fact]
    public async Task Get_lead_by_id_returns_one_record_or_an_empty_result()
    {
        var id = (await SyncAsync(new { input = new[] { new { email = Email("one"), firstName = "One" } } })).Item(0)["id"]!.GetValue<long>();
        var reply = await _api.GetAsync($"rest/v1/lead/{id}.json?fields=firstName");
        Assert.Single(reply.Result);
        Assert.Equal("One", reply.Item(0)["firstName"]!.GetValue<string>());
        Assert.Empty((await _api.GetAsync("rest/v1/lead/99999999.json")).Result);
    }

    [Fact]
    public async Task Describe_lists_standard_and_custom_fields_with_read_only_flags()
    {
        var reply = await _api.GetAsync("rest/v1/leads/describe.json");
        var byName = reply.Result.ToDictionary(f => f!["rest"]!["name"]!.GetValue<string>());
        Assert.Equal("email", byName["email"]!["dataType"]!.GetValue<string>());
        Assert.Equal(255, byName["firstName"]!["length"]!.GetValue<int>());
        Assert.False(byName["bcCustomerNumber"]!["rest"]!["readOnly"]!.GetValue<bool>());
        Assert.True(byName["bcEngagementScore"]!["rest"]!["readOnly"]!.GetValue<bool>());
        Assert.True(byName["updatedAt"]!["rest"]!["readOnly"]!.GetValue<bool>());
        Assert.Contains("bcTotalSalesExclTax", byName.Keys);
    }

    [Fact]
    public async Task Describe2_lists_searchable_fields_without_dates()
    {
        var reply = await _api.GetAsync("rest/v1/leads/describe2.json");
        var api = reply.Item(0);
        Assert.Equal("API Lead", api["name"]!.GetValue<string>());
        var searchable = api["searchableFields"]!.AsArray().SelectMany(a => a!.AsArray()).Select(n => n!.GetValue<string>()).ToArray();
        Assert.Contains("email", searchable);
        Assert.Contains("bcCustomerNumber", searchable);
        Assert.DoesNotContain("createdAt", searchable);
        var currency = api["fields"]!.AsArray().Single(f => f!["name"]!.GetValue<string>() == "bcBalance")!;
        Assert.Equal("currency", currency["dataType"]!.GetValue<string>());
        Assert.True(currency["updateable"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Delete_by_body_and_by_query_reports_deleted_and_skipped()
    {
        var a = (await SyncAsync(new { input = new[] { new { email = Email("del") } } })).Item(0)["id"]!.GetValue<long>();
        var b = (await SyncAsync(new { input = new[] { new { email = Email("del") } } })).Item(0)["id"]!.GetValue<long>();
        var byBody = await _api.PostAsync("rest/v1/leads/delete.json", new { input = new[] { new { id = a }, new { id = 99999999L } } });
        Assert.Equal("deleted", byBody.Item(0)["status"]!.GetValue<string>());
        Assert.Equal("1004", byBody.ReasonCode(1));
        var byQuery = await _api.PostAsync($"rest/v1/leads/delete.json?id={b}", new { });
        Assert.Equal("deleted", byQuery.Status0);
        Assert.Null(sandbox.Host.Marketo.Lead(a));
        Assert.Null(sandbox.Host.Marketo.Lead(b));
    }

    [Fact]
    public async Task Linked_lead_reads_company_fields_through_and_cannot_write_them()
    {
        var external = "EXT-" + Guid.NewGuid().ToString("N")[..8];
        await _api.PostAsync("rest/v1/companies.json", new { input = new[] { new { externalCompanyId = external, company = "Read Through Ltd", billingCity = "Aarhus", annualRevenue = 1000000, numberOfEmployees = 42, industry = "Retail", sicCode = "5411" } } });
        var email = Email("linked");
        var created = await SyncAsync(new { input = new[] { new { email, externalCompanyId = external } } });
        var id = created.Item(0)["id"]!.GetValue<long>();
        var lead = (await _api.GetAsync($"rest/v1/lead/{id}.json?fields=company,billingCity,annualRevenue,numberOfEmployees,industry,sicCode")).Item(0);
        Assert.Equal("Read Through Ltd", lead["company"]!.GetValue<string>());
        Assert.Equal("Aarhus", lead["billingCity"]!.GetValue<string>());
        Assert.Equal(42, lead["numberOfEmployees"]!.GetValue<long>());
        Assert.Equal("5411", lead["sicCode"]!.GetValue<string>());

        var write = await SyncAsync(new { input = new[] { new { email, company = "Renamed" } } });
        Assert.Equal("1021", write.ReasonCode(0));
    }

    [Fact]
    public async Task Post_with_method_override_runs_the_get_with_a_form_body()
    {
        var email = Email("override");
        await SyncAsync(new { input = new[] { new { email } } });
        var reply = await _api.PostFormAsync("rest/v1/leads.json?_method=GET", new Dictionary<string, string> { ["filterType"] = "email", ["filterValues"] = email, ["fields"] = "email" });
        Assert.Equal(email, reply.Item(0)["email"]!.GetValue<string>());
    }

    [Fact]
    public async Task Uri_over_8KB_answers_414_and_the_same_query_works_with_method_override()
    {
        var values = string.Join(",", Enumerable.Range(0, 250).Select(i => $"somebody.long.address.{i}@example.com"));
        using var tooLong = await _api.Http.GetAsync("rest/v1/leads.json?filterType=email&filterValues=" + Uri.EscapeDataString(values));
        Assert.Equal(HttpStatusCode.RequestUriTooLong, tooLong.StatusCode);
        Assert.Equal("text/html", tooLong.Content.Headers.ContentType?.MediaType); // Marketo's front end answers, not the API
        var viaPost = await _api.PostFormAsync("rest/v1/leads.json?_method=GET", new Dictionary<string, string> { ["filterType"] = "email", ["filterValues"] = values });
        Assert.True(viaPost.Success);
    }

    [Fact]
    public async Task Body_over_1MB_answers_413()
    {
        var notes = new string('n', 5000);
        var input = Enumerable.Range(0, 250).Select(i => new { email = $"big{i}@example.com", bcNotes = notes }).ToArray();
        using var reply = await _api.Http.PostAsync("rest/v1/leads.json", System.Net.Http.Json.JsonContent.Create(new { input }));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, reply.StatusCode);
        Assert.StartsWith("<html>", await reply.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{not json", "application/json", "609")]
    [InlineData("input=1", "text/plain", "612")]
    public async Task Bad_bodies_answer_609_or_612(string content, string mediaType, string code)
    {
        var reply = await _api.PostRawAsync("rest/v1/leads.json", content, mediaType);
        Assert.Equal(code, reply.ErrorCode);
    }

    [Fact]
    public async Task Request_ids_are_two_hex_parts_and_failures_are_http_200()
    {
        var reply = await _api.GetAsync("rest/v1/leads.json?filterType=createdAt&filterValues=x");
        Assert.Equal(HttpStatusCode.OK, reply.Status);
        Assert.Matches("^[0-9a-f]+#[0-9a-f]+$", reply.Body["requestId"]!.GetValue<string>());
    }

    [Fact]
    public async Task Wrong_method_answers_605_and_unknown_resource_610()
    {
        var wrong = await _api.GetAsync("rest/v1/leads/delete.json");
        Assert.Equal("605", wrong.ErrorCode);
        var unknown = await _api.GetAsync("rest/v1/nothing-here.json");
        Assert.Equal("610", unknown.ErrorCode);
    }
}
