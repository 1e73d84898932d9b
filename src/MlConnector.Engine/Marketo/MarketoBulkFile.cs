using System.Text;

namespace MlConnector.Engine.Marketo;

/// <summary>
/// Reads a Bulk Extract CSV: a header row of REST field names, then one row per record. Values holding a comma, a quote
/// or a line break are quoted with quotes doubled; an empty value is the literal <c>null</c> (bulk-extract.md), read as
/// null. NUL characters, which real exports have carried, are dropped.
/// </summary>
public static class MarketoBulkFile
{
    public static IEnumerable<IReadOnlyDictionary<string, string?>> Read(TextReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        string[]? header = null;
        foreach (var row in Rows(reader))
        {
            if (header is null)
            {
                header = row;
                continue;
            }
            if (row.Length == 1 && row[0].Length == 0) continue;
            var record = new Dictionary<string, string?>(header.Length, StringComparer.Ordinal);
            for (var i = 0; i < header.Length; i++)
            {
                var value = i < row.Length ? row[i] : null;
                record[header[i]] = value is null or "null" || value.Length == 0 ? null : value;
            }
            yield return record;
        }
    }

    private static IEnumerable<string[]> Rows(TextReader reader)
    {
        var row = new List<string>();
        var cell = new StringBuilder();
        var quoted = false;
        var started = false;
        int next;
        while ((next = reader.Read()) >= 0)
        {
            var c = (char)next;
            if (c == '\0') continue;
            started = true;
            if (quoted)
            {
                if (c != '"') cell.Append(c);
                else if (reader.Peek() == '"') { reader.Read(); cell.Append('"'); }
                else quoted = false;
                continue;
            }
            switch (c)
            {
                case '"' when cell.Length == 0:
                    quoted = true;
                    break;
                case ',':
                    row.Add(cell.ToString());
                    cell.Clear();
                    break;
                case '\r' or '\n':
                    if (c == '\r' && reader.Peek() == '\n') reader.Read();
                    row.Add(cell.ToString());
                    cell.Clear();
                    yield return row.ToArray();
                    row.Clear();
                    started = false;
                    break;
                default:
                    cell.Append(c);
                    break;
            }
        }
        if (started)
        {
            row.Add(cell.ToString());
            yield return row.ToArray();
        }
    }
}
