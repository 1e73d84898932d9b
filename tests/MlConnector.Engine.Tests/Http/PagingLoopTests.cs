using MlConnector.Engine.BusinessCentral;
using MlConnector.Engine.Marketo;
using MlConnector.Engine.Security;
using MlConnector.Engine.Tests.BusinessCentral;
using MlConnector.Engine.Tests.Marketo;

namespace MlConnector.Engine.Tests.Http;

/// <summary>
/// Hostile paging: a nextLink or nextPageToken that repeats, cycles or never stops without progress ends the read
/// with a clear error after a handful of requests. Past <see cref="Cap"/> requests the hostile server answers an
/// error of its own, so a client that would loop for ever fails these tests instead of hanging them.
/// </summary>
public sealed class PagingLoopTests
{
    private const int Cap = 50;
    private const string Company = """{"id":"9a2b3c4d-0000-4000-8000-000000000001","name":"CRONUS","displayName":"CRONUS"}""";

    public static TheoryData<string, int> BcLoops => new()
    {
        { "self", 1 },
        { "cycle", 3 },
        { "empty", BcPagedReader.MaxEmptyPagesInARow },
    };

    [Theory]
    [MemberData(nameof(BcLoops))]
    public async Task A_Business_Central_nextLink_that_makes_no_progress_ends_the_read_quickly(string shape, int expectedRequests)
    {
        await using var sandbox = await BcSandbox.StartAsync(customers: 0);
        LoopbackServer? hostile = null;
        hostile = LoopbackServer.Start(request =>
        {
            if (request.Number > Cap) return LoopbackResponse.Json("""{"error":{"code":"BadRequest","message":"loop cap"}}""", 400);
            var companies = new Uri(hostile!.BaseUri, request.Path).AbsoluteUri;
            var page = request.PathAndQuery.Contains("$skiptoken=", StringComparison.Ordinal) ? request.PathAndQuery.Split("$skiptoken=")[1] : "";
            var (next, value) = shape switch
            {
                "self" => (new Uri(hostile.BaseUri, request.PathAndQuery).AbsoluteUri, Company),
                "cycle" => (companies + "?$skiptoken=" + (page == "A" ? "B" : "A"), Company),
                _ => (companies + "?$skiptoken=" + request.Number, ""),
            };
            return LoopbackResponse.Json($$"""{"value":[{{value}}],"@odata.nextLink":"{{next}}"}""");
        });
        await using var _ = hostile;

        var error = await Assert.ThrowsAsync<BusinessCentralException>(() =>
            BusinessCentralClient.ConnectAsync(HostileEndpoints.BusinessCentral(sandbox, hostile.BaseUri), sandbox.Secret, sandbox.Log, sandbox.Host.Clock));

        Assert.Equal("BusinessCentralPagingLoop", error.ErrorId);
        Assert.Contains("companies", error.Message, StringComparison.Ordinal);
        Assert.Equal(expectedRequests, hostile.Requests.Count);
    }

    [Theory]
    [InlineData("repeat", 2)]
    [InlineData("cycle", 3)]
    public async Task A_Marketo_filter_read_whose_nextPageToken_stops_advancing_ends_with_an_error(string shape, int expectedPages)
    {
        await using var hostile = LoopbackServer.Start(request =>
        {
            if (HostileEndpoints.IsIdentity(request)) return HostileEndpoints.MarketoIdentity();
            if (request.Number > Cap) return LoopbackResponse.Json("""{"requestId":"x#1","success":false,"errors":[{"code":"1003","message":"loop cap"}]}""");
            var next = shape == "repeat" ? "SAME" : request.PathAndQuery.Contains("nextPageToken=T1", StringComparison.Ordinal) ? "T2" : "T1";
            return LoopbackResponse.Json($$"""{"requestId":"x#{{request.Number}}","success":true,"moreResult":true,"nextPageToken":"{{next}}","result":[{"id":{{request.Number}},"email":"a{{request.Number}}@example.test"}]}""");
        });
        using var client = await MarketoClient.ConnectAsync(HostileEndpoints.Marketo(hostile.BaseUri), new SecretText(HostileEndpoints.Secret), new CollectingLog());

        var error = await Assert.ThrowsAnyAsync<MlConnectorException>(async () =>
        {
            await foreach (var _ in client.GetLeadsByFilterAsync("email", ["a@example.test"], ["email"], CancellationToken.None)) { }
        });

        Assert.Equal("MarketoPagingLoop", error.ErrorId);
        Assert.Contains("leads.json", error.Message, StringComparison.Ordinal);
        Assert.Equal(expectedPages, hostile.Requests.Count(r => !HostileEndpoints.IsIdentity(r)));
    }

    [Fact]
    public async Task A_lead_change_feed_whose_token_stops_advancing_ends_with_an_error()
    {
        await using var hostile = LoopbackServer.Start(request =>
        {
            if (HostileEndpoints.IsIdentity(request)) return HostileEndpoints.MarketoIdentity();
            if (request.Number > Cap) return LoopbackResponse.Json("""{"requestId":"x#1","success":false,"errors":[{"code":"1003","message":"loop cap"}]}""");
            return LoopbackResponse.Json($$"""
                {"requestId":"x#{{request.Number}}","success":true,"moreResult":true,"nextPageToken":"STUCK",
                 "result":[{"id":{{request.Number}},"leadId":7,"activityDate":"2025-01-02T03:04:05Z","activityTypeId":13,"fields":[{"id":1,"name":"firstName","newValue":"A","oldValue":"B"}]}]}
                """);
        });
        using var client = await MarketoClient.ConnectAsync(HostileEndpoints.Marketo(hostile.BaseUri), new SecretText(HostileEndpoints.Secret), new CollectingLog());

        var changes = 0;
        var error = await Assert.ThrowsAnyAsync<MlConnectorException>(async () =>
        {
            await foreach (var _ in client.GetLeadChangesAsync("START", ["firstName"], CancellationToken.None)) changes++;
        });

        Assert.Equal("MarketoPagingLoop", error.ErrorId);
        Assert.Contains("leadchanges.json", error.Message, StringComparison.Ordinal);
        Assert.Equal(2, hostile.Requests.Count(r => !HostileEndpoints.IsIdentity(r)));
        Assert.Equal(2, changes);
    }
}
