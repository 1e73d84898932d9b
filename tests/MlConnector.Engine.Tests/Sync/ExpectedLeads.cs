namespace MlConnector.Engine.Tests.Sync;

/// <summary>
/// Which BC emails the tests expect to become Marketo leads, and under which key: written from the seeded data's
/// shapes (blank, no '@', two '@', a space, no dot in the domain, ".." , padding and upper case), independently of
/// the engine's EmailRules, so a change to those rules shows up as a failing sync test. EmailRulesTests pins the
/// engine's rules on the same shapes with literal cases.
/// </summary>
internal static class ExpectedLeads
{
    public static bool Usable(string? email)
    {
        if (string.IsNullOrWhiteSpace(email)) return false;
        var trimmed = email.Trim();
        var at = trimmed.IndexOf('@', StringComparison.Ordinal);
        if (at <= 0 || at != trimmed.LastIndexOf('@') || trimmed.Length > 255) return false;
        var domain = trimmed[(at + 1)..];
        return !trimmed.Any(char.IsWhiteSpace) && !trimmed.Contains("..", StringComparison.Ordinal)
            && domain.Contains('.', StringComparison.Ordinal) && !domain.StartsWith('.') && !domain.EndsWith('.');
    }

    public static string Key(string email) => email.Trim().ToLowerInvariant();
}
