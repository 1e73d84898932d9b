using Azure.Data.Tables;

namespace MlConnector.Engine.State.Tables;

/// <summary>Range reads of one partition by row-key prefix, page by page (rows are streamed, never all held at once).</summary>
internal static class TableQueries
{
    private const int PageSize = 1000;

    public static IEnumerable<TableEntity> Range(TableClient table, string partition, string prefix, string what, IEnumerable<string>? select = null, int? pageSize = null)
    {
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {partition} and RowKey ge {prefix} and RowKey lt {TableKeys.PrefixEnd(prefix)}");
        return Query(table, filter, what, select, pageSize);
    }

    /// <summary>Rows whose key starts with <paramref name="prefix"/> and comes after <paramref name="after"/>, in key order.</summary>
    public static IEnumerable<TableEntity> RangeAfter(TableClient table, string partition, string prefix, string after, string what)
        => Query(table, TableClient.CreateQueryFilter($"PartitionKey eq {partition} and RowKey gt {after} and RowKey lt {TableKeys.PrefixEnd(prefix)}"), what, null, null);

    /// <summary>Rows of every bucket partition of a pair (<see cref="TableBuckets"/>) whose row key starts with <paramref name="prefix"/> (all rows when null).</summary>
    public static IEnumerable<TableEntity> Buckets(TableClient table, string pairId, string? prefix, string what, IEnumerable<string>? select = null)
    {
        var range = TableClient.CreateQueryFilter(TableBuckets.Range(pairId));
        var filter = prefix is null ? range : range + " and " + TableClient.CreateQueryFilter($"RowKey ge {prefix} and RowKey lt {TableKeys.PrefixEnd(prefix)}");
        return Query(table, filter, what, select, null);
    }

    public static IEnumerable<TableEntity> Partition(TableClient table, string partition, string what, IEnumerable<string>? select = null)
        => Query(table, TableClient.CreateQueryFilter($"PartitionKey eq {partition}"), what, select, null);

    /// <summary>
    /// The rows matching <paramref name="filter"/>, page by page. A table that does not exist holds no rows: a store opened
    /// only to read (a listing, a -WhatIf plan) creates none, and reads as empty until a run creates its tables.
    /// </summary>
    public static IEnumerable<TableEntity> Query(TableClient table, string filter, string what, IEnumerable<string>? select, int? pageSize)
    {
        using var pages = TableCalls.Guard(what, () => table.Query<TableEntity>(filter, pageSize ?? PageSize, select).AsPages().GetEnumerator());
        while (UnlessMissing(() => TableCalls.Guard(what, pages.MoveNext), false))
        {
            foreach (var row in pages.Current.Values) yield return row;
        }
    }

    /// <summary>What <paramref name="read"/> returns, or <paramref name="none"/> when its table does not exist (a store opened only to read).</summary>
    public static T UnlessMissing<T>(Func<T> read, T none)
    {
        try
        {
            return read();
        }
        catch (StateStoreException e) when (IsMissingTable(e.InnerException))
        {
            return none;
        }
    }

    public static bool IsMissingTable(Exception? e) => e is Azure.RequestFailedException { Status: 404, ErrorCode: "TableNotFound" };

    public static int Count(TableClient table, string partition, string prefix, string what)
        => Range(table, partition, prefix, what, ["RowKey"]).Count();
}
