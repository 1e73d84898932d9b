using System.Text;

namespace MlConnector.Sandbox.Marketo;

/// <summary>
/// The flat files of Bulk Import and Bulk Extract: CSV (comma), TSV (tab) and SSV. bulk-import.md and bulk-extract.md's
/// common parameters call SSV semicolon-separated; bulk-lead-extract.md says space-separated (the pages disagree; the
/// simulator uses the semicolon). Values holding the delimiter, a quote or a line break are quoted, quotes doubled.
/// </summary>
public static class BulkFormat
{
    public static char? Delimiter(string? format) => format?.ToLowerInvariant() switch
    {
        "csv" => ',',
        "tsv" => '\t',
        "ssv" => ';',
        _ => null,
    };

    /// <summary>Rows of a file (the first is the header); a trailing empty line is dropped.</summary>
    public static List<string[]> Read(string text, char delimiter)
    {
        var rows = new List<string[]>();
        var row = new List<string>();
        var cell = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < text.Length && text[i + 1] == '"') { cell.Append('"'); i++; }
                else if (c == '"') quoted = false;
                else cell.Append(c);
                continue;
            }
            if (c == '"' && cell.Length == 0) quoted = true;
            else if (c == delimiter) { row.Add(cell.ToString()); cell.Clear(); }
            else if (c is '\n' or '\r')
            {
                if (c == '\r' && i + 1 < text.Length && text[i + 1] == '\n') i++;
                row.Add(cell.ToString());
                cell.Clear();
                rows.Add(row.ToArray());
                row.Clear();
            }
            else cell.Append(c);
        }
        if (cell.Length > 0 || row.Count > 0)
        {
            row.Add(cell.ToString());
            rows.Add(row.ToArray());
        }
        return rows;
    }

    public static void AppendRow(StringBuilder output, IEnumerable<string> values, char delimiter)
    {
        var first = true;
        foreach (var value in values)
        {
            if (!first) output.Append(delimiter);
            first = false;
            var quote = value.IndexOfAny([delimiter, '"', '\n', '\r']) >= 0;
            output.Append(quote ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value);
        }
        output.Append('\n');
    }
}
