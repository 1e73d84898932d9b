using SandboxDates = MlConnector.Sandbox.Marketo.MarketoDates;

namespace MlConnector.Sandbox.Tests.Marketo;

/// <summary>
/// The simulator reads the datetime shapes Marketo accepts (shared/api/marketo.md §12); a value without an offset is
/// read at the configured offset (UnzonedDatetimeOffset), never in the zone of the machine the tests run on.
/// </summary>
public sealed class MarketoDatesTests
{
    [Theory]
    [InlineData("2024-03-01T10:15:00", "2024-03-01T10:15:00-06:00")]
    [InlineData("2024-03-01 10:15:00", "2024-03-01T10:15:00-06:00")]
    [InlineData("2024-03-01T10:15", "2024-03-01T10:15:00-06:00")]
    [InlineData("2024-03-01", "2024-03-01T00:00:00-06:00")]
    [InlineData("2024-03-01T10:15:00Z", "2024-03-01T10:15:00+00:00")]
    [InlineData("2024-03-01T10:15:00+0000", "2024-03-01T10:15:00+00:00")]
    [InlineData("2024-03-01T10:15:00-05:00", "2024-03-01T10:15:00-05:00")]
    [InlineData("2024-03-01 10:15:00+0200", "2024-03-01T10:15:00+02:00")]
    public void A_value_is_read_at_its_own_offset_or_else_at_the_configured_one(string text, string expected)
    {
        Assert.True(SandboxDates.TryParse(text, TimeSpan.FromHours(-6), out var value));

        var want = DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(want, value);
        Assert.Equal(want.Offset, value.Offset);
    }

    [Theory]
    [InlineData("last-tuesday")]
    [InlineData("")]
    [InlineData("2024-13-01T00:00:00Z")]
    public void Text_that_is_not_a_date_is_refused(string text) => Assert.False(SandboxDates.TryParse(text, TimeSpan.Zero, out _));
}
