using MlConnector.Engine.Marketo;

namespace MlConnector.Engine.Tests.Marketo;

/// <summary>Get Leads by Filter Type (shared/api/marketo.md §5.2): at most 300 filter values a call; without a field list Marketo's default fields come back.</summary>
public sealed class MarketoFilterReadTests
{
    [Fact]
    public async Task Without_a_field_list_the_read_asks_for_none_and_gets_marketos_default_fields()
    {
        await using var test = await MarketoTestHost.StartAsync();
        await test.Client.SyncLeadsAsync(MarketoTestHost.Leads(1, "plain"), MarketoSyncAction.CreateOnly, "email", CancellationToken.None);

        var found = new List<IReadOnlyDictionary<string, object?>>();
        await foreach (var lead in test.Client.GetLeadsByFilterAsync("email", new[] { "plain.0@example.test" }, null, CancellationToken.None)) found.Add(lead);

        Assert.Equal(new[] { "createdAt", "email", "firstName", "id", "lastName", "updatedAt" }, Assert.Single(found).Keys.Order(StringComparer.Ordinal));
        Assert.DoesNotContain("fields=", test.Rest[^1].Path, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Exactly_300_values_take_one_call()
    {
        await using var test = await MarketoTestHost.StartAsync();
        var values = Enumerable.Range(0, 300).Select(i => "C" + i).ToArray();

        await foreach (var _ in test.Client.GetLeadsByFilterAsync("bcCustomerNumber", values, new[] { "email" }, CancellationToken.None)) { }

        var read = Assert.Single(test.Rest);
        Assert.Equal(("GET", 200, null), (read.Method, read.Status, read.ErrorCode));
    }
}
