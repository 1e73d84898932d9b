using MlConnector.Engine.Marketo;

namespace MlConnector.Engine.Tests.Marketo;

public sealed class MarketoChangeFeedTests
{
    [Fact]
    public async Task Lead_changes_are_read_through_short_and_empty_pages_and_each_page_hands_back_its_token()
    {
        await using var test = await MarketoTestHost.StartAsync(o => o.Marketo.ShortPageRate = 0.5, s => s.PageSize = 7);
        var since = test.Sandbox.Clock.GetUtcNow().AddMinutes(-1);
        await test.Client.SyncLeadsAsync(MarketoTestHost.Leads(40), MarketoSyncAction.CreateOrUpdate, "email", CancellationToken.None);
        var renamed = MarketoTestHost.Leads(40).Select(l => (IReadOnlyDictionary<string, object?>)new Dictionary<string, object?> { ["email"] = l["email"], ["firstName"] = "Renamed" }).ToArray();
        await test.Client.SyncLeadsAsync(renamed, MarketoSyncAction.UpdateOnly, "email", CancellationToken.None);

        var token = await test.Client.GetPagingTokenAsync(since, CancellationToken.None);
        var pages = await ReadAsync(test.Client, token);
        var changes = pages.SelectMany(p => p.Changes).ToList();

        Assert.Equal(40, changes.Count(c => c.ActivityTypeId == MarketoLeadChange.NewLeadTypeId));
        var edits = changes.Where(c => c.ActivityTypeId == MarketoLeadChange.ChangeDataValueTypeId).ToArray();
        Assert.Equal(40, edits.Length);
        Assert.All(edits, c => Assert.Equal("Renamed", Assert.Single(c.Fields).NewValue));
        Assert.All(changes, c => Assert.NotNull(c.ActivityDate));
        var calls = test.Rest.Where(e => e.Path.Contains("leadchanges", StringComparison.Ordinal)).ToArray();
        Assert.Contains(calls.SkipLast(1), p => p.RecordCount < 7);
        Assert.Equal(calls.Length, pages.Count);
        Assert.All(pages, p => Assert.False(string.IsNullOrEmpty(p.NextPageToken)));

        // Caught up: the last page's token, kept by the caller as its watermark, yields nothing new until something changes.
        var watermark = pages[^1].NextPageToken;
        Assert.Empty((await ReadAsync(test.Client, watermark)).SelectMany(p => p.Changes));
        await test.Client.SyncLeadsAsync(renamed.Take(1).Select(l => (IReadOnlyDictionary<string, object?>)new Dictionary<string, object?> { ["email"] = l["email"], ["firstName"] = "Again" }).ToArray(),
            MarketoSyncAction.UpdateOnly, "email", CancellationToken.None);
        var after = (await ReadAsync(test.Client, watermark)).SelectMany(p => p.Changes).ToList();
        Assert.Equal("Again", Assert.Single(Assert.Single(after).Fields).NewValue);
    }

    private static async Task<List<MarketoLeadChangePage>> ReadAsync(MarketoClient client, string token)
    {
        var pages = new List<MarketoLeadChangePage>();
        await foreach (var page in client.GetLeadChangesAsync(token, new[] { "firstName" }, CancellationToken.None)) pages.Add(page);
        return pages;
    }

    [Fact]
    public async Task Daily_usage_reports_the_instance_count_and_the_connection_count()
    {
        await using var test = await MarketoTestHost.StartAsync();
        await test.Client.DescribeLeadsAsync(CancellationToken.None);
        var usage = await test.Client.GetDailyUsageAsync(CancellationToken.None);
        Assert.Equal(2, usage.Total);
        Assert.Equal(2, usage.ConnectionCalls);
        Assert.Equal(2, usage.ByUser[test.Sandbox.Marketo.Options.ApiUser]);
        Assert.Equal(MarketoCentralTime.DateOf(test.Sandbox.Clock.GetUtcNow()), usage.Date);
    }
}
