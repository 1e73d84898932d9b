using System.Globalization;
using System.Text;
using Azure.Data.Tables;

namespace MlConnector.Engine.State.Tables;

/// <summary>
/// Long text in a row: a string column holds at most 64 KiB (32,768 UTF-16 units), so text is split over the columns
/// Name, Name1, Name2, ... of 30,000 units each, never inside a surrogate pair, and joined again on reading.
/// </summary>
internal static class TableText
{
    public const int PartChars = 30_000;

    public static void Write(TableEntity entity, string name, string text)
    {
        var start = 0;
        for (var part = 0; part == 0 || start < text.Length; part++)
        {
            var length = Math.Min(PartChars, text.Length - start);
            if (start + length < text.Length && char.IsHighSurrogate(text[start + length - 1])) length--;
            entity[ColumnName(name, part)] = text.Substring(start, length);
            start += length;
        }
    }

    public static string Read(TableEntity row, string name)
    {
        var first = row.GetString(name) ?? "";
        if (!row.ContainsKey(ColumnName(name, 1))) return first;
        var text = new StringBuilder(first);
        for (var part = 1; row.GetString(ColumnName(name, part)) is { } next; part++) text.Append(next);
        return text.ToString();
    }

    private static string ColumnName(string name, int part) => part == 0 ? name : name + part.ToString(CultureInfo.InvariantCulture);
}
