using System.Net;
using System.Text;
using MlConnector.Engine.Http;
using MlConnector.Engine.Marketo;
using MlConnector.Engine.Security;
using Microsoft.Extensions.Time.Testing;

namespace MlConnector.Engine.Tests.Marketo;

/// <summary>
/// A unit test of the token provider's reading of identity answers the sandbox never gives (it follows Marketo, whose
/// answers carry a token or an OAuth error): an empty body at 200 and at 404, and a body far larger than any token.
/// The answers come from a stub transport under the connector's real guard handler; flows are proven on the sandbox.
/// </summary>
public sealed class MarketoTokenReadingTests
{
    private static readonly Uri IdentityBase = new("https://123-abc-456.mktorest.com/identity/");

    [Fact]
    public async Task An_empty_answer_at_200_is_a_service_fault_naming_the_missing_token_not_a_refusal_of_the_credentials()
    {
        var error = await Assert.ThrowsAsync<MarketoApiException>(() => Provider(HttpStatusCode.OK, "{}").GetAsync(CancellationToken.None));

        Assert.Equal("200", error.Code);
        Assert.Contains("identity service answered without a token", error.Message, StringComparison.Ordinal);
        Assert.Contains("identity/oauth/token", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_answer_with_neither_token_nor_error_at_another_status_is_a_refusal_that_says_so()
    {
        var error = await Assert.ThrowsAsync<MarketoAuthenticationException>(() => Provider(HttpStatusCode.NotFound, "{}").GetAsync(CancellationToken.None));

        Assert.Contains("(HTTP 404, no error code: no description)", error.Message, StringComparison.Ordinal);
        Assert.Contains("Check the Client Id and Client Secret of the custom service", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_token_answer_is_read_to_at_most_a_megabyte_even_on_a_client_that_reads_larger_REST_pages()
    {
        // A valid token answer padded past 1 MB and well under the 16 MB a REST answer may have.
        var body = """{"access_token":"t-1","expires_in":3600,"token_type":"bearer","padding":""" + "\"" + new string('x', 2 << 20) + "\"}";

        var error = await Assert.ThrowsAsync<EndpointResponseException>(() => Provider(HttpStatusCode.OK, body).GetAsync(CancellationToken.None));

        Assert.Equal("MarketoResponseTooLarge", error.ErrorId);
        Assert.Contains("larger than the 1 MB the connector reads", error.Message, StringComparison.Ordinal);
    }

    private static MarketoTokenProvider Provider(HttpStatusCode status, string body)
    {
        var guard = new ResponseGuard("Marketo", "Marketo", ResponseGuard.MarketoBytes);
        var http = new HttpClient(new GuardedHandler(guard, new Answering(status, body)));
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 30, 9, 0, 0, TimeSpan.Zero));
        var log = new CollectingLog();
        var retry = new MarketoRetry(new MarketoRetryOptions { MaxAttempts = 1 }, null, clock, log);
        return new MarketoTokenProvider(http, IdentityBase, "client-id", new SecretText("client-secret-0815"), retry, clock, log);
    }

    private sealed class Answering(HttpStatusCode status, string body) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
            => Task.FromResult(new HttpResponseMessage(status) { Content = new StringContent(body, Encoding.UTF8, "application/json"), RequestMessage = request });
    }
}
