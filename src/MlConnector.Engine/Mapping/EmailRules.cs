using System.Text.RegularExpressions;

namespace MlConnector.Engine.Mapping;

/// <summary>Whether a BC email can be a Marketo lead key; the reason when not.</summary>
public static partial class EmailRules
{
    /// <summary>Marketo's email field length.</summary>
    public const int MaxLength = 255;

    public const string Missing = "NoEmail";
    public const string Invalid = "InvalidEmail";
    public const string TooLong = "EmailTooLong";

    /// <summary>Null when usable, else one of <see cref="Missing"/>, <see cref="Invalid"/>, <see cref="TooLong"/>.</summary>
    public static string? Problem(string? email)
    {
        if (string.IsNullOrWhiteSpace(email)) return Missing;
        var trimmed = email.Trim();
        if (trimmed.Length > MaxLength) return TooLong;
        return Shape().IsMatch(trimmed) && !trimmed.Contains("..", StringComparison.Ordinal) ? null : Invalid;
    }

    public static string Normalize(string email) => email.Trim().ToLowerInvariant();

    [GeneratedRegex(@"^[^@\s,;<>()\[\]""]+@[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?)*\.[A-Za-z]{2,}$")]
    private static partial Regex Shape();
}
