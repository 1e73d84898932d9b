using Azure.Data.Tables;
using MlConnector.Engine.State;
using MlConnector.Engine.State.Tables;

namespace MlConnector.Engine.Tests.Azurite;

/// <summary>
/// The rows behind a pair's checkpoints in the pairs table: a boundary's chunk rows belong to one generation, the one
/// the checkpoint row names; an advance removes the generation it replaced and any other left by a writer that died
/// before its checkpoint write once it is older than an hour, while a younger one (a writer still at work) stays.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class TableCheckpointRowTests(AzuriteFixture azurite)
{
    private const string PairId = "pair-00000000000000cc";
    private const string Name = "bc.contacts";
    private static readonly DateTimeOffset T0 = new(2026, 11, 27, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public void An_advance_leaves_only_the_checkpoint_row_and_the_chunks_of_its_own_boundary()
    {
        var table = NewTable();
        var checkpoints = new TableCheckpoints(table, PairId);
        var second = Boundary(3000);

        checkpoints.Advance(Name, T0, Boundary(6000), T0);
        checkpoints.Advance(Name, T0.AddMinutes(1), second, T0.AddMinutes(1));

        var rows = table.Query<TableEntity>(e => e.PartitionKey == PairId).ToList();
        var generation = Assert.Single(rows, r => r.RowKey.StartsWith(TableCheckpoints.CheckpointPrefix, StringComparison.Ordinal)).GetString("Generation");
        var chunks = rows.Where(r => !r.RowKey.StartsWith(TableCheckpoints.CheckpointPrefix, StringComparison.Ordinal)).ToList();
        Assert.Equal(2, chunks.Count);
        Assert.All(chunks, chunk => Assert.StartsWith(TableKeys.Prefix("boundary", Name, generation), chunk.RowKey, StringComparison.Ordinal));
        Assert.Equal(second, checkpoints.Boundary(Name));
    }

    [Fact]
    public void Chunks_of_a_generation_that_never_became_current_are_removed_once_older_than_an_hour()
    {
        var table = NewTable();
        var checkpoints = new TableCheckpoints(table, PairId);
        checkpoints.Advance(Name, T0, Boundary(10), T0);
        var now = T0.AddHours(3);
        table.AddEntity(Chunk("deadwriter", now.AddHours(-1).AddSeconds(-1)));
        table.AddEntity(Chunk("busywriter", now.AddHours(-1)));

        checkpoints.Advance(Name, now, Boundary(10), now);

        var generations = table.Query<TableEntity>(e => e.PartitionKey == PairId).Select(r => r.RowKey.Split(TableKeys.Separator))
            .Where(parts => parts[0] == "boundary").Select(parts => parts[2]).Distinct().ToList();
        Assert.Equal(2, generations.Count);
        Assert.Contains("busywriter", generations);
    }

    [Fact]
    public void A_checkpoint_advanced_to_the_value_it_holds_is_not_written_again()
    {
        var table = NewTable();
        var checkpoints = new TableCheckpoints(table, PairId);
        checkpoints.Advance("bc.customers", T0, T0);
        var written = table.GetEntity<TableEntity>(PairId, TableCheckpoints.CheckpointPrefix + "bc.customers").Value;

        checkpoints.Advance("bc.customers", T0, T0.AddHours(1));

        Assert.Equal(written.ETag, table.GetEntity<TableEntity>(PairId, TableCheckpoints.CheckpointPrefix + "bc.customers").Value.ETag);
    }

    private TableClient NewTable()
    {
        var table = new TableClient(azurite.Server.ConnectionString, azurite.NewTableName("chunks"));
        table.Create();
        return table;
    }

    private static Dictionary<Guid, ReadVersion> Boundary(int records) =>
        Enumerable.Range(0, records).ToDictionary(_ => Guid.NewGuid(), i => ReadVersion.Of(T0.AddMilliseconds(-i), $"W/\"{i}\""));

    private static TableEntity Chunk(string generation, DateTimeOffset writtenAt) => new(PairId, TableKeys.Prefix("boundary", Name, generation) + "000000")
    {
        ["Records"] = new byte[24],
        ["WrittenAt"] = StateTime.Format(writtenAt),
    };
}
