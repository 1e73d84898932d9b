using System.Globalization;
using Azure;
using Azure.Data.Tables;

namespace MlConnector.Engine.State.Tables;

/// <summary>
/// One pair's Marketo calls per Marketo day: rows "calls|yyyy-MM-dd" in the pairs table (partition = pair id). Adding
/// is a read-modify-write conditional on the row's ETag, retried when another process added first, so no call is lost
/// from the count; days older than a week before the day added to are dropped, as SQLite does.
/// </summary>
internal sealed class TableMarketoCalls(TableClient table, string pairId) : IMarketoCallCounts
{
    public const string Prefix = "calls|";
    private const int KeepDays = 7;

    public long Get(DateOnly day) => TableCalls.Guard("read the Marketo call count", () =>
    {
        var found = table.GetEntityIfExists<TableEntity>(pairId, Key(day));
        return found.HasValue ? Calls(found.Value!) : 0L;
    });

    public long Add(DateOnly day, long calls, DateTimeOffset now)
    {
        var (total, newDay) = TableCalls.Optimistic("count Marketo calls", () =>
        {
            var found = table.GetEntityIfExists<TableEntity>(pairId, Key(day));
            var sum = (found.HasValue ? Calls(found.Value!) : 0L) + calls;
            var row = new TableEntity(pairId, Key(day)) { ["Day"] = Day(day), ["Calls"] = sum, ["UpdatedAt"] = StateTime.Format(now) };
            if (found.HasValue) table.UpdateEntity(row, found.Value!.ETag, TableUpdateMode.Replace);
            else table.AddEntity(row);
            return (sum, !found.HasValue);
        });
        // Days fall out of the week only when a new day starts: the runs of one day need not look.
        if (newDay) DropBefore(day.AddDays(-KeepDays));
        return total;
    }

    private void DropBefore(DateOnly day)
    {
        var oldest = Key(day);
        var stale = TableQueries.Range(table, pairId, Prefix, "list the Marketo call counts", ["PartitionKey", "RowKey"])
            .Where(r => string.CompareOrdinal(r.RowKey, oldest) < 0)
            .Select(r => new TableTransactionAction(TableTransactionActionType.Delete, new TableEntity(pairId, r.RowKey), ETag.All));
        // Another process may drop the same days at the same moment: a day already gone is what was wanted.
        TableBatches.Submit(table, stale, a => [a], _ => { }, "drop old Marketo call counts");
    }

    /// <summary>Every day counted, oldest first (for copying a pair's state).</summary>
    public IEnumerable<(DateOnly Day, long Calls)> All() => TableQueries.Range(table, pairId, Prefix, "read the Marketo call counts")
        .Select(r => (DateOnly.ParseExact(r.GetString("Day"), "yyyy-MM-dd", CultureInfo.InvariantCulture), Calls(r)));

    private static long Calls(TableEntity row) => row.GetInt64("Calls") ?? 0L;

    private static string Key(DateOnly day) => Prefix + Day(day);

    private static string Day(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
