using System.Globalization;
using System.Text.Json;
using MlConnector.Engine.Marketo;

namespace MlConnector.Engine.Tests.Marketo;

/// <summary>
/// A Marketo value without a zone means UTC (MarketoDates), whatever the time zone of the machine the connector runs
/// on: a user's PC in Chicago reads and writes the same instants as a UTC build server.
/// </summary>
[Collection(MachineTimeZoneCollection.Name)]
public sealed class MarketoMachineTimeZoneTests
{
    [Theory]
    [InlineData("2014-11-13 12:43:04", "2014-11-13T12:43:04+00:00")]
    [InlineData("2016-05-17T22:11:45", "2016-05-17T22:11:45+00:00")]
    [InlineData("2016-05-17T22:11", "2016-05-17T22:11:00+00:00")]
    [InlineData("2024-03-01T10:20:30.1234567", "2024-03-01T10:20:30.1234567+00:00")]
    [InlineData("2014-11-13", "2014-11-13T00:00:00+00:00")]
    public void Text_without_a_zone_is_read_as_UTC_on_a_machine_in_Chicago(string text, string expected) => OnMachineIn("America/Chicago", () =>
    {
        Assert.True(MarketoDates.TryParse(text, out var value));
        Assert.Equal(DateTimeOffset.Parse(expected, CultureInfo.InvariantCulture), value);
        Assert.Equal(TimeSpan.Zero, value.Offset);
    });

    [Fact]
    public void Datetimes_written_on_a_machine_in_Chicago_keep_their_instant() => OnMachineIn("America/Chicago", () =>
    {
        // A DateTime without a kind has no zone, so it is UTC as on read; a local one carries the machine's offset.
        Assert.Equal("2024-03-01T10:20:30+00:00", Written(new DateTime(2024, 3, 1, 10, 20, 30, DateTimeKind.Unspecified)));
        var local = Written(new DateTimeOffset(2024, 3, 1, 16, 20, 30, TimeSpan.Zero).LocalDateTime);
        Assert.Equal(new DateTimeOffset(2024, 3, 1, 16, 20, 30, TimeSpan.Zero), DateTimeOffset.Parse(local, CultureInfo.InvariantCulture));
    });

    private static string Written(DateTime value)
    {
        var body = MarketoJson.SyncBody("createOrUpdate", "lookupField", "email", [new Dictionary<string, object?> { ["lastActivity"] = value }]);
        using var document = JsonDocument.Parse(body.OpenRead());
        return document.RootElement.GetProperty("input")[0].GetProperty("lastActivity").GetString()!;
    }

    // .NET reads TZ on Unix only; elsewhere this runs in the machine's own zone and proves less, but still holds.
    private static void OnMachineIn(string zone, Action test)
    {
        var before = Environment.GetEnvironmentVariable("TZ");
        Environment.SetEnvironmentVariable("TZ", zone);
        TimeZoneInfo.ClearCachedData();
        try
        {
            if (!OperatingSystem.IsWindows()) Assert.Equal(zone, TimeZoneInfo.Local.Id);
            test();
        }
        finally
        {
            Environment.SetEnvironmentVariable("TZ", before);
            TimeZoneInfo.ClearCachedData();
        }
    }
}
