using System.Globalization;
using MlConnector.Engine.Marketo;

namespace MlConnector.Engine.Tests.Marketo;

/// <summary>
/// Shapes MarketoDates reads besides the four of shared/api/marketo.md §12: the old space-separated form with an
/// offset or fraction, minutes only, the Asset API's "Z" followed by either sign, long fractions, and a date field
/// (YYYY-MM-DD, §5.5), which is midnight UTC.
/// </summary>
public sealed class MarketoDateShapesTests
{
    [Theory]
    [InlineData("2014-09-17 22:31:49+0000", "2014-09-17T22:31:49+00:00")]
    [InlineData("2014-09-17 17:31:49-05:00", "2014-09-17T22:31:49+00:00")]
    [InlineData("2014-09-17 22:31:49.123+0000", "2014-09-17T22:31:49.123+00:00")]
    [InlineData("2016-09-15T15:53+05:00", "2016-09-15T10:53:00+00:00")]
    [InlineData("2015-06-24T01:11:43Z-0000", "2015-06-24T01:11:43+00:00")]
    [InlineData("2024-03-01 10:20:30.1234567", "2024-03-01T10:20:30.1234567+00:00")]
    [InlineData("2014-11-13", "2014-11-13T00:00:00+00:00")]
    public void Each_accepted_shape_reads_as_its_instant(string text, string expected)
    {
        Assert.True(MarketoDates.TryParse(text, out var value), text);
        Assert.Equal(DateTimeOffset.Parse(expected, CultureInfo.InvariantCulture), value);
        Assert.Equal(DateTimeOffset.Parse(expected, CultureInfo.InvariantCulture), MarketoDates.Parse(text));
    }
}
