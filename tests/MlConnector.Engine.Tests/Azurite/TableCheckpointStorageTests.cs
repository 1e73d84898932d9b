using Azure.Data.Tables;
using MlConnector.Engine.Cloud;
using MlConnector.Engine.State;
using MlConnector.Engine.State.Tables;

namespace MlConnector.Engine.Tests.Azurite;

/// <summary>
/// Checkpoints in Table Storage beyond the store contract: boundary chunks written before ETag digests were kept, and
/// a table removed under an open store.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class TableCheckpointStorageTests(AzuriteFixture azurite)
{
    private const string Pair = "bc-tenant-env-company--marketo-123";
    private static readonly DateTimeOffset T0 = new(2026, 11, 30, 9, 0, 0, 3, TimeSpan.Zero);

    [Fact]
    public async Task A_boundary_chunk_without_etag_digests_reads_with_its_stamps_and_unknown_digests()
    {
        var table = TableServiceFactory.FromConnectionString(azurite.Server.ConnectionString, azurite.NewTableName("digest"));
        await table.CreateAsync();
        var checkpoints = new TableCheckpoints(table, Pair);
        var boundary = Enumerable.Range(0, 5).ToDictionary(_ => Guid.NewGuid(), i => ReadVersion.Of(T0.AddMilliseconds(-10 * i), $"W/\"{i}\""));
        checkpoints.Advance("bc.contacts", T0, boundary, T0);
        Assert.Equal(boundary, checkpoints.Boundary("bc.contacts"));

        var chunks = table.Query<TableEntity>(e => e.PartitionKey == Pair).Where(e => e.RowKey.StartsWith("boundary", StringComparison.Ordinal)).ToList();
        Assert.Single(chunks);
        foreach (var chunk in chunks)
        {
            Assert.True(chunk.Remove("ETagDigests"));
            await table.UpdateEntityAsync(chunk, chunk.ETag, TableUpdateMode.Replace);
        }

        var read = checkpoints.Boundary("bc.contacts");
        Assert.Equal(boundary.ToDictionary(b => b.Key, b => b.Value.LastModified), read.ToDictionary(b => b.Key, b => b.Value.LastModified));
        Assert.All(read.Values, v => Assert.Equal(0, v.ETagDigest));
    }

    // A 404 is a lost race only for a row another writer removed: for the table itself, retrying cannot help.
    [Fact]
    public async Task A_checkpoint_write_to_a_removed_table_is_reported_at_once_not_retried_as_a_race()
    {
        var table = TableServiceFactory.FromConnectionString(azurite.Server.ConnectionString, azurite.NewTableName("gone"));
        await table.CreateAsync();
        var checkpoints = new TableCheckpoints(table, Pair);
        checkpoints.Advance("bc.customers", T0, T0);
        await table.DeleteAsync();
        var conflictsBefore = TableCalls.Conflicts;

        var simple = Assert.Throws<StateStoreException>(() => checkpoints.Advance("bc.customers", T0.AddMinutes(1), T0));
        var withBoundary = Assert.Throws<StateStoreException>(() =>
            checkpoints.Advance("bc.contacts", T0, new Dictionary<Guid, ReadVersion> { [Guid.NewGuid()] = ReadVersion.Of(T0, "W/\"1\"") }, T0));

        Assert.Contains("advance the checkpoint bc.customers", simple.Message, StringComparison.Ordinal);
        Assert.Contains("write the checkpoint boundary of bc.contacts", withBoundary.Message, StringComparison.Ordinal);
        Assert.All([simple, withBoundary], e => Assert.Contains("HTTP 404 TableNotFound", e.Message, StringComparison.Ordinal));
        Assert.Equal(conflictsBefore, TableCalls.Conflicts);
    }
}
