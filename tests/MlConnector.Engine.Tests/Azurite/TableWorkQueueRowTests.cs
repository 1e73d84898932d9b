using MlConnector.Engine.State;
using MlConnector.Engine.State.Tables;
using MlConnector.Engine.Sync;

namespace MlConnector.Engine.Tests.Azurite;

/// <summary>
/// The table store's queue rows within Table Storage's limits and across processes: a job's place is its enqueue time,
/// a long last error is cut to what a column holds, a payload too large for a row is refused with its size and the way out.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class TableWorkQueueRowTests(AzuriteFixture azurite)
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 27, 10, 0, 0, TimeSpan.Zero);

    private TableStateStore OpenStore() => TableStateStore.Open(azurite.Account, azurite.NewTableName("rows"));

    private static TableWorkQueue QueueOf(TableStateStore store) => (TableWorkQueue)store.Pair("pair-00000000000000dd").Queue(SyncDirection.BcToMarketo);

    private static QueuedJob Job(string number, string payload = "{}") => new("company:" + number, "Company", "Customer", number, payload, QueuedJobStatus.Pending, 0, null, T0, T0);

    [Fact]
    public void A_jobs_place_in_the_queue_is_its_enqueue_time_so_a_later_process_queues_after_it()
    {
        using var store = OpenStore();
        var queue = QueueOf(store);
        var now = DateTimeOffset.UtcNow.AddMinutes(1);

        queue.Enqueue([Job("C1")], now);

        Assert.True(queue.Places(["company:C1"])["company:C1"].Sequence >= now.UtcTicks);
    }

    [Fact]
    public void A_last_error_longer_than_a_column_holds_is_cut_with_an_ellipsis_and_one_that_fits_is_kept()
    {
        using var store = OpenStore();
        var queue = QueueOf(store);
        queue.Enqueue([Job("C1"), Job("C2")], T0);
        var taken = queue.Take(QueuedJobStatus.Pending, null, 10);
        var fits = new string('f', TableText.PartChars);
        var tooLong = "1003 " + new string('e', 40_000);

        queue.Park([(taken[0], fits), (taken[1], tooLong)], T0.AddMinutes(1));

        var parked = queue.Take(QueuedJobStatus.Parked, null, 10);
        Assert.Equal(fits, parked[0].LastError);
        Assert.Equal(tooLong[..(TableText.PartChars - 1)] + "…", parked[1].LastError);
    }

    [Fact]
    public void A_payload_too_large_for_a_row_is_refused_with_its_size_the_limit_and_the_way_out()
    {
        using var store = OpenStore();

        var error = Assert.Throws<MlConnectorException>(() => QueueOf(store).Enqueue([Job("HUGE", new string('x', 600_000))], T0));

        // 600,000 and 450,000 characters of UTF-16: 1,171 and 878 KB.
        Assert.StartsWith("The job company:HUGE carries 1,171 KB of mapped values, more than the 878 KB a table state store keeps per job", error.Message, StringComparison.Ordinal);
        Assert.EndsWith("Map fewer or shorter fields for this record, or use the SQLite state store.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_job_enqueued_again_is_counted_as_a_write_that_found_another_first()
    {
        using var store = OpenStore();
        var queue = QueueOf(store);
        queue.Enqueue([Job("C1")], T0);
        var before = TableStateStore.ConflictRetries;

        queue.Enqueue([Job("C1", "{\"v\":2}")], T0.AddMinutes(1));

        Assert.True(TableStateStore.ConflictRetries > before);
        Assert.Equal("{\"v\":2}", Assert.Single(queue.Take(QueuedJobStatus.Pending, null, 10)).Payload);
    }

    [Fact]
    public void A_job_id_that_is_no_key_is_refused_as_an_argument_not_as_a_storage_failure()
    {
        using var store = OpenStore();
        Assert.Throws<ArgumentNullException>(() => QueueOf(store).Places(["company:C1", null!]));
    }
}
