using System.Text.RegularExpressions;

namespace MlConnector.Engine.BusinessCentral;

/// <summary>
/// A BC number with PowerShell's wildcards: * (any run of characters) and ? (one character). BC numbers are Code
/// fields, which BC keeps in upper case, so patterns (like exact numbers) are compared without regard to case.
/// Read from BC as startswith(number, the part before the first wildcard), then matched here.
/// </summary>
public sealed class BcNumberPattern
{
    private static readonly char[] Wildcards = ['*', '?'];
    private readonly Regex _match;

    public BcNumberPattern(string pattern)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(pattern);
        Pattern = Normalize(pattern);
        var first = Pattern.IndexOfAny(Wildcards);
        Prefix = first < 0 ? Pattern : Pattern[..first];
        var regex = "^" + Regex.Escape(Pattern).Replace(@"\*", ".*", StringComparison.Ordinal).Replace(@"\?", ".", StringComparison.Ordinal) + "$";
        _match = new Regex(regex, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.Singleline, TimeSpan.FromSeconds(1));
    }

    /// <summary>The pattern, trimmed and in upper case.</summary>
    public string Pattern { get; }

    /// <summary>The literal text before the first wildcard ("" for a pattern that starts with one).</summary>
    public string Prefix { get; }

    public static bool HasWildcard(string text) => text.IndexOfAny(Wildcards) >= 0;

    /// <summary>A BC number as BC stores it: trimmed, upper case.</summary>
    public static string Normalize(string number) => number.Trim().ToUpperInvariant();

    public bool IsMatch(string number) => _match.IsMatch(number);

    /// <summary>The server-side part of the match, or null when every number must be read.</summary>
    internal string? Filter(string field) => Prefix.Length == 0 ? null : $"startswith({field},{BcFilter.Quote(Prefix)})";

    public override string ToString() => Pattern;
}
