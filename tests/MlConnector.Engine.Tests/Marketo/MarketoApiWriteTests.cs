using System.Text.Json;
using MlConnector.Engine.Marketo;

namespace MlConnector.Engine.Tests.Marketo;

/// <summary>
/// Whether a lead change is the connector's own API write (its echo): Marketo marks a REST write with the attributes
/// "API Method Name" and "Modifying User", spelled in any casing, spacing or camelCase; a UI edit has no API method,
/// and with no API user known nothing counts as an echo.
/// </summary>
public sealed class MarketoApiWriteTests
{
    private const string ApiUser = "mlconnector@123-ABC-456.com";

    [Theory]
    [InlineData("""[{"name":"Reason","value":"Web service API"},{"name":"API Method Name","value":"syncLead"},{"name":"Modifying User","value":"MLConnector@123-abc-456.com"}]""", ApiUser + " ", true)]
    [InlineData("""[{"name":"Source","value":"Web service API"},{"name":"apiMethodName","value":"syncLead"},{"name":"modifyingUser","value":"mlconnector@123-ABC-456.com"}]""", ApiUser, true)]
    [InlineData("""[{"name":"Source","value":"Web service API"},{"name":"api_method_name","value":"syncLead"},{"name":"modifying_user","value":"mlconnector@123-ABC-456.com"}]""", ApiUser, true)]
    [InlineData("""[{"name":"API Method Name","value":"syncLead"},{"name":"Modifying User","value":"someone.else@123-ABC-456.com"}]""", ApiUser, false)]
    [InlineData("""[{"name":"Reason","value":"Changed by user"},{"name":"Modifying User","value":"mlconnector@123-ABC-456.com"}]""", ApiUser, false)]
    [InlineData("""[{"name":"API Method Name","value":" "},{"name":"Modifying User","value":"mlconnector@123-ABC-456.com"}]""", ApiUser, false)]
    [InlineData("""[{"name":"API Method Name","value":"syncLead"},{"name":"Modifying User","value":"mlconnector@123-ABC-456.com"}]""", null, false)]
    [InlineData("""[{"name":"API Method Name","value":"syncLead"},{"name":"Modifying User","value":""}]""", " ", false)]
    public void Only_an_api_write_by_the_connectors_user_is_its_own(string attributes, string? apiUser, bool expected)
    {
        using var item = JsonDocument.Parse($$"""{"id":1078,"leadId":775,"activityDate":"2014-09-17T22:31:49+0000","activityTypeId":13,"fields":[],"attributes":{{attributes}}}""");

        Assert.Equal(expected, MarketoLeadChanges.From(item.RootElement).IsApiWriteBy(apiUser));
    }
}
