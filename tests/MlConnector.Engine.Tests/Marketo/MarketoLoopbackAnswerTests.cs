using MlConnector.Engine.Marketo;
using MlConnector.Engine.Security;
using MlConnector.Engine.Tests.Http;

namespace MlConnector.Engine.Tests.Marketo;

/// <summary>
/// Marketo answers the sandbox never gives, scripted on a loopback server: a 200 that is no envelope, a change feed
/// handing back its own start token, an empty usage result, a failed export, and the service named in the refusals.
/// </summary>
public sealed class MarketoLoopbackAnswerTests
{
    private static LoopbackServer Answering(Func<LoopbackRequest, LoopbackResponse> rest)
        => LoopbackServer.Start(r => HostileEndpoints.IsIdentity(r) ? HostileEndpoints.MarketoIdentity() : rest(r));

    private static Task<MarketoClient> ConnectAsync(LoopbackServer server)
        => MarketoClient.ConnectAsync(HostileEndpoints.Marketo(server.BaseUri, maxAttempts: 1), new SecretText(HostileEndpoints.Secret), new CollectingLog());

    private static int RestCalls(LoopbackServer server) => server.Requests.Count(r => !HostileEndpoints.IsIdentity(r));

    [Fact]
    public async Task A_200_html_page_instead_of_an_envelope_is_an_api_error_saying_so()
    {
        await using var server = Answering(_ => LoopbackResponse.Html("<html><body>Please sign in to the proxy</body></html>"));
        using var client = await ConnectAsync(server);

        var error = await Assert.ThrowsAsync<MarketoApiException>(() => client.DescribeLeadsAsync(CancellationToken.None));

        Assert.Equal("200", error.Code);
        Assert.Equal(200, error.HttpStatus);
        Assert.Equal("response is not a Marketo envelope", error.VendorMessage);
        Assert.Null(error.RequestId);
    }

    [Fact]
    public async Task A_lead_change_feed_answering_with_its_start_token_ends_after_one_call()
    {
        await using var server = Answering(r => LoopbackResponse.Json($$"""
            {"requestId":"x#{{r.Number}}","success":true,"moreResult":true,"nextPageToken":"START",
             "result":[{"id":{{r.Number}},"leadId":7,"activityDate":"2025-01-02T03:04:05Z","activityTypeId":13,"fields":[{"id":1,"name":"firstName","newValue":"A","oldValue":"B"}]}]}
            """));
        using var client = await ConnectAsync(server);

        var pages = 0;
        var error = await Assert.ThrowsAnyAsync<MlConnectorException>(async () =>
        {
            await foreach (var _ in client.GetLeadChangesAsync("START", ["firstName"], CancellationToken.None)) pages++;
        });

        Assert.Equal("MarketoPagingLoop", error.ErrorId);
        Assert.Equal(1, pages);
        Assert.Equal(1, RestCalls(server));
    }

    [Fact]
    public async Task Usage_with_an_empty_result_has_no_date_and_no_calls()
    {
        await using var server = Answering(_ => LoopbackResponse.Json("""{"requestId":"u#1","success":true,"result":[]}"""));
        using var client = await ConnectAsync(server);

        var usage = await client.GetDailyUsageAsync(CancellationToken.None);

        Assert.Null(usage.Date);
        Assert.Equal(0, usage.Total);
        Assert.Empty(usage.ByUser);
    }

    [Fact]
    public async Task A_failed_export_carries_marketos_error_message()
    {
        await using var server = Answering(_ => LoopbackResponse.Json("""
            {"requestId":"e#1","success":true,"result":[{"exportId":"ce45a7a1","format":"CSV","status":"Failed","createdAt":"2025-01-02T03:04:05Z","errorMsg":"Export failed: internal error"}]}
            """));
        using var client = await ConnectAsync(server);

        var job = await client.GetLeadExportStatusAsync("ce45a7a1", CancellationToken.None);

        Assert.Equal(("Failed", true), (job.Status, job.Finished));
        Assert.Equal("Export failed: internal error", job.ErrorMessage);
    }

    [Fact]
    public async Task A_redirected_rest_call_is_refused_in_a_message_naming_marketo()
    {
        await using var server = Answering(_ => LoopbackResponse.Redirect(307, "http://127.0.0.1:9/rest/v1/leads/describe.json"));
        using var client = await ConnectAsync(server);

        var error = await Assert.ThrowsAnyAsync<MlConnectorException>(() => client.DescribeLeadsAsync(CancellationToken.None));

        Assert.Equal("MarketoRedirectRefused", error.ErrorId);
        Assert.StartsWith("Marketo answered GET ", error.Message, StringComparison.Ordinal);
    }
}
