using MlConnector.Engine.Marketo;

namespace MlConnector.Engine.Tests.Marketo;

/// <summary>
/// The message a user reads when a Marketo call fails: the call, the code and Marketo's words, then what helps to
/// trace it (request id, an HTTP status other than 200, the attempts), a hint for 603, and one full stop at the end.
/// </summary>
public sealed class MarketoApiExceptionMessageTests
{
    [Theory]
    [InlineData("1003", "Invalid value for field", "a1b2#18c0ffee000", 200, 1,
        "Marketo rest/v1/leads.json failed with error 1003: Invalid value for field (requestId a1b2#18c0ffee000).")]
    [InlineData("611", null, null, 503, 3,
        "Marketo rest/v1/leads.json failed with error 611: (no message) [HTTP 503] after 3 attempts.")]
    [InlineData("1003", "Invalid value.", null, 200, 1,
        "Marketo rest/v1/leads.json failed with error 1003: Invalid value.")]
    [InlineData("603", "Access denied", "e42b#14272d07d78", 200, 1,
        "Marketo rest/v1/leads.json failed with error 603: Access denied (requestId e42b#14272d07d78). The API user's role lacks a permission this call needs, or an IP allow-list blocks this machine.")]
    public void The_message_names_the_call_the_code_and_what_helps_to_trace_it(string code, string? vendorMessage, string? requestId, int httpStatus, int attempts, string expected)
        => Assert.Equal(expected, new MarketoApiException(code, vendorMessage, requestId, httpStatus, "rest/v1/leads.json", attempts).Message);
}
