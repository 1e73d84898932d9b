using System.Collections.Concurrent;
using Azure;
using Azure.Data.Tables;
using MlConnector.Engine.Sync;

namespace MlConnector.Engine.State.Tables;

/// <summary>One pair's state: its partition in each of the store's tables.</summary>
internal sealed class TablePairState(StateTables tables, string pairId) : IPairState, IPairStateTransfer
{
    private readonly TableCheckpoints _checkpoints = new(tables.Pairs, pairId);
    private readonly ConcurrentDictionary<SyncDirection, TableWorkQueue> _queues = new();
    private TableBulkImports? _bulkImports;

    public string PairId => pairId;

    public ICheckpointStore Checkpoints => _checkpoints;

    // One queue object per direction: it remembers the rows it handed out, so completing them needs no second read.
    public IWorkQueue Queue(SyncDirection direction) => QueueOf(direction);

    public IRecordStates Records(SyncDirection direction) => RecordsOf(direction);

    public ILinkStore Links => LinksOf();

    public ILeaseStore Lease => new TableLeases(tables.Pairs, pairId);

    public ISubscriptionStore Subscriptions => new TableSubscriptions(tables.Pairs, pairId);

    public IMarketoCallCounts MarketoCalls => CallsOf();

    // One object per pair state: it keeps the open imports' job rows between the pages of one settlement or file.
    public IBulkImports BulkImports
        => LazyInitializer.EnsureInitialized(ref _bulkImports, () => new TableBulkImports(tables.Queue, pairId, QueueOf(SyncDirection.BcToMarketo)));

    public IEnumerable<string> CheckpointNames() => _checkpoints.Names(TableCheckpoints.CheckpointPrefix);

    public IEnumerable<string> WatermarkNames() => _checkpoints.Names(TableCheckpoints.WatermarkPrefix);

    public IEnumerable<StoredJob> AllJobs(SyncDirection direction) => QueueOf(direction).All();

    public IEnumerable<RecordState> AllRecordStates(SyncDirection direction) => RecordsOf(direction).All();

    public IEnumerable<RecordLink> AllLinks(LinkKind kind) => LinksOf().All(kind);

    public IEnumerable<(DateOnly Day, long Calls)> AllMarketoCalls() => CallsOf().All();

    public void RestoreJobs(SyncDirection direction, IEnumerable<StoredJob> jobs, DateTimeOffset now) => QueueOf(direction).Restore(jobs, now);

    public void Clear()
    {
        foreach (var table in new[] { tables.Queue, tables.Records, tables.Links, tables.Pairs })
        {
            var rows = TableQueries.Partition(table, pairId, "list the pair's rows", ["PartitionKey", "RowKey"])
                .Concat(table == tables.Records || table == tables.Links ? TableQueries.Buckets(table, pairId, null, "list the pair's rows", ["PartitionKey", "RowKey"]) : [])
                .Where(row => !(table == tables.Pairs && row.RowKey == TableLeases.RowKey))
                .Select(row => new TableTransactionAction(TableTransactionActionType.Delete, new TableEntity(row.PartitionKey, row.RowKey), ETag.All));
            // A row another writer removed meanwhile is gone either way.
            TableBatches.Submit(table, rows, a => [a], _ => { }, "remove the pair's state");
        }
        foreach (var queue in _queues.Values) queue.Forget();
        _bulkImports = null;
    }

    private TableWorkQueue QueueOf(SyncDirection direction) => _queues.GetOrAdd(direction, d => new TableWorkQueue(tables.Queue, pairId, d));

    private TableRecordStates RecordsOf(SyncDirection direction) => new(tables.Records, pairId, direction);

    private TableLinks LinksOf() => new(tables.Links, pairId);

    private TableMarketoCalls CallsOf() => new(tables.Pairs, pairId);
}
