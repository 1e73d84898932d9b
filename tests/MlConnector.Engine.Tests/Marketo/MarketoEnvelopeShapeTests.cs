using MlConnector.Engine.Marketo;

namespace MlConnector.Engine.Tests.Marketo;

/// <summary>
/// Envelope members in shapes Marketo's documentation does not promise: each is read when it has the documented type
/// and otherwise ignored, never thrown on; the success flag wins over the errors when both are there.
/// </summary>
public sealed class MarketoEnvelopeShapeTests
{
    [Fact]
    public void Members_of_an_unexpected_type_are_ignored_not_thrown_on()
    {
        var envelope = MarketoEnvelope.TryParse("""{"requestId":"r1","success":"yes","result":{"id":1},"moreResult":"no","nextPageToken":""}""");

        Assert.NotNull(envelope);
        Assert.True(envelope.Success, "no flag of the documented type and no errors: a success");
        Assert.Empty(envelope.Result);
        Assert.Null(envelope.MoreResult);
        Assert.Null(envelope.NextPageToken);
        Assert.Null(envelope.Error);
    }

    [Theory]
    [InlineData("""{"success":false}""", false)]
    [InlineData("""{"success":true,"errors":[{"code":"1003","message":"m"}]}""", true)]
    [InlineData("""{"errors":[{"code":"601","message":"Access token invalid"}]}""", false)]
    [InlineData("""{"result":[]}""", true)]
    public void The_success_flag_wins_and_without_one_the_errors_decide(string json, bool success)
        => Assert.Equal(success, MarketoEnvelope.TryParse(json)!.Success);

    [Fact]
    public void Errors_as_objects_plain_strings_or_without_a_code_keep_what_they_say()
    {
        var envelope = MarketoEnvelope.TryParse("""{"success":false,"errors":[{"code":"1003","message":"Invalid value"},"plain text",{"message":"no code"},42]}""")!;

        Assert.Equal(new[] { ("1003", "Invalid value"), ("", "plain text"), ("", "no code") }, envelope.Errors.Select(e => (e.Code, e.Message)));
        Assert.Equal("1003", envelope.Error!.Code);
        Assert.Equal(true, MarketoEnvelope.TryParse("""{"success":true,"moreResult":true,"nextPageToken":"T1"}""")!.MoreResult);
        Assert.Equal("T1", MarketoEnvelope.TryParse("""{"success":true,"moreResult":true,"nextPageToken":"T1"}""")!.NextPageToken);
    }

    [Fact]
    public void A_file_answer_is_a_success_without_an_envelope()
    {
        var answer = MarketoEnvelope.FileAnswer(206);
        Assert.True(answer.Success);
        Assert.Equal(206, answer.HttpStatus);
        Assert.Empty(answer.Result);
    }
}

/// <summary>The US Central rules used where no tz database is installed agree with America/Chicago since 2007.</summary>
public sealed class MarketoCentralTimeRulesTests
{
    [Fact]
    public void The_built_in_rules_give_the_same_local_time_as_the_tz_database_every_hour_around_each_change()
    {
        var database = TimeZoneInfo.FindSystemTimeZoneById("America/Chicago");
        var rules = MarketoCentralTime.UsCentralRules();
        for (var year = 2007; year <= 2035; year++)
        {
            foreach (var month in new[] { 1, 3, 7, 11 })
            {
                var first = new DateTimeOffset(year, month, 1, 0, 0, 0, TimeSpan.Zero);
                for (var at = first; at < first.AddDays(14); at = at.AddHours(1))
                {
                    Assert.Equal(TimeZoneInfo.ConvertTime(at, database).DateTime, TimeZoneInfo.ConvertTime(at, rules).DateTime);
                }
            }
        }
        Assert.Equal(("CST", "CDT"), (rules.StandardName, rules.DaylightName));
    }
}
