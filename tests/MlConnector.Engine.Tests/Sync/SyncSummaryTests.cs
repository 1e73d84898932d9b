using MlConnector.Engine.Sync;

namespace MlConnector.Engine.Tests.Sync;

/// <summary>The run summary's counts: each result counts once, under its own action.</summary>
public sealed class SyncSummaryTests
{
    [Theory]
    [InlineData(SyncAction.Created)]
    [InlineData(SyncAction.Updated)]
    [InlineData(SyncAction.Unchanged)]
    [InlineData(SyncAction.Skipped)]
    [InlineData(SyncAction.Deleted)]
    [InlineData(SyncAction.Failed)]
    public void Count_adds_one_to_the_actions_own_count_and_to_no_other(SyncAction action)
    {
        var summary = new SyncSummary { CorrelationId = "run", Direction = "BcToMarketo" };

        summary.Count(action);
        summary.Count(action);

        var counts = new Dictionary<SyncAction, int>
        {
            [SyncAction.Created] = summary.Created, [SyncAction.Updated] = summary.Updated, [SyncAction.Unchanged] = summary.Unchanged,
            [SyncAction.Skipped] = summary.Skipped, [SyncAction.Deleted] = summary.Deleted, [SyncAction.Failed] = summary.Failed,
        };
        Assert.Equal(Enum.GetValues<SyncAction>().ToDictionary(a => a, a => a == action ? 2 : 0), counts);
    }
}
