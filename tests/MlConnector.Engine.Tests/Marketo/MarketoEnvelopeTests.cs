using MlConnector.Engine.Marketo;

namespace MlConnector.Engine.Tests.Marketo;

public sealed class MarketoEnvelopeTests
{
    [Fact]
    public void Success_without_result_errors_or_warnings_is_an_empty_success()
    {
        var envelope = MarketoEnvelope.TryParse("""{"requestId":"e42b#14272d07d78","success":true,"nextPageToken":"GIYDAOBN===="}""")!;
        Assert.True(envelope.Success);
        Assert.Empty(envelope.Result);
        Assert.Empty(envelope.Errors);
        Assert.Empty(envelope.Warnings);
        Assert.Null(envelope.MoreResult);
        Assert.Equal("GIYDAOBN====", envelope.NextPageToken);
        Assert.Equal("e42b#14272d07d78", envelope.RequestId);
    }

    [Fact]
    public void String_warnings_and_object_warnings_are_both_read()
    {
        var envelope = MarketoEnvelope.TryParse("""{"requestId":"a#1","success":true,"result":[],"warnings":["No assets found for the given search criteria.",{"code":1003,"message":"x"}]}""")!;
        Assert.Equal(2, envelope.Warnings.Count);
        Assert.Equal("No assets found for the given search criteria.", envelope.Warnings[0].Message);
        Assert.Equal("1003", envelope.Warnings[1].Code);
    }

    [Fact]
    public void Failure_inside_http_200_carries_string_code_and_message()
    {
        var envelope = MarketoEnvelope.TryParse("""{"requestId":"a1b2#18c0ffee000","success":false,"errors":[{"code":"606","message":"Max rate limit '100' exceeded with in '20' secs"}]}""")!;
        Assert.False(envelope.Success);
        Assert.Equal("606", envelope.Error!.Code);
        Assert.Equal(200, envelope.HttpStatus);
    }

    [Fact]
    public void Record_results_read_64_bit_ids_reasons_arrays_and_the_spec_singular_reason()
    {
        var envelope = MarketoEnvelope.TryParse("""
            {"requestId":"r#1","success":true,"result":[
              {"id":9007199254740993,"status":"created"},
              {"status":"skipped","reasons":[{"code":"1005","message":"Lead already exists"},{"code":1006,"message":"Field 'x' not found"}]},
              {"status":"skipped","reason":{"code":"1004","message":"Lead not found"}},
              {"id":"51","status":"updated"}]}
            """)!;
        var results = envelope.Result.Select((item, i) => MarketoRecordResult.From(item, i, envelope.RequestId)).ToArray();
        Assert.Equal(9007199254740993L, results[0].Id);
        Assert.Equal(MarketoRecordStatus.Created, results[0].Status);
        Assert.Equal(new[] { "1005", "1006" }, results[1].Reasons.Select(r => r.Code));
        Assert.Equal(MarketoRecordStatus.Skipped, results[1].Status);
        Assert.True(results[2].HasReason("1004"));
        Assert.Equal(51L, results[3].Id);
        Assert.All(results, r => Assert.Equal("r#1", r.RequestId));
    }

    [Fact]
    public void Non_json_bodies_are_not_envelopes()
    {
        Assert.Null(MarketoEnvelope.TryParse("<html>502 Bad Gateway</html>"));
        Assert.Null(MarketoEnvelope.TryParse(""));
        Assert.Null(MarketoEnvelope.TryParse("[1,2]"));
    }

    [Theory]
    [InlineData("2016-05-17T22:11:45Z", "2016-05-17T22:11:45+00:00")]
    [InlineData("2014-09-17T22:31:49+0000", "2014-09-17T22:31:49+00:00")]
    [InlineData("2014-09-17T17:31:49-0500", "2014-09-17T22:31:49+00:00")]
    [InlineData("2016-09-15T15:53:00+05:00", "2016-09-15T10:53:00+00:00")]
    [InlineData("2014-11-13 12:43:04", "2014-11-13T12:43:04+00:00")]
    [InlineData("2015-06-24T01:11:43Z+0000", "2015-06-24T01:11:43+00:00")]
    [InlineData("2020-01-01T00:00:00.123Z", "2020-01-01T00:00:00.123+00:00")]
    public void Every_documented_datetime_shape_parses(string text, string expectedUtc)
    {
        Assert.True(MarketoDates.TryParse(text, out var value));
        Assert.Equal(DateTimeOffset.Parse(expectedUtc, System.Globalization.CultureInfo.InvariantCulture), value);
    }

    [Fact]
    public void Garbage_datetimes_do_not_parse()
    {
        Assert.False(MarketoDates.TryParse("yesterday", out _));
        Assert.False(MarketoDates.TryParse(null, out _));
    }

    [Fact]
    public void Quota_resets_at_midnight_Chicago_in_both_winter_and_summer()
    {
        // Winter: CST (-06:00); summer: CDT (-05:00).
        Assert.Equal(DateTimeOffset.Parse("2026-01-16T00:00:00-06:00"), MarketoCentralTime.NextMidnight(DateTimeOffset.Parse("2026-01-15T12:00:00Z")));
        Assert.Equal(DateTimeOffset.Parse("2026-07-16T00:00:00-05:00"), MarketoCentralTime.NextMidnight(DateTimeOffset.Parse("2026-07-15T12:00:00Z")));
        // 03:00 UTC on 8 March is still 7 March in Chicago (the evening before DST starts).
        Assert.Equal(DateTimeOffset.Parse("2026-03-08T00:00:00-06:00"), MarketoCentralTime.NextMidnight(DateTimeOffset.Parse("2026-03-07T23:00:00Z")));
        Assert.Equal(DateTimeOffset.Parse("2026-03-09T00:00:00-05:00"), MarketoCentralTime.NextMidnight(DateTimeOffset.Parse("2026-03-08T12:00:00Z")));
    }
}
