using MlConnector.Engine.Marketo;
using MlConnector.Engine.Security;

namespace MlConnector.Engine.Tests.Marketo;

/// <summary>Missing arguments are refused before anything is sent, naming the argument.</summary>
public sealed class MarketoClientArgumentTests
{
    private static readonly string[] Email = { "email" };

    [Fact]
    public async Task Connect_refuses_missing_settings_or_secret()
    {
        var settings = new MarketoSettings { MunchkinId = "123-ABC-456", ClientId = "id", BaseUri = new Uri("http://127.0.0.1:9/") };

        Assert.Equal("settings", (await Assert.ThrowsAsync<ArgumentNullException>(() => MarketoClient.ConnectAsync(null!, new SecretText("s"), new CollectingLog()))).ParamName);
        Assert.Equal("clientSecret", (await Assert.ThrowsAsync<ArgumentNullException>(() => MarketoClient.ConnectAsync(settings, null!, new CollectingLog()))).ParamName);
    }

    [Fact]
    public async Task Writes_refuse_missing_records_keys_and_a_company_create_duplicate_without_a_call()
    {
        await using var test = await MarketoTestHost.StartAsync();
        var none = CancellationToken.None;
        var leads = MarketoTestHost.Leads(1);

        Assert.Equal("leads", (await Assert.ThrowsAsync<ArgumentNullException>(() => test.Client.SyncLeadsAsync(null!, MarketoSyncAction.CreateOrUpdate, "email", none))).ParamName);
        Assert.Equal("lookupField", (await Assert.ThrowsAsync<ArgumentException>(() => test.Client.SyncLeadsAsync(leads, MarketoSyncAction.CreateOrUpdate, "", none))).ParamName);
        Assert.Equal("ids", (await Assert.ThrowsAsync<ArgumentNullException>(() => test.Client.DeleteLeadsAsync(null!, none))).ParamName);
        Assert.Equal("companies", (await Assert.ThrowsAsync<ArgumentNullException>(() => test.Client.SyncCompaniesAsync(null!, MarketoSyncAction.CreateOrUpdate, "dedupeFields", none))).ParamName);
        Assert.Equal("dedupeBy", (await Assert.ThrowsAsync<ArgumentException>(() => test.Client.SyncCompaniesAsync(leads, MarketoSyncAction.CreateOrUpdate, "", none))).ParamName);
        var duplicate = await Assert.ThrowsAsync<ArgumentException>(() => test.Client.SyncCompaniesAsync(leads, MarketoSyncAction.CreateDuplicate, "dedupeFields", none));
        Assert.Equal("action", duplicate.ParamName);
        Assert.StartsWith("Companies have no createDuplicate action.", duplicate.Message, StringComparison.Ordinal);
        Assert.Empty(test.Rest);
    }

    [Fact]
    public async Task Reads_refuse_a_missing_filter_values_paging_token_or_field_list_without_a_call()
    {
        await using var test = await MarketoTestHost.StartAsync();

        Assert.Equal("filterType", (await Assert.ThrowsAsync<ArgumentException>(() => DrainAsync(test.Client.GetLeadsByFilterAsync("", Email, null, CancellationToken.None)))).ParamName);
        Assert.Equal("values", (await Assert.ThrowsAsync<ArgumentNullException>(() => DrainAsync(test.Client.GetLeadsByFilterAsync("email", null!, null, CancellationToken.None)))).ParamName);
        Assert.Equal("pagingToken", (await Assert.ThrowsAsync<ArgumentException>(() => DrainAsync(test.Client.GetLeadChangesAsync("", Email, CancellationToken.None)))).ParamName);
        Assert.Equal("fields", (await Assert.ThrowsAsync<ArgumentException>(() => DrainAsync(test.Client.GetLeadChangesAsync("T1", Array.Empty<string>(), CancellationToken.None)))).ParamName);
        var noFields = await Assert.ThrowsAsync<ArgumentException>(() => DrainAsync(test.Client.GetLeadChangesAsync("T1", null!, CancellationToken.None)));
        Assert.Equal("fields", noFields.ParamName);
        Assert.StartsWith("Get Lead Changes needs at least one field.", noFields.Message, StringComparison.Ordinal);
        Assert.Empty(test.Rest);
    }

    private static async Task DrainAsync<T>(IAsyncEnumerable<T> items)
    {
        await foreach (var _ in items) { }
    }
}
