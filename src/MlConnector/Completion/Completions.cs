using System.Management.Automation;

namespace MlConnector.Completion;

/// <summary>What the argument completers share: matching what was typed, quoting what needs it.</summary>
internal static class Completions
{
    /// <summary>The candidates that start with <paramref name="typed"/> (wildcards honoured), quoted when they hold spaces or quotes.</summary>
    public static IEnumerable<CompletionResult> Matching(IEnumerable<string> candidates, string? typed, Func<string, string>? tooltip = null)
    {
        var word = (typed ?? "").Trim('\'', '"');
        var pattern = new WildcardPattern(word + "*", WildcardOptions.IgnoreCase);
        foreach (var candidate in candidates.Distinct(StringComparer.OrdinalIgnoreCase).Where(pattern.IsMatch).Order(StringComparer.OrdinalIgnoreCase))
            yield return new CompletionResult(Quote(candidate), candidate, CompletionResultType.ParameterValue, tooltip?.Invoke(candidate) ?? candidate);
    }

    private static string Quote(string text) =>
        text.IndexOfAny([' ', '\'', '"', '$', '`', ',', ';', '(', ')', '{', '}', '@', '#', '&', '|']) < 0 ? text : "'" + text.Replace("'", "''", StringComparison.Ordinal) + "'";
}
