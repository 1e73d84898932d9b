using Azure.Data.Tables;

namespace MlConnector.Engine.State.Tables;

/// <summary>The tables of one store, named after its prefix: Pairs (registry, checkpoints, watermarks, leases), Queue, Records, Links, Audit.</summary>
internal sealed class StateTables(TableServiceClient service, string prefix)
{
    public TableClient Pairs { get; } = service.GetTableClient(prefix + "Pairs");
    public TableClient Queue { get; } = service.GetTableClient(prefix + "Queue");
    public TableClient Records { get; } = service.GetTableClient(prefix + "Records");
    public TableClient Links { get; } = service.GetTableClient(prefix + "Links");
    public TableClient Audit { get; } = service.GetTableClient(prefix + "Audit");

    public IEnumerable<TableClient> All => [Pairs, Queue, Records, Links, Audit];
}
