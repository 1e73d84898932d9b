using Azure.Data.Tables;
using MlConnector.Engine.Cloud;
using MlConnector.Engine.State;
using MlConnector.Engine.State.Tables;

namespace MlConnector.Engine.Tests.Azurite;

/// <summary>A checkpoint boundary's chunk rows written before ETag digests were kept still read, with every digest unknown.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class TableBoundaryDigestTests(AzuriteFixture azurite)
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
}
