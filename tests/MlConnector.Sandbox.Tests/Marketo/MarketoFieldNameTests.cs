namespace MlConnector.Sandbox.Tests.Marketo;

/// <summary>REST field names are case-sensitive in Marketo: "firstName" works, "FirstName" is an unknown field (1006).</summary>
public sealed class MarketoFieldNameTests(MarketoFixture sandbox) : IClassFixture<MarketoFixture>
{
    private readonly MarketoApi _api = sandbox.Api;

    private static string Email() => $"case.{Guid.NewGuid():N}@example.com";

    [Fact]
    public async Task A_wrongly_cased_lead_field_is_skipped_with_1006()
    {
        var email = Email();
        var reply = await _api.PostAsync("rest/v1/leads.json", new { input = new object[] { new Dictionary<string, object> { ["email"] = email, ["FirstName"] = "Ann" } } });
        Assert.True(reply.Success);
        Assert.Equal("skipped", reply.Status0);
        Assert.Equal("1006", reply.ReasonCode(0));
        Assert.Equal("Field 'FirstName' not found", reply.Item(0)["reasons"]![0]!["message"]!.GetValue<string>());
        Assert.Empty(sandbox.Host.Marketo.LeadsByEmail(email));
    }

    [Fact]
    public async Task Wrongly_cased_names_in_reads_and_lookups_are_refused()
    {
        var email = Email();
        await _api.PostAsync("rest/v1/leads.json", new { input = new[] { new { email, firstName = "Ann" } } });

        var fields = await _api.GetAsync($"rest/v1/leads.json?filterType=email&filterValues={Uri.EscapeDataString(email)}&fields=Email,FirstName");
        Assert.False(fields.Success);
        Assert.Equal("1006", fields.ErrorCode);

        var filter = await _api.GetAsync($"rest/v1/leads.json?filterType=Email&filterValues={Uri.EscapeDataString(email)}");
        Assert.False(filter.Success);
        Assert.Equal("1011", filter.ErrorCode);

        var lookup = await _api.PostAsync("rest/v1/leads.json", new { lookupField = "EMAIL", input = new[] { new { email } } });
        Assert.Equal("1011", lookup.ErrorCode);

        var correct = await _api.GetAsync($"rest/v1/leads.json?filterType=email&filterValues={Uri.EscapeDataString(email)}&fields=email,firstName");
        Assert.Equal("Ann", correct.Item(0)["firstName"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_wrongly_cased_company_field_is_skipped_with_1006()
    {
        var external = "CASE-" + Guid.NewGuid().ToString("N")[..8];
        var reply = await _api.PostAsync("rest/v1/companies.json", new { input = new object[] { new Dictionary<string, object> { ["externalCompanyId"] = external, ["Company"] = "Case Co" } } });
        Assert.Equal("1006", reply.ReasonCode(0));
        Assert.Null(sandbox.Host.Marketo.CompanyByExternalId(external));
    }

    [Fact]
    public async Task Lead_changes_refuse_a_wrongly_cased_field()
    {
        var token = (await _api.GetAsync("rest/v1/activities/pagingtoken.json?sinceDatetime=2020-01-01T00:00:00Z")).NextPageToken!;
        var reply = await _api.GetAsync($"rest/v1/activities/leadchanges.json?nextPageToken={Uri.EscapeDataString(token)}&fields=FirstName");
        Assert.Equal("1006", reply.ErrorCode);
    }
}
