using System.Globalization;
using System.Text.Json;

namespace MlConnector.Engine.Audit;

/// <summary>
/// Reads the daily JSONL files back, oldest first, skipping files before the query's day. Lines that do not parse
/// (torn by a crash mid-write, edited by hand) are skipped and reported once per file, with their line numbers.
/// </summary>
public sealed class AuditLogReader
{
    private readonly string _folder;

    public AuditLogReader(string folder) => _folder = Path.GetFullPath(folder);

    public IEnumerable<AuditRecord> Read(AuditQuery query, Action<AuditDamage>? onDamaged = null)
    {
        if (!Directory.Exists(_folder)) yield break;
        var firstDay = query.Since?.UtcDateTime.Date;
        foreach (var file in Directory.EnumerateFiles(_folder, "audit-*.jsonl").Order(StringComparer.Ordinal))
        {
            if (firstDay is not null && DayOf(file) is { } day && day < firstDay) continue;
            var damaged = new List<long>();
            using (var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite))
            using (var reader = new StreamReader(stream))
            {
                long number = 0;
                while (reader.ReadLine() is { } line)
                {
                    number++;
                    if (line.Length == 0) continue;
                    var record = TryParse(line);
                    if (record is null) damaged.Add(number);
                    else if (query.Matches(record)) yield return record;
                }
            }
            if (damaged.Count > 0) onDamaged?.Invoke(new AuditDamage(file, damaged));
        }
    }

    private static AuditRecord? TryParse(string line)
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

    private static DateTime? DayOf(string file)
    {
        var name = Path.GetFileNameWithoutExtension(file);
        return DateTime.TryParseExact(name.AsSpan("audit-".Length), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var day)
            ? day.Date
            : null;
    }
}
