using System.Text.RegularExpressions;
using Azure.Data.Tables;
using Azure.Data.Tables.Sas;
using MlConnector.Engine.State;
using MlConnector.Engine.State.Tables;
using MlConnector.Engine.Sync;

namespace MlConnector.Engine.Tests.Azurite;

/// <summary>
/// What the table store reports when Table Storage refuses a call: a StateStoreException naming what was being done,
/// the HTTP status and error code, and the hint for a refused identity. Each operation runs on a store's real tables
/// through a client that may only read (a read-only SAS) or may do nothing (a wrong account key).
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class TableQueueAndCheckpointRefusalTests(AzuriteFixture azurite)
{
    private const string PairId = "pair-00000000000000aa";
    private static readonly DateTimeOffset T0 = new(2026, 11, 27, 10, 0, 0, TimeSpan.Zero);

    private static QueuedJob Job(string number) => new("company:" + number, "Company", "Customer", number, "{}", QueuedJobStatus.Pending, 0, null, T0, T0);

    [Fact]
    public void Queue_writes_refused_to_a_reader_name_the_write()
    {
        var prefix = StoreWithJobs();
        var queue = new TableWorkQueue(ReadOnly(prefix + "Queue"), PairId, SyncDirection.BcToMarketo);
        var pending = queue.Take(QueuedJobStatus.Pending, null, 10);
        var parked = queue.Take(QueuedJobStatus.Parked, null, 10);
        Assert.Equal(["company:C1", "company:C2"], pending.Select(j => j.JobId));

        AssertRefused("enqueue jobs", () => queue.Enqueue([Job("C9")], T0));
        AssertRefused("complete jobs", () => queue.Complete([pending[0]]));
        AssertRefused("park failed jobs", () => queue.Park([(pending[0], "1003")], T0));
        AssertRefused("hold the target's answers", () => queue.HoldAnswers([(pending[1], "{}")]));
        AssertRefused("unpark jobs", () => queue.Unpark(null, T0));
        AssertRefused("restore queued jobs", () => queue.Restore([new StoredJob(Job("C8"), null)], T0));
        Assert.Equal(["company:C3"], parked.Select(j => j.JobId));
    }

    [Fact]
    public void Queue_reads_refused_to_a_wrong_key_name_the_read()
    {
        var prefix = StoreWithJobs();
        var queue = new TableWorkQueue(Denied(prefix + "Queue"), PairId, SyncDirection.BcToMarketo);

        AssertRefused("read queued jobs", () => queue.Take(QueuedJobStatus.Pending, null, 10));
        AssertRefused("list queued jobs", () => queue.JobIds(QueuedJobStatus.Pending));
        AssertRefused("count queued jobs", () => queue.Count(QueuedJobStatus.Pending));
        AssertRefused("read pending jobs", () => queue.PendingAfter("Company", 0).ToList());
        AssertRefused("find queued jobs", () => queue.Places(["company:C1"]));
        AssertRefused("read a queued job", () => queue.PendingAt("BcToMarketo|j|Pending|Company|0000000000000000001|company:C1"));
        AssertRefused("read a queued job", () => queue.Complete([Job("C1")]));
    }

    [Fact]
    public void Checkpoint_calls_refused_name_the_checkpoint_or_watermark()
    {
        var prefix = azurite.NewTableName("refused");
        using (var store = Open(prefix)) store.Pair(PairId).Checkpoints.Advance("bc.customers", T0, T0);
        var reader = new TableCheckpoints(ReadOnly(prefix + "Pairs"), PairId);
        var denied = new TableCheckpoints(Denied(prefix + "Pairs"), PairId);
        KeyValuePair<Guid, ReadVersion>[] boundary = [new(Guid.NewGuid(), ReadVersion.Of(T0, "W/\"1\""))];

        AssertRefused("advance the checkpoint bc.customers", () => reader.Advance("bc.customers", T0.AddHours(1), T0));
        AssertRefused("advance the checkpoint bc.contacts", () => reader.Advance("bc.contacts", T0, [], T0));
        AssertRefused("write the checkpoint boundary of bc.contacts", () => reader.Advance("bc.contacts", T0, boundary, T0));
        AssertRefused("set the watermark lead.changes", () => reader.SetWatermark("lead.changes", new Watermark("t", T0), T0));
        AssertRefused("read the checkpoints", () => denied.Get("bc.customers"));
        AssertRefused("list the checkpoints", () => denied.Names(TableCheckpoints.CheckpointPrefix).ToList());
        Assert.Equal(T0, reader.Get("bc.customers"));
    }

    [Fact]
    public void A_write_over_several_partitions_refused_comes_out_as_the_stores_error_not_an_aggregate()
    {
        var prefix = azurite.NewTableName("refused");
        using (Open(prefix)) { }
        var records = new TableRecordStates(ReadOnly(prefix + "Records"), PairId, SyncDirection.BcToMarketo);

        // Keys in different buckets: one transaction per partition, submitted side by side.
        AssertRefused("save record state", () => records.Save(Enumerable.Range(0, 20).Select(i => new RecordState("company:C" + i, "C" + i, "h", null, T0))));
    }

    [Fact]
    public void A_refused_identity_is_told_which_role_it_needs_and_the_message_keeps_to_one_line()
    {
        var prefix = StoreWithJobs();
        var error = AssertRefused("count queued jobs", () => new TableWorkQueue(Denied(prefix + "Queue"), PairId, SyncDirection.BcToMarketo).Count(QueuedJobStatus.Pending));

        // The SDK's message runs over several lines (status, headers): only its first is kept.
        Assert.Contains("(HTTP 403): Service request failed. Check that the identity", error.Message, StringComparison.Ordinal);
        Assert.EndsWith("Storage Table Data Contributor, or a SAS with table permissions raud and, for the first run, c).", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }

    private static StateStoreException AssertRefused(string what, Action call)
    {
        var error = Assert.Throws<StateStoreException>(call);
        Assert.StartsWith($"The table state store could not {what} (HTTP 403)", error.Message, StringComparison.Ordinal);
        return error;
    }

    /// <summary>A store with C1 and C2 pending and C3 parked in BC → Marketo: the prefix of its tables.</summary>
    private string StoreWithJobs()
    {
        var prefix = azurite.NewTableName("refused");
        using var store = Open(prefix);
        var queue = store.Pair(PairId).Queue(SyncDirection.BcToMarketo);
        queue.Enqueue([Job("C1"), Job("C2"), Job("C3")], T0);
        queue.Park([(queue.Take(QueuedJobStatus.Pending, null, 10)[2], "1003")], T0);
        return prefix;
    }

    private TableStateStore Open(string prefix) => TableStateStore.Open(azurite.Account, prefix);

    private TableClient ReadOnly(string table)
        => new(new TableClient(azurite.Server.ConnectionString, table).GenerateSasUri(TableSasPermissions.Read, DateTimeOffset.UtcNow.AddHours(1)));

    // A well-formed key that is not the account's: every request fails authentication.
    private TableClient Denied(string table)
        => new(Regex.Replace(azurite.Server.ConnectionString, "AccountKey=[^;]*", "AccountKey=" + Convert.ToBase64String(new byte[64])), table);
}
