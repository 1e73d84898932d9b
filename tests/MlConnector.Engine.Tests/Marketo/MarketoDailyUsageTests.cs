namespace MlConnector.Engine.Tests.Marketo;

/// <summary>Daily usage names the API-only user this connection writes as: the user Marketo gave as the token's scope.</summary>
public sealed class MarketoDailyUsageTests
{
    [Fact]
    public async Task Usage_names_the_api_user_of_the_token()
    {
        await using var test = await MarketoTestHost.StartAsync(o => o.Marketo.ApiUser = "sync-user@example.test");

        var usage = await test.Client.GetDailyUsageAsync(CancellationToken.None);

        Assert.Equal("sync-user@example.test", usage.ApiUser);
        Assert.Equal(1, usage.ByUser["sync-user@example.test"]);
    }
}
