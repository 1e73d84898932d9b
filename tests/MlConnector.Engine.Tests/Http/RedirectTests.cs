using MlConnector.Engine.BusinessCentral;
using MlConnector.Engine.Marketo;
using MlConnector.Engine.Security;
using MlConnector.Engine.Tests.BusinessCentral;
using MlConnector.Engine.Tests.Marketo;

namespace MlConnector.Engine.Tests.Http;

/// <summary>
/// A hostile endpoint answers a credentialed call with a redirect to another loopback listener: the connector
/// stops with an error naming where it pointed (host and path, never the query), and the target receives nothing.
/// </summary>
public sealed class RedirectTests
{
    [Theory]
    [InlineData(307)]
    [InlineData(308)]
    [InlineData(302)]
    public async Task A_redirect_on_the_Marketo_token_call_sends_the_secret_nowhere(int status)
    {
        await using var target = LoopbackServer.Start(_ => HostileEndpoints.MarketoIdentity());
        await using var hostile = LoopbackServer.Start(_ => LoopbackResponse.Redirect(status, new Uri(target.BaseUri, "collect/token?client_secret=planted").AbsoluteUri));
        var log = new CollectingLog();

        var error = await Assert.ThrowsAnyAsync<MlConnectorException>(() =>
            MarketoClient.ConnectAsync(HostileEndpoints.Marketo(hostile.BaseUri), new SecretText(HostileEndpoints.Secret), log));

        Assert.Empty(target.Requests);
        Assert.Single(hostile.Requests);
        Assert.Equal("MarketoRedirectRefused", error.ErrorId);
        Assert.Equal(MlErrorCategory.Connection, error.Category);
        Assert.Contains(target.BaseUri.Authority + "/collect/token", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("planted", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(HostileEndpoints.Secret, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(log.Lines, l => l.Contains(HostileEndpoints.Secret, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_redirect_on_a_Marketo_REST_call_sends_the_records_nowhere()
    {
        await using var target = LoopbackServer.Start(_ => LoopbackResponse.Json("""{"requestId":"t#1","success":true,"result":[]}"""));
        await using var hostile = LoopbackServer.Start(r => HostileEndpoints.IsIdentity(r)
            ? HostileEndpoints.MarketoIdentity()
            : LoopbackResponse.Redirect(307, new Uri(target.BaseUri, "rest/v1/leads.json").AbsoluteUri));
        using var client = await MarketoClient.ConnectAsync(HostileEndpoints.Marketo(hostile.BaseUri), new SecretText(HostileEndpoints.Secret), new CollectingLog());

        var error = await Assert.ThrowsAnyAsync<MlConnectorException>(() =>
            client.SyncLeadsAsync(MarketoTestHost.Leads(2), MarketoSyncAction.CreateOrUpdate, "email", CancellationToken.None));

        Assert.Empty(target.Requests);
        Assert.Equal("MarketoRedirectRefused", error.ErrorId);
        Assert.Contains(target.BaseUri.Authority + "/rest/v1/leads.json", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, hostile.Requests.Count(r => !HostileEndpoints.IsIdentity(r)));
    }

    [Fact]
    public async Task A_redirect_on_the_Entra_token_call_sends_the_secret_nowhere()
    {
        await using var target = LoopbackServer.Start(_ => LoopbackResponse.Json("""{"token_type":"Bearer","expires_in":3599,"access_token":"x"}"""), https: true);
        await using var hostile = LoopbackServer.Start(_ => LoopbackResponse.Redirect(307, new Uri(target.BaseUri, "steal/token?code=planted").AbsoluteUri), https: true);

        var error = await Assert.ThrowsAnyAsync<MlConnectorException>(() =>
            BusinessCentralClient.ConnectAsync(HostileEndpoints.Entra(hostile.BaseUri), new SecretText(HostileEndpoints.Secret), new TestLog()));

        Assert.Empty(target.Requests);
        Assert.NotEmpty(hostile.Requests);
        Assert.All(hostile.Requests, r => Assert.DoesNotContain("steal", r.PathAndQuery, StringComparison.Ordinal));
        Assert.Equal("BusinessCentralRedirectRefused", error.ErrorId);
        Assert.Contains(target.BaseUri.Authority + "/steal/token", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("planted", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(HostileEndpoints.Secret, error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_redirect_on_a_Business_Central_call_sends_nothing_to_the_target()
    {
        await using var sandbox = await BcSandbox.StartAsync(customers: 0);
        await using var target = LoopbackServer.Start(_ => LoopbackResponse.Json("""{"value":[]}"""));
        await using var hostile = LoopbackServer.Start(r => LoopbackResponse.Redirect(307, new Uri(target.BaseUri, "v2.0/elsewhere/companies?$skiptoken=planted").AbsoluteUri));

        var error = await Assert.ThrowsAnyAsync<MlConnectorException>(() =>
            BusinessCentralClient.ConnectAsync(HostileEndpoints.BusinessCentral(sandbox, hostile.BaseUri), sandbox.Secret, sandbox.Log, sandbox.Host.Clock));

        Assert.Empty(target.Requests);
        Assert.Single(hostile.Requests);
        Assert.Equal("BusinessCentralRedirectRefused", error.ErrorId);
        Assert.Contains(target.BaseUri.Authority + "/v2.0/elsewhere/companies", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("planted", error.Message, StringComparison.Ordinal);
    }
}
