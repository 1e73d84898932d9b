using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;
using Azure;
using Azure.Data.Tables;

namespace MlConnector.Engine.State.Tables;

/// <summary>Looks rows up by key, several at a time: a planning chunk asks for a thousand records, and one round trip each in turn would be slow.</summary>
internal static class TableReads
{
    private const int Concurrency = 8;

    public static IReadOnlyList<KeyValuePair<TKey, TableEntity>> PointReads<TKey>(TableClient table, IEnumerable<TKey> keys, Func<TKey, (string Partition, string RowKey)> keyOf, string what)
    {
        var found = new ConcurrentBag<KeyValuePair<TKey, TableEntity>>();
        try
        {
            Parallel.ForEach(keys, new ParallelOptions { MaxDegreeOfParallelism = Concurrency }, key =>
            {
                var (partition, rowKey) = keyOf(key);
                var row = table.GetEntityIfExists<TableEntity>(partition, rowKey);
                if (row.HasValue) found.Add(new KeyValuePair<TKey, TableEntity>(key, row.Value!));
            });
        }
        catch (AggregateException e) when (e.InnerException is RequestFailedException failed)
        {
            throw TableCalls.Unavailable(what, failed);
        }
        catch (AggregateException e) when (e.InnerException is not null)
        {
            ExceptionDispatchInfo.Capture(e.InnerException).Throw();
        }
        return found.ToList();
    }
}
