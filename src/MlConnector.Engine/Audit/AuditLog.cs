using System.Globalization;
using System.Text.Json;
using MlConnector.Engine.Security;

namespace MlConnector.Engine.Audit;

/// <summary>
/// Appends audit records as JSON lines to one file per UTC day (audit-yyyy-MM-dd.jsonl) in a folder,
/// written straight to the file and flushed to disk per call. A crash mid-write can at worst leave a torn
/// last line: the next append starts on a fresh line and the reader skips it. Runs of different sync pairs may
/// append to one trail at once, from several processes: each append holds the folder's lock file exclusively.
/// </summary>
public sealed class AuditLog : IAuditTrail
{
    private static readonly object FileGate = new();

    public AuditLog(string folder)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        Folder = Path.GetFullPath(folder);
    }

    public string Folder { get; }

    public string Location => Folder;

    public static string FileNameFor(DateTimeOffset day) =>
        "audit-" + day.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) + ".jsonl";

    public string PathFor(DateTimeOffset day) => Path.Combine(Folder, FileNameFor(day));

    /// <summary>Whether any run has written to this trail before.</summary>
    public bool HasHistory => Directory.Exists(Folder) && Directory.EnumerateFiles(Folder, "audit-*.jsonl").Any();

    public void Append(IEnumerable<AuditRecord> records)
    {
        foreach (var day in records.GroupBy(r => r.Time.UtcDateTime.Date))
        {
            lock (FileGate)
            {
                PrivateFiles.CreateDirectory(Folder);
                using var crossProcess = LockFolder();
                var path = PathFor(day.First().Time);
                PrivateFiles.Restrict(path);
                using var stream = new FileStream(path, PrivateFiles.Options(FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.ReadWrite, 64 * 1024));
                var torn = EndsTorn(stream);
                stream.Seek(0, SeekOrigin.End);
                if (torn) stream.WriteByte((byte)'\n');
                foreach (var record in day)
                {
                    JsonSerializer.Serialize(stream, record, AuditJson.Options);
                    stream.WriteByte((byte)'\n');
                }
                stream.Flush(flushToDisk: true);
            }
        }
    }

    public void Append(AuditRecord record) => Append([record]);

    public IEnumerable<AuditRecord> Read(AuditQuery query, Action<AuditDamage>? onDamaged = null) => new AuditLogReader(Folder).Read(query, onDamaged);

    /// <summary>
    /// The folder's lock file, opened exclusively (FileShare.None: a sharing violation on Windows, an exclusive flock on
    /// Unix), so two processes never write at the same end of file. Held for one append; waits up to 30 s for another.
    /// </summary>
    private FileStream LockFolder()
    {
        var path = Path.Combine(Folder, ".audit.lock");
        var giveUpAt = Environment.TickCount64 + 30_000;
        while (true)
        {
            try
            {
                return new FileStream(path, PrivateFiles.Options(FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1));
            }
            catch (IOException) when (Environment.TickCount64 < giveUpAt)
            {
                Thread.Sleep(5);
            }
        }
    }

    // A crash mid-write can leave a partial last line; start on a fresh line so the next record stays readable.
    private static bool EndsTorn(FileStream stream)
    {
        if (stream.Length == 0) return false;
        stream.Seek(-1, SeekOrigin.End);
        return stream.ReadByte() != '\n';
    }
}
