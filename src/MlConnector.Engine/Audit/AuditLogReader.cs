using System.Globalization;
using System.Text.Json;

namespace MlConnector.Engine.Audit;

/// <summary>Reads the daily JSONL files back, oldest first, skipping files before the query's day and lines that do not parse.</summary>
public sealed class AuditLogReader
{
    private readonly string _folder;

    public AuditLogReader(string folder) => _folder = Path.GetFullPath(folder);

    public IEnumerable<AuditRecord> Read(AuditQuery query)
    {
        if (!Directory.Exists(_folder)) yield break;
        var firstDay = query.Since?.UtcDateTime.Date;
        foreach (var file in Directory.EnumerateFiles(_folder, "audit-*.jsonl").Order(StringComparer.Ordinal))
        {
            if (firstDay is not null && DayOf(file) is { } day && day < firstDay) continue;
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            using var reader = new StreamReader(stream);
            while (reader.ReadLine() is { } line)
            {
                if (line.Length == 0) continue;
                var record = TryParse(line);
                if (record is not null && query.Matches(record)) yield return record;
            }
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
