using Azure;
using Azure.Data.Tables;

namespace MlConnector.Engine.State.Tables;

/// <summary>
/// Writes that must commit together (a job and its index row) packed into entity group transactions: one partition,
/// at most 100 actions and, with room to spare, under the 4 MiB a request may carry. Writes to several partitions (the
/// buckets of a batch of records) are grouped by partition and submitted a few partitions at a time.
/// </summary>
internal static class TableBatches
{
    public const int MaxActions = 100;
    private const long MaxBytes = 3L << 20;

    /// <summary>
    /// Submits the units in as few transactions as fit. When a transaction fails on one unit because another writer got
    /// there first (409, 412, 404), that unit is handed to <paramref name="onConflict"/> and the rest are submitted again.
    /// </summary>
    public static void Submit<TUnit>(TableClient table, IEnumerable<TUnit> units, Func<TUnit, IReadOnlyList<TableTransactionAction>> actionsOf,
        Action<TUnit> onConflict, string what)
    {
        // A transaction holds one partition: the units of each partition go on their own, partitions side by side.
        var partitions = units.Select(u => new Packed<TUnit>(u, actionsOf(u))).Where(p => p.Actions.Count > 0)
            .GroupBy(p => p.Actions[0].Entity.PartitionKey, StringComparer.Ordinal).ToList();
        var gate = new object();
        void Conflict(TUnit unit)
        {
            lock (gate) onConflict(unit);
        }
        if (partitions.Count == 1) SubmitPartition(table, partitions[0], Conflict, what);
        else if (partitions.Count > 1)
        {
            try
            {
                Parallel.ForEach(partitions, new ParallelOptions { MaxDegreeOfParallelism = 4 }, partition => SubmitPartition(table, partition, Conflict, what));
            }
            catch (AggregateException e) when (e.InnerException is not null)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerException).Throw();
            }
        }
    }

    private static void SubmitPartition<TUnit>(TableClient table, IEnumerable<Packed<TUnit>> units, Action<TUnit> onConflict, string what)
    {
        foreach (var batch in Pack(units))
        {
            var left = batch;
            while (left.Count > 0)
            {
                try
                {
                    table.SubmitTransaction(left.SelectMany(u => u.Actions).ToList());
                    break;
                }
                catch (TableTransactionFailedException e) when (TableCalls.IsConflict(e) && e.FailedTransactionActionIndex is int index)
                {
                    TableCalls.CountConflict();
                    var failed = UnitAt(left, index);
                    left = left.Where(u => !ReferenceEquals(u, failed)).ToList();
                    onConflict(failed.Unit);
                }
                catch (RequestFailedException e)
                {
                    throw TableCalls.Unavailable(what, e);
                }
            }
        }
    }

    /// <summary>Submits the actions (each a unit of its own) with no conflict expected: upserts.</summary>
    public static void Submit(TableClient table, IEnumerable<TableTransactionAction> actions, string what)
        => Submit(table, actions, a => [a], _ => throw new InvalidOperationException("An upsert cannot conflict."), what);

    /// <summary>
    /// The serialized size of an entity, at most: names as UTF-16, text as the request's JSON carries it (every character
    /// but plain ASCII escaped as \uXXXX, six bytes), binary as base64, plus envelope.
    /// </summary>
    public static long Size(ITableEntity entity)
    {
        long size = 256 + (entity.PartitionKey.Length + entity.RowKey.Length) * 2L;
        if (entity is TableEntity properties)
        {
            foreach (var (name, value) in properties)
            {
                size += name.Length * 2L + value switch
                {
                    string text => JsonBytes(text),
                    byte[] bytes => bytes.Length * 4L / 3 + 4,
                    BinaryData data => data.ToMemory().Length * 4L / 3 + 4,
                    _ => 32,
                };
            }
        }
        return size;
    }

    private static long JsonBytes(string text)
    {
        long bytes = 0;
        foreach (var c in text) bytes += c is >= ' ' and <= '~' and not ('"' or '\\' or '<' or '>' or '&' or '\'' or '+' or '`') ? 1 : 6;
        return bytes;
    }

    private sealed record Packed<TUnit>(TUnit Unit, IReadOnlyList<TableTransactionAction> Actions);

    private static IEnumerable<List<Packed<TUnit>>> Pack<TUnit>(IEnumerable<Packed<TUnit>> units)
    {
        var batch = new List<Packed<TUnit>>();
        int actions = 0;
        long bytes = 0;
        foreach (var unit in units)
        {
            var unitBytes = unit.Actions.Sum(a => Size(a.Entity));
            if (batch.Count > 0 && (actions + unit.Actions.Count > MaxActions || bytes + unitBytes > MaxBytes))
            {
                yield return batch;
                batch = new List<Packed<TUnit>>();
                actions = 0;
                bytes = 0;
            }
            batch.Add(unit);
            actions += unit.Actions.Count;
            bytes += unitBytes;
        }
        if (batch.Count > 0) yield return batch;
    }

    private static Packed<TUnit> UnitAt<TUnit>(List<Packed<TUnit>> batch, int actionIndex)
    {
        foreach (var packed in batch)
        {
            if (actionIndex < packed.Actions.Count) return packed;
            actionIndex -= packed.Actions.Count;
        }
        return batch[^1];
    }
}
