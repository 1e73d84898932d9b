using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using MlConnector.Engine.Cloud;
using MlConnector.Engine.State;
using MlConnector.Engine.State.Tables;
using MlConnector.Engine.Sync;

namespace MlConnector.Engine.Tests.Azurite;

/// <summary>
/// A job another writer moves while this one reads it: moved between the read of its index row and the read of the row
/// it named, it is found at its new place, not taken for gone; unparked between the listing and the change, it is left
/// as the other writer put it.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class TableWorkQueueMovedRowTests(AzuriteFixture azurite)
{
    private const string PairId = "pair-00000000000000ef";
    private static readonly DateTimeOffset T0 = new(2026, 11, 30, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_job_parked_by_another_writer_while_it_is_read_is_parked_again_at_its_new_place()
    {
        var name = azurite.NewTableName("moved");
        var other = OtherWriter(name);
        var job = Assert.Single(other.Take(QueuedJobStatus.Pending, null, 10));
        // The second point read is of the job row the index named: the other writer parks the job just before it.
        var queue = Hooked(name, 2, () => other.Park([(job, "parked by the other writer")], T0.AddMinutes(1)));

        queue.Park([(job, "parked here")], T0.AddMinutes(2));

        var parked = Assert.Single(other.Take(QueuedJobStatus.Parked, null, 10));
        Assert.Equal("parked here", parked.LastError);
        Assert.Equal(2, parked.Attempts);
    }

    [Fact]
    public void A_job_unparked_by_another_writer_after_the_parked_jobs_were_listed_is_not_unparked_again()
    {
        var name = azurite.NewTableName("moved");
        var other = OtherWriter(name);
        other.Park([(Assert.Single(other.Take(QueuedJobStatus.Pending, null, 10)), "failed")], T0.AddMinutes(1));
        var unparkedThere = T0.AddMinutes(2);
        // The first point read is of the index row, after the parked jobs were listed.
        var queue = Hooked(name, 1, () => other.Unpark(null, unparkedThere));

        var unparked = queue.Unpark(null, T0.AddMinutes(3));

        Assert.Equal(0, unparked);
        Assert.Equal(unparkedThere, Assert.Single(other.Take(QueuedJobStatus.Pending, null, 10)).UpdatedAt);
    }

    /// <summary>A queue of its own over a new table <paramref name="name"/>, holding job X pending.</summary>
    private TableWorkQueue OtherWriter(string name)
    {
        var table = new TableClient(azurite.Server.ConnectionString, name);
        table.Create();
        var queue = new TableWorkQueue(table, PairId, SyncDirection.BcToMarketo);
        queue.Enqueue([new QueuedJob("company:X", "Company", "Customer", "X", "{}", QueuedJobStatus.Pending, 0, null, T0, T0)], T0);
        return queue;
    }

    /// <summary>A queue over table <paramref name="name"/> whose client runs <paramref name="action"/> once, just before its <paramref name="nth"/> read of one entity.</summary>
    private TableWorkQueue Hooked(string name, int nth, Action action)
    {
        var options = TableServiceFactory.Options();
        options.AddPolicy(new BeforePointRead(nth, action), HttpPipelinePosition.PerCall);
        return new TableWorkQueue(new TableClient(azurite.Server.ConnectionString, name, options), PairId, SyncDirection.BcToMarketo);
    }

    /// <summary>Runs <paramref name="action"/> once, just before the <paramref name="nth"/> read of one entity is sent.</summary>
    private sealed class BeforePointRead(int nth, Action action) : HttpPipelineSynchronousPolicy
    {
        private int _reads;

        public override void OnSendingRequest(HttpMessage message)
        {
            if (message.Request.Method == RequestMethod.Get && message.Request.Uri.Path.Contains("(PartitionKey=", StringComparison.Ordinal)
                && Interlocked.Increment(ref _reads) == nth)
                action();
        }
    }
}
