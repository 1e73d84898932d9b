using System.Text.RegularExpressions;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using MlConnector.Engine.Cloud;
using MlConnector.Engine.State;
using MlConnector.Engine.State.Tables;
using MlConnector.Engine.Sync;

namespace MlConnector.Engine.Tests.Azurite;

/// <summary>
/// What the table store's queue hands out: jobs in the order first given, even when one of a batch was queued before
/// (the conflict is laid on that job, not on another of the batch), and pages no larger than Table Storage serves.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed partial class TableWorkQueueTakeTests(AzuriteFixture azurite)
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 30, 10, 0, 0, TimeSpan.Zero);

    private static QueuedJob Job(string number) => new("company:" + number, "Company", "Customer", number, "{}", QueuedJobStatus.Pending, 0, null, T0, T0);

    [Fact]
    public void A_batch_whose_first_job_is_queued_already_keeps_the_others_in_the_order_given()
    {
        using var store = TableStateStore.Open(azurite.Account, azurite.NewTableName("take"));
        var queue = store.Pair("pair-00000000000000ee").Queue(SyncDirection.BcToMarketo);
        queue.Enqueue([Job("X")], T0);

        queue.Enqueue([Job("X"), Job("B"), Job("C")], T0.AddMinutes(1));

        Assert.Equal(["X", "B", "C"], queue.Take(QueuedJobStatus.Pending, null, 10).Select(j => j.SourceNumber));
    }

    [Fact]
    public void A_take_of_more_than_a_thousand_jobs_of_a_type_asks_for_pages_of_at_most_a_thousand_rows()
    {
        // Table Storage returns at most 1,000 entities per query ("Query Timeout and Pagination"); Azurite serves a larger $top.
        var tops = new List<int>();
        var options = TableServiceFactory.Options();
        options.AddPolicy(new TopRecorder(tops), HttpPipelinePosition.PerCall);
        var table = new TableClient(azurite.Server.ConnectionString, azurite.NewTableName("take"), options);
        table.Create();
        var queue = new TableWorkQueue(table, "pair-00000000000000ee", SyncDirection.BcToMarketo);
        queue.Enqueue(Enumerable.Range(1, 1001).Select(n => Job("C" + n)), T0);

        var taken = queue.Take(QueuedJobStatus.Pending, "Company", 1500);

        Assert.Equal(1001, taken.Count);
        Assert.NotEmpty(tops);
        Assert.All(tops, top => Assert.InRange(top, 1, 1000));
    }

    private sealed partial class TopRecorder(List<int> tops) : HttpPipelineSynchronousPolicy
    {
        public override void OnSendingRequest(HttpMessage message)
        {
            var top = Top().Match(Uri.UnescapeDataString(message.Request.Uri.Query));
            if (top.Success) lock (tops) tops.Add(int.Parse(top.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
        }

        [GeneratedRegex(@"\$top=(\d+)")]
        private static partial Regex Top();
    }
}
