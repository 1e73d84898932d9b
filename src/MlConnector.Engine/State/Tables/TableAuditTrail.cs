using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using Azure.Data.Tables;
using MlConnector.Engine.Audit;

namespace MlConnector.Engine.State.Tables;

/// <summary>
/// The audit trail of runs that keep their state in Table Storage: the audit table of the same account (default
/// MlConnectorAudit). Each row holds the exact JSON line the console writes to its daily file (column Line), beside
/// PairId, CorrelationId, SourceNumber and Action for queries from outside the module; its row key is the time (UTC
/// ticks), the writer and a sequence. A UTC day's lines are spread over <see cref="TableBuckets.Count"/> partitions
/// "yyyy-MM-dd|bucket", one bucket per batch, taken in turn (a large run writes hundreds of thousands of lines a day),
/// and written in transactions of up to 100; the row "days"/"yyyy-MM-dd" lists the days that have lines. Reading merges
/// a day's buckets by row key, so lines come back oldest first.
/// </summary>
public sealed class TableAuditTrail : IAuditTrail
{
    private const string DaysPartition = "days";

    /// <summary>Rows read from each bucket at a time while merging a day: 64 buckets stay a few MB in memory.</summary>
    private const int MergePageSize = 100;

    private readonly TableClient _table;
    private readonly string _writer = Guid.NewGuid().ToString("N")[..8];
    private long _sequence;
    private long _buckets = Random.Shared.Next(TableBuckets.Count);

    // Days this trail has listed in the row "days": a run appends thousands of batches a day and lists the day once.
    private readonly ConcurrentDictionary<string, bool> _listedDays = new(StringComparer.Ordinal);

    internal TableAuditTrail(TableClient table, string location)
    {
        _table = table;
        Location = location;
    }

    public string Location { get; }

    public bool HasHistory => Days(null, null).Any();

    public void Append(IEnumerable<AuditRecord> records)
    {
        foreach (var day in records.GroupBy(r => Day(r.Time)))
        {
            var partition = day.Key + TableKeys.Separator + (Interlocked.Increment(ref _buckets) % TableBuckets.Count).ToString("x2", CultureInfo.InvariantCulture);
            var rows = day.Select(record =>
            {
                var sequence = Interlocked.Increment(ref _sequence);
                var row = new TableEntity(partition, string.Join(TableKeys.Separator, record.Time.UtcTicks.ToString("D19", CultureInfo.InvariantCulture), _writer,
                    sequence.ToString("D10", CultureInfo.InvariantCulture)))
                {
                    ["CorrelationId"] = record.CorrelationId,
                    ["SourceNumber"] = record.SourceNumber,
                    ["Action"] = record.Action,
                };
                if (record.PairId is { } pair) row["PairId"] = pair;
                TableText.Write(row, "Line", JsonSerializer.Serialize(record, AuditJson.Options));
                return new TableTransactionAction(TableTransactionActionType.Add, row);
            }).ToList();
            TableBatches.Submit(_table, rows, "write the audit");
            if (_listedDays.ContainsKey(day.Key)) continue;
            TableCalls.Guard("write the audit", () => _table.UpsertEntity(new TableEntity(DaysPartition, day.Key), TableUpdateMode.Replace));
            _listedDays[day.Key] = true;
        }
    }

    public IEnumerable<AuditRecord> Read(AuditQuery query, Action<AuditDamage>? onDamaged = null)
    {
        ArgumentNullException.ThrowIfNull(query);
        foreach (var day in Days(query.Since, query.Until))
        {
            var damaged = new List<long>();
            long number = 0;
            foreach (var row in Merged(day))
            {
                number++;
                var record = Parse(TableText.Read(row, "Line"));
                if (record is null) damaged.Add(number);
                else if (query.Matches(record)) yield return record;
            }
            Report(day, damaged, onDamaged);
        }
    }

    /// <summary>The days that have lines, oldest first, from <paramref name="since"/>'s day to <paramref name="until"/>'s.</summary>
    private IEnumerable<string> Days(DateTimeOffset? since, DateTimeOffset? until)
    {
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {DaysPartition}");
        if (since is { } from) filter += " and " + TableClient.CreateQueryFilter($"RowKey ge {Day(from)}");
        if (until is { } to) filter += " and " + TableClient.CreateQueryFilter($"RowKey le {Day(to)}");
        return TableQueries.UnlessMissing(() => TableQueries.Query(_table, filter, "read the audit table", ["RowKey"], null).Select(row => row.RowKey).ToList(), []);
    }

    /// <summary>A day's rows from all its buckets, in row-key (time) order: each bucket is read in order, a page at a time, and merged.</summary>
    private IEnumerable<TableEntity> Merged(string day)
    {
        var streams = new List<IEnumerator<TableEntity>>();
        try
        {
            var next = new PriorityQueue<IEnumerator<TableEntity>, string>(StringComparer.Ordinal);
            for (var bucket = 0; bucket < TableBuckets.Count; bucket++)
            {
                var partition = day + TableKeys.Separator + bucket.ToString("x2", CultureInfo.InvariantCulture);
                var stream = TableQueries.Query(_table, TableClient.CreateQueryFilter($"PartitionKey eq {partition}"), "read the audit table", null, MergePageSize).GetEnumerator();
                streams.Add(stream);
                if (stream.MoveNext()) next.Enqueue(stream, stream.Current.RowKey);
            }
            while (next.TryDequeue(out var stream, out _))
            {
                yield return stream.Current;
                if (stream.MoveNext()) next.Enqueue(stream, stream.Current.RowKey);
            }
        }
        finally
        {
            foreach (var stream in streams) stream.Dispose();
        }
    }

    private void Report(string? day, List<long> damaged, Action<AuditDamage>? onDamaged)
    {
        if (day is null || damaged.Count == 0) return;
        onDamaged?.Invoke(new AuditDamage($"{Location} (day {day})", damaged.ToList()));
    }

    private static AuditRecord? Parse(string line)
    {
        try
        {
            return JsonSerializer.Deserialize<AuditRecord>(line, AuditJson.Options);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string Day(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
