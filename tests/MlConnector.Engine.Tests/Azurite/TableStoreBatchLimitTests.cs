using MlConnector.Engine.State;
using MlConnector.Engine.State.Tables;
using MlConnector.Engine.Sync;

namespace MlConnector.Engine.Tests.Azurite;

/// <summary>
/// Writes larger than one entity group transaction may carry (4 MiB of request body, 100 actions), which the store
/// packs into several: Azurite refuses a larger body with 413 as Table Storage does.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class TableStoreBatchLimitTests(AzuriteFixture azurite)
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 27, 10, 0, 0, TimeSpan.Zero);

    private TableStateStore OpenStore() => TableStateStore.Open(azurite.Account, azurite.NewTableName("limits"));

    [Theory]
    [InlineData('x')]
    [InlineData('ж')]
    [InlineData('"')]
    public void Jobs_whose_payloads_together_pass_a_transactions_4_MiB_are_all_queued(char filler)
    {
        using var store = OpenStore();
        var queue = store.Pair("pair-00000000000000bb").Queue(SyncDirection.BcToMarketo);
        var jobs = Enumerable.Range(0, 12).Select(i => new QueuedJob("company:C" + i, "Company", "Customer", "C" + i, new string(filler, 400_000), QueuedJobStatus.Pending, 0, null, T0, T0)).ToList();

        queue.Enqueue(jobs, T0);

        Assert.Equal(jobs.Select(j => j.JobId), queue.Take(QueuedJobStatus.Pending, null, 20).Select(j => j.JobId));
    }

    [Fact]
    public void A_checkpoint_boundary_whose_chunks_together_pass_4_MiB_is_written_and_read_back_whole()
    {
        using var store = OpenStore();
        var checkpoints = store.Pair("pair-00000000000000bb").Checkpoints;
        // 24 + 8 bytes a record, 2,600 records a chunk row: 54 chunk rows, about 6 MB as base64.
        var boundary = Enumerable.Range(0, 140_000).ToDictionary(_ => Guid.NewGuid(), i => ReadVersion.Of(T0.AddTicks(-i), $"W/\"{i}\""));

        checkpoints.Advance("bc.contacts", T0, boundary, T0);

        Assert.Equal(boundary, checkpoints.Boundary("bc.contacts"));
    }
}
