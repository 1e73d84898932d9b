using MlConnector.Engine.Marketo;
using MlConnector.Sandbox.Core;

namespace MlConnector.Engine.Tests.Marketo;

/// <summary>One Marketo call as the channel sends it: the token renewed once on 601/602, the envelope read, one verbose line per HTTP exchange.</summary>
public sealed class MarketoChannelTests
{
    private static FaultRule Once(string code) => new() { Service = SandboxService.Marketo, PathContains = "companies/describe", ErrorCode = code, Times = 1 };

    [Fact]
    public async Task After_a_601_the_repeated_call_reports_its_own_error_not_an_authentication_failure()
    {
        await using var test = await MarketoTestHost.StartAsync();
        test.Sandbox.Faults.Add(Once("601"));
        test.Sandbox.Faults.Add(Once("1003"));

        var error = await Assert.ThrowsAsync<MarketoApiException>(() => test.Client.DescribeCompaniesAsync(CancellationToken.None));

        Assert.Equal("1003", error.Code);
        Assert.Equal(new[] { "601", "1003" }, test.Rest.Select(e => e.ErrorCode));
    }

    [Fact]
    public async Task A_fresh_token_refused_again_is_an_authentication_failure_that_says_so()
    {
        await using var test = await MarketoTestHost.StartAsync();
        test.Sandbox.Faults.Add(Once("601"));
        test.Sandbox.Faults.Add(Once("602"));

        var error = await Assert.ThrowsAsync<MarketoAuthenticationException>(() => test.Client.DescribeCompaniesAsync(CancellationToken.None));

        Assert.StartsWith("Marketo rejected a freshly issued access token for rest/v1/companies/describe.json (error 602:", error.Message, StringComparison.Ordinal);
        Assert.Contains("custom service is still active", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Each_exchange_leaves_one_debug_line_with_method_status_request_id_and_outcome()
    {
        await using var test = await MarketoTestHost.StartAsync(o => o.MarketoLeads = 3);
        test.Sandbox.Faults.Add(Once("611"));
        test.Sandbox.Faults.Add(new FaultRule { Service = SandboxService.Marketo, PathContains = "/rest/v1/leads.json", Method = "GET", HttpStatus = 414, Times = 1 });

        await test.Client.DescribeCompaniesAsync(CancellationToken.None);
        await foreach (var _ in test.Client.GetLeadsByFilterAsync("email", new[] { "nobody@example.test" }, new[] { "email" }, CancellationToken.None)) { }

        var lines = test.Log.Lines.Where(l => l.StartsWith("DEBUG: Marketo ", StringComparison.Ordinal) && l.Contains(" /rest/", StringComparison.Ordinal)).ToArray();
        Assert.Collection(lines,
            l => Assert.Matches(@"^DEBUG: Marketo GET /rest/v1/companies/describe\.json -> HTTP 200, requestId \S+#\S+, \d+ ms, errors 611$", l),
            l => Assert.Matches(@"^DEBUG: Marketo GET /rest/v1/companies/describe\.json -> HTTP 200, requestId \S+#\S+, \d+ ms, ok$", l),
            l => Assert.Matches(@"^DEBUG: Marketo GET /rest/v1/leads\.json -> HTTP 414, requestId -, \d+ ms, no envelope$", l),
            l => Assert.Matches(@"^DEBUG: Marketo POST\(_method=GET\) /rest/v1/leads\.json -> HTTP 200, requestId \S+#\S+, \d+ ms, ok(, warnings: .+)?$", l));
    }

    [Fact]
    public async Task A_gateway_page_is_reported_as_an_http_error_without_an_envelope()
    {
        await using var test = await MarketoTestHost.StartAsync(settings: s => s.Retry.MaxAttempts = 1);
        test.Sandbox.Faults.Add(new FaultRule { Service = SandboxService.Marketo, PathContains = "companies/describe", HttpStatus = 502 });

        var error = await Assert.ThrowsAsync<MarketoApiException>(() => test.Client.DescribeCompaniesAsync(CancellationToken.None));

        Assert.Equal("502", error.Code);
        Assert.Equal(502, error.HttpStatus);
        Assert.Equal("HTTP error without a Marketo envelope", error.VendorMessage);
        Assert.Null(error.RequestId);
    }
}
