namespace MlConnector.Engine.Sync.BulkImport;

/// <summary>
/// Reads a Bulk Lead Import failures or warnings file: the file's rows as sent plus a last column with Marketo's reason
/// ("Import Failure Reason", "Import Warning Reason"). Answers the reason per lookup value (lower-cased, as Marketo matches).
/// </summary>
internal static class ImportRows
{
    public static Dictionary<string, string> ReasonsByKey(string file, string keyField)
    {
        var reasons = new Dictionary<string, string>(StringComparer.Ordinal);
        using var rows = Parse(file).GetEnumerator();
        if (!rows.MoveNext()) return reasons;
        var header = rows.Current;
        var keyColumn = Array.FindIndex(header, h => string.Equals(h.Trim(), keyField, StringComparison.Ordinal));
        if (keyColumn < 0 || header.Length < 2) throw new InvalidDataException($"A bulk import file without a '{keyField}' column and a reason column: {string.Join(",", header)}");
        while (rows.MoveNext())
        {
            var row = rows.Current;
            if (row.Length <= keyColumn) continue;
            var reason = row.Length >= header.Length ? row[header.Length - 1] : "";
            reasons[row[keyColumn].Trim().ToLowerInvariant()] = reason.Length > 0 ? reason : "no reason given";
        }
        return reasons;
    }

    /// <summary>RFC 4180 rows: quoted values may hold commas, doubled quotes and line breaks.</summary>
    internal static IEnumerable<string[]> Parse(string text)
    {
        var row = new List<string>();
        var value = new System.Text.StringBuilder();
        var quoted = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quoted)
            {
                if (c != '"') value.Append(c);
                else if (i + 1 < text.Length && text[i + 1] == '"') { value.Append('"'); i++; }
                else quoted = false;
                continue;
            }
            switch (c)
            {
                case '"': quoted = true; break;
                case ',': row.Add(value.ToString()); value.Clear(); break;
                case '\r': break;
                case '\n':
                    row.Add(value.ToString());
                    value.Clear();
                    yield return row.ToArray();
                    row.Clear();
                    break;
                default: value.Append(c); break;
            }
        }
        if (value.Length > 0 || row.Count > 0)
        {
            row.Add(value.ToString());
            yield return row.ToArray();
        }
    }
}
