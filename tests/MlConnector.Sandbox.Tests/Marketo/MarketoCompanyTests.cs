using MlConnector.Sandbox.Marketo;

namespace MlConnector.Sandbox.Tests.Marketo;

public sealed class MarketoCompanyTests(MarketoFixture sandbox) : IClassFixture<MarketoFixture>
{
    private readonly MarketoApi _api = sandbox.Api;

    private static string External() => "CUST-" + Guid.NewGuid().ToString("N")[..10];

    private Task<MarketoReply> SyncAsync(object body) => _api.PostAsync("rest/v1/companies.json", body);

    [Fact]
    public async Task Sync_creates_then_updates_by_externalCompanyId_with_seq()
    {
        var a = External();
        var b = External();
        var first = await SyncAsync(new { input = new[] { new { externalCompanyId = a, company = "Alpha" }, new { externalCompanyId = b, company = "Beta" } } });
        Assert.Equal(new[] { 0, 1 }, first.Result.Select(r => r!["seq"]!.GetValue<int>()).ToArray());
        Assert.All(first.Result, r => Assert.Equal("created", r!["status"]!.GetValue<string>()));
        var second = await SyncAsync(new { action = "createOrUpdate", dedupeBy = "dedupeFields", input = new[] { new { externalCompanyId = a, company = "Alpha 2" } } });
        Assert.Equal("updated", second.Status0);
        Assert.Equal(first.Item(0)["id"]!.GetValue<long>(), second.Item(0)["id"]!.GetValue<long>());
        Assert.Equal("Alpha 2", sandbox.Host.Marketo.CompanyByExternalId(a)!.Fields["company"]);
    }

    [Fact]
    public async Task Same_key_twice_in_one_call_answers_1036_for_the_later_record()
    {
        var key = External();
        var reply = await SyncAsync(new { input = new[] { new { externalCompanyId = key, company = "One" }, new { externalCompanyId = key, company = "Two" } } });
        Assert.Equal("created", reply.Item(0)["status"]!.GetValue<string>());
        Assert.Equal("1036", reply.ReasonCode(1));
        Assert.Equal(1, reply.Item(1)["seq"]!.GetValue<int>());
    }

    [Theory]
    [InlineData("createOnly", true, "1017")]
    [InlineData("updateOnly", false, "1013")]
    public async Task Actions_skip_with_documented_reasons(string action, bool exists, string code)
    {
        var key = External();
        if (exists) await SyncAsync(new { input = new[] { new { externalCompanyId = key } } });
        var reply = await SyncAsync(new { action, input = new[] { new { externalCompanyId = key, company = "X" } } });
        Assert.Equal(code, reply.ReasonCode(0));
    }

    [Fact]
    public async Task DedupeBy_idField_updates_by_id_and_is_refused_for_createOnly()
    {
        var id = (await SyncAsync(new { input = new[] { new { externalCompanyId = External() } } })).Item(0)["id"]!.GetValue<long>();
        var update = await SyncAsync(new { action = "updateOnly", dedupeBy = "idField", input = new[] { new { id, industry = "Food" } } });
        Assert.Equal("updated", update.Status0);
        var create = await SyncAsync(new { action = "createOnly", dedupeBy = "idField", input = new[] { new { id } } });
        Assert.Equal("1003", create.ReasonCode(0));
    }

    [Fact]
    public async Task Invalid_company_values_are_skipped()
    {
        var reply = await SyncAsync(new { input = new object[] { new { externalCompanyId = External(), numberOfEmployees = "many" }, new { externalCompanyId = External(), colour = "red" }, new { company = "no key" } } });
        Assert.Equal("1001", reply.ReasonCode(0));
        Assert.Equal("1006", reply.ReasonCode(1));
        Assert.Equal("1002", reply.ReasonCode(2));
    }

    [Theory]
    [InlineData("externalCompanyId")]
    [InlineData("dedupeFields")]
    [InlineData("id")]
    [InlineData("company")]
    public async Task Get_by_filter_type_returns_seq_and_default_fields(string filterType)
    {
        var key = External();
        var name = "Name " + key;
        var id = (await SyncAsync(new { input = new[] { new { externalCompanyId = key, company = name } } })).Item(0)["id"]!.GetValue<long>();
        var value = filterType switch { "id" => id.ToString(), "company" => name, _ => key };
        var reply = await _api.GetAsync($"rest/v1/companies.json?filterType={filterType}&filterValues={Uri.EscapeDataString(value)}");
        var item = reply.Item(0);
        Assert.Equal(0, item["seq"]!.GetValue<int>());
        Assert.Equal(id, item["id"]!.GetValue<long>());
        Assert.Equal(key, item["externalCompanyId"]!.GetValue<string>());
        Assert.True(item.ContainsKey("updatedAt") && item.ContainsKey("createdAt"));
    }

    [Fact]
    public async Task Get_with_unsupported_filter_answers_1011()
        => Assert.Equal("1011", (await _api.GetAsync("rest/v1/companies.json?filterType=industry&filterValues=x")).ErrorCode);

    [Fact]
    public async Task Describe_reports_id_and_dedupe_fields()
    {
        var meta = (await _api.GetAsync("rest/v1/companies/describe.json")).Item(0);
        Assert.Equal("id", meta["idField"]!.GetValue<string>());
        Assert.Equal("externalCompanyId", meta["dedupeFields"]![0]!.GetValue<string>());
        var external = meta["fields"]!.AsArray().Single(f => f!["name"]!.GetValue<string>() == "externalCompanyId")!;
        Assert.Equal(100, external["length"]!.GetValue<int>());
        Assert.False(external["updateable"]!.GetValue<bool>());
        var balance = meta["fields"]!.AsArray().Single(f => f!["name"]!.GetValue<string>() == "bcAccountBalance")!;
        Assert.Equal("currency", balance["dataType"]!.GetValue<string>());
    }

    [Fact]
    public async Task Custom_company_fields_are_written_and_read_back()
    {
        var key = External();
        await SyncAsync(new { input = new[] { new { externalCompanyId = key, bcAccountBalance = 99.5, bcAccountCurrency = "EUR" } } });
        var item = (await _api.GetAsync($"rest/v1/companies.json?filterType=externalCompanyId&filterValues={key}&fields=bcAccountBalance,bcAccountCurrency")).Item(0);
        Assert.Equal(99.5, item["bcAccountBalance"]!.GetValue<double>());
        Assert.Equal("EUR", item["bcAccountCurrency"]!.GetValue<string>());
    }

    [Fact]
    public async Task Delete_reports_deleted_and_1013_record_not_found()
    {
        var key = External();
        await SyncAsync(new { input = new[] { new { externalCompanyId = key } } });
        var reply = await _api.PostAsync("rest/v1/companies/delete.json", new { deleteBy = "dedupeFields", input = new[] { new { externalCompanyId = key }, new { externalCompanyId = "missing" } } });
        Assert.Equal("deleted", reply.Item(0)["status"]!.GetValue<string>());
        Assert.Equal("1013", reply.ReasonCode(1));
        Assert.Null(sandbox.Host.Marketo.CompanyByExternalId(key));
    }
}

public sealed class MarketoCrmSyncTests(MarketoFixture shared) : IClassFixture<MarketoFixture>
{
    [Theory]
    [InlineData(CrmSyncMode.RecordSkipped1018, true, null, "1018")]
    [InlineData(CrmSyncMode.ResponseError1018, false, "1018", null)]
    [InlineData(CrmSyncMode.AccessDenied603, false, "603", null)]
    public async Task Crm_sync_makes_companies_read_only_while_leads_stay_writable(CrmSyncMode mode, bool success, string? responseCode, string? recordCode)
    {
        var sandbox = shared.AsPrivate();
        try
        {
            var one = "CRM-1-" + mode;
            var two = "CRM-2-" + mode;
            await sandbox.Api.PostAsync("rest/v1/companies.json", new { input = new[] { new { externalCompanyId = one, company = "Before" } } });
            sandbox.Host.Marketo.Options.CrmSync = true;
            sandbox.Host.Marketo.Options.CrmSyncMode = mode;

            var write = await sandbox.Api.PostAsync("rest/v1/companies.json", new { input = new[] { new { externalCompanyId = one, company = "After" }, new { externalCompanyId = two, company = "New" } } });
            Assert.Equal(success, write.Success);
            Assert.Equal(responseCode, write.ErrorCode);
            if (recordCode is not null)
            {
                Assert.Equal(recordCode, write.ReasonCode(0));
                Assert.Equal("CRM Enabled", write.Item(1)["reasons"]![0]!["message"]!.GetValue<string>());
                Assert.True(write.Item(0).ContainsKey("id"));
            }
            var delete = await sandbox.Api.PostAsync("rest/v1/companies/delete.json", new { input = new[] { new { externalCompanyId = one } } });
            Assert.True(delete.ErrorCode == responseCode && (recordCode is null || delete.ReasonCode(0) == recordCode));

            Assert.Equal("Before", sandbox.Host.Marketo.CompanyByExternalId(one)!.Fields["company"]);
            Assert.Null(sandbox.Host.Marketo.CompanyByExternalId(two));
            Assert.True((await sandbox.Api.GetAsync("rest/v1/companies.json?filterType=externalCompanyId&filterValues=" + one)).Success);
            var lead = await sandbox.Api.PostAsync("rest/v1/leads.json", new { input = new[] { new { email = $"crm.{mode}@example.com", externalCompanyId = one } } });
            Assert.Equal("created", lead.Status0);
        }
        finally { sandbox.Host.Marketo.Options.CrmSync = false; sandbox.Host.Marketo.Options.CrmSyncMode = CrmSyncMode.RecordSkipped1018; }
    }

    [Fact]
    public async Task Crm_sync_switch_and_mode_are_set_through_the_admin_api()
    {
        var sandbox = shared.AsPrivate();
        try
        {
            using var response = await sandbox.Http.PostAsync("admin/marketo/crm-sync", System.Net.Http.Json.JsonContent.Create(new { enabled = true, mode = "AccessDenied603" }));
            response.EnsureSuccessStatusCode();
            Assert.True(sandbox.Host.Marketo.Options.CrmSync);
            var write = await sandbox.Api.PostAsync("rest/v1/companies.json", new { input = new[] { new { externalCompanyId = "ADMIN-A" } } });
            Assert.Equal("603", write.ErrorCode);
            using var off = await sandbox.Http.PostAsync("admin/marketo/crm-sync", System.Net.Http.Json.JsonContent.Create(new { enabled = false }));
            Assert.Equal("created", (await sandbox.Api.PostAsync("rest/v1/companies.json", new { input = new[] { new { externalCompanyId = "ADMIN-A" } } })).Status0);
        }
        finally { sandbox.Host.Marketo.Options.CrmSync = false; sandbox.Host.Marketo.Options.CrmSyncMode = CrmSyncMode.RecordSkipped1018; }
    }
}
