using System.Globalization;
using System.Text.Json;
using Azure.Data.Tables;
using MlConnector.Engine.Audit;

namespace MlConnector.Engine.State.Tables;

/// <summary>
/// The audit trail of runs that keep their state in Table Storage: the audit table of the same account (default
/// MlConnectorAudit), one partition per UTC day ("yyyy-MM-dd"), rows keyed by time so a day reads back in order. Each
/// row holds the exact JSON line the console writes to its daily file (column Line), beside PairId, CorrelationId,
/// SourceNumber and Action for queries from outside the module. Lines are written in transactions of up to 100.
/// </summary>
public sealed class TableAuditTrail : IAuditTrail
{
    private readonly TableClient _table;
    private readonly string _writer = Guid.NewGuid().ToString("N")[..8];
    private long _sequence;

    internal TableAuditTrail(TableClient table, string location)
    {
        _table = table;
        Location = location;
    }

    public string Location { get; }

    public bool HasHistory => TableQueries.Query(_table, "", "read the audit table", ["PartitionKey"], 1).Any();

    public void Append(IEnumerable<AuditRecord> records)
    {
        foreach (var day in records.GroupBy(r => Day(r.Time)))
        {
            var rows = day.Select(record =>
            {
                var sequence = Interlocked.Increment(ref _sequence);
                var row = new TableEntity(day.Key, string.Join(TableKeys.Separator, record.Time.UtcTicks.ToString("D19", CultureInfo.InvariantCulture), _writer,
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
        }
    }

    public IEnumerable<AuditRecord> Read(AuditQuery query, Action<AuditDamage>? onDamaged = null)
    {
        ArgumentNullException.ThrowIfNull(query);
        var filters = new List<string>();
        if (query.Since is { } since) filters.Add(TableClient.CreateQueryFilter($"PartitionKey ge {Day(since)}"));
        if (query.Until is { } until) filters.Add(TableClient.CreateQueryFilter($"PartitionKey le {Day(until)}"));
        string? day = null;
        var damaged = new List<long>();
        long number = 0;
        foreach (var row in TableQueries.Query(_table, string.Join(" and ", filters), "read the audit table", null, null))
        {
            if (row.PartitionKey != day)
            {
                Report(day, damaged, onDamaged);
                day = row.PartitionKey;
                number = 0;
            }
            number++;
            var record = Parse(TableText.Read(row, "Line"));
            if (record is null) damaged.Add(number);
            else if (query.Matches(record)) yield return record;
        }
        Report(day, damaged, onDamaged);
    }

    private void Report(string? day, List<long> damaged, Action<AuditDamage>? onDamaged)
    {
        if (day is null || damaged.Count == 0) return;
        onDamaged?.Invoke(new AuditDamage($"{Location} (partition {day})", damaged.ToList()));
        damaged.Clear();
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
