using System.Globalization;
using System.Text;
using System.Text.Json;

namespace MlConnector.Engine.Audit;

/// <summary>
/// Appends audit records as JSON lines to one file per UTC day (audit-yyyy-MM-dd.jsonl) in a folder.
/// Each call appends whole lines and flushes, so a crash never leaves half a record.
/// </summary>
public sealed class AuditLog
{
    private static readonly object FileGate = new();

    public AuditLog(string folder)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        Folder = Path.GetFullPath(folder);
    }

    public string Folder { get; }

    public static string FileNameFor(DateTimeOffset day) =>
        "audit-" + day.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) + ".jsonl";

    public string PathFor(DateTimeOffset day) => Path.Combine(Folder, FileNameFor(day));

    public void Append(IEnumerable<AuditRecord> records)
    {
        foreach (var day in records.GroupBy(r => r.Time.UtcDateTime.Date))
        {
            var text = new StringBuilder();
            foreach (var record in day) text.Append(JsonSerializer.Serialize(record, AuditJson.Options)).Append('\n');
            lock (FileGate)
            {
                Directory.CreateDirectory(Folder);
                using var stream = new FileStream(PathFor(day.First().Time), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.ReadWrite);
                if (EndsTorn(stream)) text.Insert(0, '\n');
                stream.Seek(0, SeekOrigin.End);
                var bytes = Encoding.UTF8.GetBytes(text.ToString());
                stream.Write(bytes);
                stream.Flush(flushToDisk: true);
            }
        }
    }

    public void Append(AuditRecord record) => Append([record]);

    // A crash mid-write can leave a partial last line; start on a fresh line so the next record stays readable.
    private static bool EndsTorn(FileStream stream)
    {
        if (stream.Length == 0) return false;
        stream.Seek(-1, SeekOrigin.End);
        return stream.ReadByte() != '\n';
    }
}
