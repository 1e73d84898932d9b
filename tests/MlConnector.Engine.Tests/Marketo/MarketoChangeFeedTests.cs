using MlConnector.Engine.Marketo;

namespace MlConnector.Engine.Tests.Marketo;

public sealed class MarketoChangeFeedTests
{
    [Fact]
    public async Task Lead_changes_are_read_through_short_and_empty_pages_and_the_last_token_is_kept()
    {
        await using var test = await MarketoTestHost.StartAsync(o => o.Marketo.ShortPageRate = 0.5, s => s.PageSize = 7);
        var since = test.Sandbox.Clock.GetUtcNow().AddMinutes(-1);
        await test.Client.SyncLeadsAsync(MarketoTestHost.Leads(40), MarketoSyncAction.CreateOrUpdate, "email", CancellationToken.None);
        var renamed = MarketoTestHost.Leads(40).Select(l => (IReadOnlyDictionary<string, object?>)new Dictionary<string, object?> { ["email"] = l["email"], ["firstName"] = "Renamed" }).ToArray();
        await test.Client.SyncLeadsAsync(renamed, MarketoSyncAction.UpdateOnly, "email", CancellationToken.None);

        var token = await test.Client.GetPagingTokenAsync(since, CancellationToken.None);
        var changes = new List<MarketoLeadChange>();
        await foreach (var change in test.Client.GetLeadChangesAsync(token, new[] { "firstName" }, CancellationToken.None)) changes.Add(change);

        Assert.Equal(40, changes.Count(c => c.ActivityTypeId == MarketoLeadChange.NewLeadTypeId));
        var edits = changes.Where(c => c.ActivityTypeId == MarketoLeadChange.ChangeDataValueTypeId).ToArray();
        Assert.Equal(40, edits.Length);
        Assert.All(edits, c => Assert.Equal("Renamed", Assert.Single(c.Fields).NewValue));
        Assert.All(changes, c => Assert.NotNull(c.ActivityDate));
        var pages = test.Rest.Where(e => e.Path.Contains("leadchanges", StringComparison.Ordinal)).ToArray();
        Assert.Contains(pages.SkipLast(1), p => p.RecordCount < 7);
        Assert.NotNull(test.Client.LastPagingToken);

        // Caught up: the checkpoint yields nothing new until something changes.
        var checkpoint = test.Client.LastPagingToken!;
        var none = new List<MarketoLeadChange>();
        await foreach (var change in test.Client.GetLeadChangesAsync(checkpoint, new[] { "firstName" }, CancellationToken.None)) none.Add(change);
        Assert.Empty(none);
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
