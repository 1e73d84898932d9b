using MlConnector.Engine.Diagnostics;
using MlConnector.Engine.Marketo;
using MlConnector.Engine.State;
using MlConnector.Engine.Sync;
using MlConnector.Engine.Tests.BusinessCentral;
using MlConnector.Sandbox.Core;

namespace MlConnector.Engine.Tests.Sync;

/// <summary>
/// A daily call budget holds across runs: the count of today's Marketo calls lives in the pair's state, a run that spends
/// the budget stops sending with the rest queued, a later run of the same day (a new process, a new connection) sends
/// nothing, and a run with room finishes — nothing lost, nothing sent twice.
/// </summary>
public sealed class DailyCallBudgetTests
{
    private const int Budget = 6;

    [Fact]
    public async Task A_spent_budget_stops_the_run_with_the_rest_queued_and_a_later_run_with_room_finishes_without_sending_anything_twice()
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 700, marketoSettings: s => s.DailyCallBudget = Budget);
        var today = MarketoCentralTime.DateOf(sandbox.Host.Clock.GetUtcNow());

        var first = sandbox.Sync(batchesInFlight: 5);
        var sent = await BcSandbox.ToListAsync(first.RunAsync(new(), CancellationToken.None));
        Assert.True(first.DailyCallBudgetReached);
        Assert.Equal(Budget, CountedMarketoCalls(sandbox));
        Assert.Equal(Budget, sandbox.State.MarketoCalls.Get(today));
        var pending = sandbox.State.Queue(SyncDirection.BcToMarketo).Count(QueuedJobStatus.Pending);
        Assert.True(pending > 300, $"only {pending} records were left queued");
        Assert.Contains(sandbox.Log.Lines, l => l.StartsWith($"WARNING {EngineWarnings.DailyCallBudgetReached} ", StringComparison.Ordinal)
            && l.Contains($"call budget of {Budget} calls is spent ({Budget} made today)", StringComparison.Ordinal)
            && l.Contains($"{pending} record(s) stay queued", StringComparison.Ordinal)
            && l.Contains("(midnight US Central)", StringComparison.Ordinal));
        Assert.DoesNotContain(sent, r => r.Action == SyncAction.Failed);

        // A later run the same day, as a runbook in a new process: the count comes from the pair's state, not from zero.
        using (var later = await sandbox.ConnectMarketoAsync(s => s.DailyCallBudget = Budget))
        {
            var again = sandbox.Sync(marketo: later);
            Assert.Empty(await BcSandbox.ToListAsync(again.RunAsync(new(), CancellationToken.None)));
            Assert.True(again.DailyCallBudgetReached);
            Assert.Equal(Budget, CountedMarketoCalls(sandbox));
        }

        using (var roomy = await sandbox.ConnectMarketoAsync(s => s.DailyCallBudget = 10_000))
        {
            var last = sandbox.Sync(marketo: roomy);
            await BcSandbox.ToListAsync(last.RunAsync(new(), CancellationToken.None));
            Assert.False(last.DailyCallBudgetReached);
        }
        Assert.Equal(0, sandbox.State.Queue(SyncDirection.BcToMarketo).Count(QueuedJobStatus.Pending));
        Assert.Equal(CountedMarketoCalls(sandbox), sandbox.State.MarketoCalls.Get(today));

        var (companies, emails) = sandbox.Expected();
        Assert.All(companies, n => Assert.NotNull(sandbox.Host.Marketo.CompanyByExternalId(n)));
        Assert.All(emails, e => Assert.Single(sandbox.Host.Marketo.LeadsByEmail(e)));
        // Keys of records written (each run's probe of company writability names a company that cannot exist).
        var written = sandbox.Host.Marketo.Writes.Snapshot().SelectMany(c => c.Keys.Select(k => (c.Object, k)))
            .Where(w => !w.k.StartsWith("mlconnector-probe-", StringComparison.Ordinal)).ToList();
        Assert.Equal(written.Count, written.Distinct().Count());
        Assert.Equal(companies.Count + emails.Count, written.Count);
    }

    private static int CountedMarketoCalls(SyncSandbox sandbox) => sandbox.Host.Journal.For(SandboxService.Marketo).Count(e => e.CountedAgainstLimits);
}
