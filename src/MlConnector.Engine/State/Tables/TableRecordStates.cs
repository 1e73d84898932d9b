using Azure.Data.Tables;
using MlConnector.Engine.Sync;

namespace MlConnector.Engine.State.Tables;

/// <summary>
/// One pair's record state in one direction, in the records table (partition = pair id and the key's bucket, see
/// <see cref="TableBuckets"/>; row "dir|target key"). A save is an upsert that merges: a state without a target id
/// leaves the stored id as it is, and one without field digests the stored digests (column FieldHashes, JSON), with no
/// read and no race.
/// </summary>
internal sealed class TableRecordStates(TableClient table, string pairId, SyncDirection direction) : IRecordStates
{
    private readonly string _prefix = TableKeys.Prefix(direction.ToString());

    public IReadOnlyDictionary<string, RecordState> Get(IEnumerable<string> targetKeys)
    {
        var found = TableReads.PointReads(table, targetKeys.Distinct(StringComparer.Ordinal), key => (TableBuckets.Partition(pairId, key), _prefix + TableKeys.Part(key)), "read record state");
        return found.ToDictionary(f => f.Key, f => ToState(f.Key, f.Value), StringComparer.Ordinal);
    }

    public void Save(IEnumerable<RecordState> states)
    {
        // Folded per key as saving them one after another would: the last write wins, a known target id and digests are kept.
        var latest = new Dictionary<string, RecordState>(StringComparer.Ordinal);
        foreach (var state in states)
        {
            latest[state.TargetKey] = latest.TryGetValue(state.TargetKey, out var earlier)
                ? state with { TargetId = state.TargetId ?? earlier.TargetId, FieldHashes = state.FieldHashes ?? earlier.FieldHashes }
                : state;
        }
        TableBatches.Submit(table, latest.Values.Select(s => new TableTransactionAction(TableTransactionActionType.UpsertMerge, Entity(s))), "save record state");
    }

    public int Count() => TableQueries.Buckets(table, pairId, _prefix, "count record state", ["RowKey"]).Count();

    /// <summary>Every record state of the direction (for copying a pair's state).</summary>
    public IEnumerable<RecordState> All() => TableQueries.Buckets(table, pairId, _prefix, "read record state")
        .Select(row => ToState(KeyOf(row), row));

    private TableEntity Entity(RecordState state)
    {
        var key = _prefix + TableKeys.Part(state.TargetKey);
        var entity = new TableEntity(TableBuckets.Partition(pairId, state.TargetKey), key)
        {
            ["SourceNumber"] = state.SourceNumber,
            ["ContentHash"] = state.ContentHash,
            ["WrittenAt"] = StateTime.Format(state.WrittenAt),
        };
        if (state.TargetId is { } id) entity["TargetId"] = id;
        if (FieldHashesJson.Write(state.FieldHashes) is { } hashes) entity["FieldHashes"] = hashes;
        if (TableKeys.IsHashed(TableKeys.LastPart(key))) entity["TargetKey"] = state.TargetKey;
        return entity;
    }

    private static string KeyOf(TableEntity row)
    {
        var part = TableKeys.LastPart(row.RowKey);
        return TableKeys.IsHashed(part) ? row.GetString("TargetKey") : TableKeys.Unescape(part);
    }

    private static RecordState ToState(string key, TableEntity row)
        => new(key, row.GetString("SourceNumber"), row.GetString("ContentHash"), row.GetString("TargetId"), StateTime.Parse(row.GetString("WrittenAt")))
        {
            FieldHashes = FieldHashesJson.Read(row.GetString("FieldHashes")),
        };
}
