using System.Globalization;

namespace MlConnector.Engine.State;

/// <summary>How every state store writes a time: ISO 8601 in UTC with all seven fractional digits, so it reads back exactly and sorts as text.</summary>
internal static class StateTime
{
    public static string Format(DateTimeOffset value) => value.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture);

    public static DateTimeOffset Parse(string value) => DateTimeOffset.Parse(value, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind);
}
