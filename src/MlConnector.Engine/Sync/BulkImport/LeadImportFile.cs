using System.Globalization;
using System.Text;
using MlConnector.Engine.Mapping;
using MlConnector.Engine.Marketo;
using MlConnector.Engine.State;
using MlConnector.Engine.Sync.BcToMarketo;

namespace MlConnector.Engine.Sync.BulkImport;

/// <summary>
/// One Bulk Lead Import file: a CSV of queued leads in queue order with a header row of the REST field names, at most
/// <see cref="MaxBytes"/> bytes. Every row carries the same fields as the first (a lead whose mapped fields differ waits
/// for the next file, so an empty cell never stands for a field the REST path would not have sent), and no two rows,
/// nor a row and a file still importing, share an email.
/// </summary>
internal sealed class LeadImportFile
{
    /// <summary>Marketo's 10 MB less room for the multipart envelope around the file.</summary>
    public const int MaxBytes = MarketoLimits.MaxImportFileBytes - 16 * 1024;

    private const int PageSize = 2000;

    private LeadImportFile(ReadOnlyMemory<byte> csv, List<(string JobId, DateTimeOffset UpdatedAt)> jobs, HashSet<string> keys)
    {
        Csv = csv;
        Jobs = jobs;
        Keys = keys;
    }

    public ReadOnlyMemory<byte> Csv { get; }

    /// <summary>The rows' jobs: only what the pair's state keeps of them (a file's payloads are not held twice).</summary>
    public List<(string JobId, DateTimeOffset UpdatedAt)> Jobs { get; }

    /// <summary>The rows' emails, lower-cased as Marketo matches them.</summary>
    public HashSet<string> Keys { get; }

    /// <summary>
    /// The next file of at most <paramref name="maxRows"/> pending leads in no stored import; null when none can go now.
    /// <paramref name="deferred"/> says whether leads were left for later because their email is importing or already in the file.
    /// </summary>
    public static LeadImportFile? Next(IBulkImports imports, Func<string, bool> keyImporting, int maxRows, out bool deferred, int maxBytes = MaxBytes)
    {
        deferred = false;
        var output = new MemoryStream();
        var jobs = new List<(string, DateTimeOffset)>();
        var keys = new HashSet<string>(StringComparer.Ordinal);
        string[]? header = null;
        var line = new StringBuilder();
        long after = 0;
        while (true)
        {
            var page = imports.TakeNotImporting(MarketoRecord.Lead, after, PageSize);
            foreach (var (job, sequence) in page)
            {
                after = sequence;
                var record = MarketoJobs.FromJob(job);
                var key = MarketoJobs.KeyOf(job);
                if (keyImporting(key) || keys.Contains(key))
                {
                    deferred = true;
                    continue;
                }
                if (jobs.Count >= maxRows) return Done();
                if (header is null)
                {
                    header = record.Fields.Keys.ToArray();
                    AppendRow(line, header);
                    Write(output, line);
                }
                else if (record.Fields.Count != header.Length || header.Any(f => !record.Fields.ContainsKey(f))) return Done();
                AppendRow(line, header.Select(f => Text(record.Fields[f])));
                if (output.Length + Encoding.UTF8.GetByteCount(line.ToString()) > maxBytes) return Done();
                Write(output, line);
                jobs.Add((job.JobId, job.UpdatedAt));
                keys.Add(key);
            }
            if (page.Count < PageSize) return Done();
        }

        LeadImportFile? Done() => jobs.Count == 0 ? null : new LeadImportFile(output.GetBuffer().AsMemory(0, (int)output.Length), jobs, keys);
    }

    private static void Write(MemoryStream output, StringBuilder line)
    {
        var bytes = Encoding.UTF8.GetBytes(line.ToString());
        output.Write(bytes);
        line.Clear();
    }

    private static string Text(object? value) => value switch
    {
        null => "",
        string s => s,
        bool b => b ? "true" : "false",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    /// <summary>One CSV row (RFC 4180): a value holding a comma, quote or line break is quoted, its quotes doubled.</summary>
    private static void AppendRow(StringBuilder line, IEnumerable<string> values)
    {
        line.Clear();
        var first = true;
        foreach (var value in values)
        {
            if (!first) line.Append(',');
            first = false;
            if (value.AsSpan().IndexOfAny(",\"\r\n") < 0) line.Append(value);
            else line.Append('"').Append(value.Replace("\"", "\"\"", StringComparison.Ordinal)).Append('"');
        }
        line.Append("\r\n");
    }
}
