namespace MlConnector.Engine.Marketo;

/// <summary>Marketo's day: quotas (607, 1029) reset at midnight US Central, which moves with daylight saving.</summary>
public static class MarketoCentralTime
{
    private static readonly TimeZoneInfo Central = Find();

    public static DateOnly DateOf(DateTimeOffset at) => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(at, Central).DateTime);

    /// <summary>The next midnight America/Chicago after <paramref name="at"/> (CST -06:00 or CDT -05:00).</summary>
    public static DateTimeOffset NextMidnight(DateTimeOffset at)
    {
        var midnight = DateOf(at).AddDays(1).ToDateTime(TimeOnly.MinValue);
        return new DateTimeOffset(midnight, Central.GetUtcOffset(midnight));
    }

    private static TimeZoneInfo Find()
    {
        foreach (var id in new[] { "America/Chicago", "Central Standard Time" })
        {
            try { return TimeZoneInfo.FindSystemTimeZoneById(id); }
            catch (TimeZoneNotFoundException) { }
            catch (InvalidTimeZoneException) { }
        }
        return UsCentralRules();
    }

    /// <summary>Without a tz database (invariant containers): US rules since 2007, second Sunday of March to first Sunday of November at 2 AM.</summary>
    internal static TimeZoneInfo UsCentralRules()
    {
        var start = TimeZoneInfo.TransitionTime.CreateFloatingDateRule(new DateTime(1, 1, 1, 2, 0, 0), 3, 2, DayOfWeek.Sunday);
        var end = TimeZoneInfo.TransitionTime.CreateFloatingDateRule(new DateTime(1, 1, 1, 2, 0, 0), 11, 1, DayOfWeek.Sunday);
        var rule = TimeZoneInfo.AdjustmentRule.CreateAdjustmentRule(new DateTime(2007, 1, 1), DateTime.MaxValue.Date, TimeSpan.FromHours(1), start, end);
        return TimeZoneInfo.CreateCustomTimeZone("US Central", TimeSpan.FromHours(-6), "US Central", "CST", "CDT", new[] { rule });
    }
}
