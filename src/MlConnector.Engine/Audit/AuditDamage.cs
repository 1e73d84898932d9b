using System.Globalization;

namespace MlConnector.Engine.Audit;

/// <summary>The lines of one audit file that could not be read (1-based line numbers).</summary>
public sealed record AuditDamage(string File, IReadOnlyList<long> Lines)
{
    private const int ListedLines = 20;

    /// <summary>A warning naming the file and the lines, for the person reading the trail.</summary>
    public string Describe()
    {
        var listed = string.Join(", ", Lines.Take(ListedLines).Select(n => n.ToString(CultureInfo.InvariantCulture)));
        var more = Lines.Count > ListedLines ? $" and {Lines.Count - ListedLines} more" : "";
        return $"Skipped {Lines.Count} audit line(s) that could not be read in '{File}': {(Lines.Count == 1 ? "line" : "lines")} {listed}{more}. " +
            "A crash mid-write tears at most the last line; any other was changed outside the module. The records those lines held are not in this output.";
    }
}
