using System.Text;
using System.Text.RegularExpressions;

namespace MlConnector.Engine.State;

/// <summary>
/// The work queue's source-number patterns for a store that filters in memory: <c>*</c> is any run of characters,
/// <c>?</c> one character, nothing else is a wildcard; case is ignored. An empty list matches everything.
/// </summary>
internal sealed class SourceNumberPatterns
{
    private readonly Regex[] _patterns;

    public SourceNumberPatterns(IReadOnlyCollection<string>? patterns)
    {
        _patterns = (patterns ?? []).Select(ToRegex).ToArray();
    }

    public bool Matches(string sourceNumber) => _patterns.Length == 0 || _patterns.Any(p => p.IsMatch(sourceNumber));

    private static Regex ToRegex(string pattern)
    {
        var text = new StringBuilder("^", pattern.Length + 2);
        foreach (var c in pattern)
        {
            text.Append(c switch
            {
                '*' => ".*",
                '?' => ".",
                _ => Regex.Escape(c.ToString()),
            });
        }
        return new Regex(text.Append('$').ToString(), RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.Singleline);
    }
}
