using System.Globalization;
using Azure.Data.Tables;

namespace MlConnector.Engine.State.Tables;

/// <summary>
/// One pair's BC ↔ Marketo links in the links table (partition = pair id and the key's bucket, see <see cref="TableBuckets"/>):
/// "kind|n|BC number" holds the link (saved as a merging upsert, so a link without a BC id keeps the one known),
/// "kind|m|Marketo id" names the BC number for the reverse lookup, which checks the link still carries that Marketo id.
/// </summary>
internal sealed class TableLinks(TableClient table, string pairId) : ILinkStore
{
    public void Save(IEnumerable<RecordLink> links)
    {
        var latest = new Dictionary<(LinkKind, string), RecordLink>();
        foreach (var link in links)
        {
            var key = (link.Kind, link.BcNumber);
            latest[key] = latest.TryGetValue(key, out var earlier) && link.BcId is null ? link with { BcId = earlier.BcId } : link;
        }
        var byMarketoId = new Dictionary<(LinkKind, long), RecordLink>();
        foreach (var link in latest.Values) byMarketoId[(link.Kind, link.MarketoId)] = link;
        var actions = latest.Values.Select(l => new TableTransactionAction(TableTransactionActionType.UpsertMerge, Entity(l)))
            .Concat(byMarketoId.Values.Select(l => new TableTransactionAction(TableTransactionActionType.UpsertReplace,
                new TableEntity(MarketoPartition(l.MarketoId), MarketoKey(l.Kind, l.MarketoId)) { ["BcNumber"] = l.BcNumber })));
        TableBatches.Submit(table, actions, "save links");
    }

    public IReadOnlyDictionary<string, RecordLink> ByBcNumber(LinkKind kind, IEnumerable<string> bcNumbers)
        => TableReads.PointReads(table, bcNumbers.Distinct(StringComparer.Ordinal), n => (TableBuckets.Partition(pairId, n), NumberKey(kind, n)), "read links")
            .ToDictionary(f => f.Key, f => ToLink(kind, f.Key, f.Value), StringComparer.Ordinal);

    public IReadOnlyDictionary<long, RecordLink> ByMarketoId(LinkKind kind, IEnumerable<long> marketoIds)
    {
        var numbers = TableReads.PointReads(table, marketoIds.Distinct(), id => (MarketoPartition(id), MarketoKey(kind, id)), "read links");
        var links = ByBcNumber(kind, numbers.Select(n => n.Value.GetString("BcNumber")));
        var result = new Dictionary<long, RecordLink>();
        foreach (var (id, row) in numbers)
            if (links.TryGetValue(row.GetString("BcNumber"), out var link) && link.MarketoId == id) result[id] = link;
        return result;
    }

    public int Count(LinkKind kind) => TableQueries.Buckets(table, pairId, NumberPrefix(kind), "count links", ["RowKey"]).Count();

    /// <summary>Every link of a kind (for copying a pair's state).</summary>
    public IEnumerable<RecordLink> All(LinkKind kind) => TableQueries.Buckets(table, pairId, NumberPrefix(kind), "read links")
        .Select(row => ToLink(kind, NumberOf(row), row));

    private TableEntity Entity(RecordLink link)
    {
        var key = NumberKey(link.Kind, link.BcNumber);
        var entity = new TableEntity(TableBuckets.Partition(pairId, link.BcNumber), key)
        {
            ["MarketoId"] = link.MarketoId,
            ["MarketoKey"] = link.MarketoKey ?? "",
            ["UpdatedAt"] = StateTime.Format(link.UpdatedAt),
        };
        if (link.BcId is { } id) entity["BcId"] = id.ToString("D");
        if (TableKeys.IsHashed(TableKeys.LastPart(key))) entity["BcNumber"] = link.BcNumber;
        return entity;
    }

    private static RecordLink ToLink(LinkKind kind, string number, TableEntity row) => new(kind, number,
        row.GetString("BcId") is { } id ? Guid.Parse(id) : null, row.GetInt64("MarketoId") ?? 0,
        row.GetString("MarketoKey") is { Length: > 0 } key ? key : null, StateTime.Parse(row.GetString("UpdatedAt")));

    private static string NumberOf(TableEntity row)
    {
        var part = TableKeys.LastPart(row.RowKey);
        return TableKeys.IsHashed(part) ? row.GetString("BcNumber") : TableKeys.Unescape(part);
    }

    private string MarketoPartition(long marketoId) => TableBuckets.Partition(pairId, marketoId.ToString(CultureInfo.InvariantCulture));

    private static string NumberPrefix(LinkKind kind) => TableKeys.Prefix(kind.ToString(), "n");

    private static string NumberKey(LinkKind kind, string number) => NumberPrefix(kind) + TableKeys.Part(number);

    private static string MarketoKey(LinkKind kind, long marketoId) => TableKeys.Prefix(kind.ToString(), "m") + marketoId.ToString("D20", CultureInfo.InvariantCulture);
}
