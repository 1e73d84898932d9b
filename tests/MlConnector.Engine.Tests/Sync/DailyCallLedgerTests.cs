using MlConnector.Engine.Marketo;
using MlConnector.Engine.Sync;
using MlConnector.Sandbox.Core;

namespace MlConnector.Engine.Tests.Sync;

/// <summary>
/// Where a run's daily call budget starts: the larger of the pair's own count and Marketo's usage report for the API
/// user (calls made by other tools count too), what it says about that, and what it writes back to the pair's state.
/// Marketo's figure is the sandbox limiter's own count of the day.
/// </summary>
public sealed class DailyCallLedgerTests
{
    [Fact]
    public async Task A_larger_count_in_Marketos_usage_report_moves_the_budget_on_from_Marketos_figure()
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 0);
        var today = Today(sandbox);
        sandbox.State.MarketoCalls.Add(today, 2, sandbox.Host.Clock.GetUtcNow());
        using (var elsewhere = await sandbox.ConnectMarketoAsync())
            for (var i = 0; i < 5; i++) await elsewhere.GetDailyUsageAsync(CancellationToken.None);
        using var budgeted = await sandbox.ConnectMarketoAsync(s => s.DailyCallBudget = 1000);

        await new DailyCallLedger(sandbox.Context(marketo: budgeted)).ResumeAsync(CancellationToken.None);

        var marketoCount = sandbox.Host.Marketo.Limiter.CallsToday();
        Assert.Equal(6, marketoCount);
        Assert.Equal(marketoCount, budgeted.CallsToday);
        Assert.Contains(sandbox.Log.Lines, l => l.StartsWith($"VERBOSE Marketo counts {marketoCount} calls of API user", StringComparison.Ordinal)
            && l.Contains("this pair's runs counted 2", StringComparison.Ordinal));
        // The pair's own count grows by the one call this run made (the usage read), saved at once.
        Assert.Equal(3, sandbox.State.MarketoCalls.Get(today));
    }

    [Theory]
    [InlineData(20)]
    [InlineData(0)]
    public async Task A_usage_report_no_larger_than_the_pairs_count_changes_nothing_and_says_nothing(int callsElsewhereBeyondThePairs)
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 0);
        var today = Today(sandbox);
        // The report counts the usage read itself: with 0 beyond, Marketo's figure equals the pair's count exactly.
        sandbox.State.MarketoCalls.Add(today, 1 + callsElsewhereBeyondThePairs, sandbox.Host.Clock.GetUtcNow());
        using var budgeted = await sandbox.ConnectMarketoAsync(s => s.DailyCallBudget = 1000);

        await new DailyCallLedger(sandbox.Context(marketo: budgeted)).ResumeAsync(CancellationToken.None);

        Assert.Equal(1, sandbox.Host.Marketo.Limiter.CallsToday());
        Assert.Equal(2 + callsElsewhereBeyondThePairs, budgeted.CallsToday);
        Assert.DoesNotContain(sandbox.Log.Lines, l => l.Contains("Marketo counts", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_unreadable_usage_report_leaves_the_budget_on_the_pairs_own_count_and_says_why()
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 0);
        sandbox.State.MarketoCalls.Add(Today(sandbox), 7, sandbox.Host.Clock.GetUtcNow());
        sandbox.Host.Faults.Add(new FaultRule { Service = SandboxService.Marketo, PathContains = "stats/usage", ErrorCode = "603" });
        using var budgeted = await sandbox.ConnectMarketoAsync(s => s.DailyCallBudget = 1000);

        await new DailyCallLedger(sandbox.Context(marketo: budgeted)).ResumeAsync(CancellationToken.None);

        Assert.True(budgeted.CallsToday >= 7, $"the budget starts from {budgeted.CallsToday}, not from the pair's 7");
        Assert.Contains(sandbox.Log.Lines, l => l.StartsWith("VERBOSE Marketo's usage could not be read (603)", StringComparison.Ordinal)
            && l.Contains("the 7 calls this pair's runs counted", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Saving_adds_only_the_calls_made_since_the_last_save_and_writes_nothing_when_there_are_none()
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 0);
        var counting = new CountingPairState(sandbox.State);
        var ledger = new DailyCallLedger(sandbox.Context(state: counting));

        ledger.Save();
        Assert.Equal(0, counting.CallCountAdds);
        await sandbox.Marketo.GetDailyUsageAsync(CancellationToken.None);
        await sandbox.Marketo.GetDailyUsageAsync(CancellationToken.None);
        ledger.Save();
        ledger.Save();
        Assert.Equal(1, counting.CallCountAdds);
        Assert.Equal(2, sandbox.State.MarketoCalls.Get(Today(sandbox)));
    }

    private static DateOnly Today(SyncSandbox sandbox) => MarketoCentralTime.DateOf(sandbox.Host.Clock.GetUtcNow());
}
