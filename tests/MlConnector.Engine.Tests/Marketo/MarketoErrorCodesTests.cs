using MlConnector.Engine.Marketo;

namespace MlConnector.Engine.Tests.Marketo;

/// <summary>Every code of shared/api/marketo.md §4 that the client reacts to, with the reaction and the category the user sees.</summary>
public sealed class MarketoErrorCodesTests
{
    [Theory]
    [InlineData("600", "Token", MlErrorCategory.Authentication)]
    [InlineData("601", "Token", MlErrorCategory.Authentication)]
    [InlineData("602", "Token", MlErrorCategory.Authentication)]
    [InlineData("604", "Transient", MlErrorCategory.Connection)]
    [InlineData("608", "Transient", MlErrorCategory.Connection)]
    [InlineData("611", "Transient", MlErrorCategory.Connection)]
    [InlineData("614", "Transient", MlErrorCategory.Connection)]
    [InlineData("713", "Transient", MlErrorCategory.Connection)]
    [InlineData("719", "Transient", MlErrorCategory.Connection)]
    [InlineData("500", "Transient", MlErrorCategory.Connection)]
    [InlineData("502", "Transient", MlErrorCategory.Connection)]
    [InlineData("503", "Transient", MlErrorCategory.Connection)]
    [InlineData("504", "Transient", MlErrorCategory.Connection)]
    [InlineData("606", "RateLimited", MlErrorCategory.Throttled)]
    [InlineData("615", "Concurrency", MlErrorCategory.Throttled)]
    [InlineData("607", "DailyQuota", MlErrorCategory.Quota)]
    [InlineData("1029", "ExportQuota", MlErrorCategory.Quota)]
    [InlineData("603", "Fatal", MlErrorCategory.Authentication)]
    [InlineData("610", "Fatal", MlErrorCategory.NotFound)]
    [InlineData("1004", "Fatal", MlErrorCategory.NotFound)]
    [InlineData("1013", "Fatal", MlErrorCategory.NotFound)]
    [InlineData("413", "Fatal", MlErrorCategory.InvalidData)]
    [InlineData("414", "Fatal", MlErrorCategory.InvalidData)]
    [InlineData("605", "Fatal", MlErrorCategory.InvalidData)]
    [InlineData("609", "Fatal", MlErrorCategory.InvalidData)]
    [InlineData("1003", "Fatal", MlErrorCategory.InvalidData)]
    [InlineData("5000", "Fatal", MlErrorCategory.InvalidData)]
    [InlineData("", "Fatal", MlErrorCategory.InvalidData)]
    [InlineData(null, "Fatal", MlErrorCategory.InvalidData)]
    public void Each_code_has_its_reaction_and_category(string? code, string kind, MlErrorCategory category)
    {
        Assert.Equal(kind, MarketoErrorCodes.Classify(code).ToString());
        Assert.Equal(category, MarketoErrorCodes.Category(code));
    }

    [Theory]
    [InlineData("606", "MarketoRateLimited")]
    [InlineData("615", "MarketoRateLimited")]
    [InlineData("611", "MarketoUnavailable")]
    [InlineData("603", "MarketoAccessDenied")]
    [InlineData("1003", "MarketoApiError")]
    public void The_error_id_follows_the_code(string code, string errorId)
        => Assert.Equal(errorId, new MarketoApiException(code, "message", "req#1", 200, "rest/v1/leads.json").ErrorId);
}
