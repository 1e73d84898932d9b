using Azure.Data.Tables;
using MlConnector.Engine.State;
using MlConnector.Engine.State.Tables;
using MlConnector.Engine.Sync;

namespace MlConnector.Engine.Tests.Azurite;

/// <summary>
/// Where the table store keeps what: five tables named after the prefix, and each pair's record state and links spread
/// over 64 partitions "pair id-00" to "pair id-3f". A later release must find rows where an earlier one wrote them.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class TableStoreLayoutTests(AzuriteFixture azurite)
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 27, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_store_keeps_its_state_in_five_tables_named_after_its_prefix()
    {
        var prefix = azurite.NewTableName("layout");
        using (TableStateStore.Open(azurite.Account, prefix)) { }

        var names = new TableServiceClient(azurite.Server.ConnectionString).Query().Select(t => t.Name).Where(n => n.StartsWith(prefix, StringComparison.Ordinal));

        Assert.Equal(new[] { "Audit", "Links", "Pairs", "Queue", "Records" }.Select(n => prefix + n), names.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void A_pairs_records_and_links_lie_in_its_64_bucket_partitions()
    {
        var prefix = azurite.NewTableName("layout");
        const string PairId = "pair-00000000000000ee";
        using (var store = TableStateStore.Open(azurite.Account, prefix))
        {
            store.Pair(PairId).Records(SyncDirection.BcToMarketo).Save(Enumerable.Range(0, 300).Select(i => new RecordState("company:C" + i, "C" + i, "h", null, T0)));
            store.Pair(PairId).Links.Save(Enumerable.Range(0, 300).Select(i => new RecordLink(LinkKind.Customer, "C" + i, null, 1000 + i, null, T0)));
        }

        foreach (var table in new[] { "Records", "Links" })
        {
            var partitions = new TableClient(azurite.Server.ConnectionString, prefix + table).Query<TableEntity>(select: ["PartitionKey"]).Select(r => r.PartitionKey).Distinct().ToList();
            Assert.All(partitions, p => Assert.Matches("^pair-00000000000000ee-[0-9a-f]{2}$", p));
            Assert.InRange(partitions.Count, 40, TableBuckets.Count);
        }
    }
}
