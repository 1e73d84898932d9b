using MlConnector.Engine.Marketo;
using MlConnector.Engine.Security;
using MlConnector.Sandbox;
using MlConnector.Sandbox.Core;

namespace MlConnector.Engine.Tests.Marketo;

public sealed class MarketoAuthenticationTests
{
    [Fact]
    public async Task Wrong_secret_fails_at_connect_without_the_secret_in_any_message()
    {
        const string wrong = "definitely-not-the-secret-4711";
        await using var host = await SandboxHost.StartAsync(new SandboxOptions { Customers = 0 });
        var log = new CollectingLog();
        var error = await Assert.ThrowsAsync<MarketoAuthenticationException>(() =>
            MarketoClient.ConnectAsync(MarketoTestHost.SettingsFor(host), new SecretText(wrong), log, host.Clock));
        Assert.Equal("MarketoAuthenticationFailed", error.ErrorId);
        Assert.Equal(MlErrorCategory.Authentication, error.Category);
        Assert.Contains("Client Secret", error.Message);
        Assert.DoesNotContain(wrong, error.ToString());
        Assert.DoesNotContain(log.Lines, line => line.Contains(wrong, StringComparison.Ordinal));
        Assert.Empty(host.Journal.For(SandboxService.Marketo));
    }

    [Fact]
    public async Task Unknown_client_id_is_an_authentication_failure()
    {
        await using var host = await SandboxHost.StartAsync(new SandboxOptions { Customers = 0 });
        var settings = MarketoTestHost.SettingsFor(host, s => s.ClientId = "no-such-client");
        var error = await Assert.ThrowsAsync<MarketoAuthenticationException>(() =>
            MarketoClient.ConnectAsync(settings, new SecretText(host.Marketo.Options.ClientSecret), new CollectingLog(), host.Clock));
        Assert.Contains("no-such-client", error.Message);
    }

    [Theory]
    [InlineData("http://123-ABC-456.mktorest.com/")]
    [InlineData("http://10.0.0.5:8080/")]
    public async Task Plain_http_to_a_non_loopback_host_is_refused_before_any_call(string baseUri)
    {
        var settings = new MarketoSettings { MunchkinId = "123-ABC-456", ClientId = "id", BaseUri = new Uri(baseUri) };
        var error = await Assert.ThrowsAsync<MlConnectorException>(() =>
            MarketoClient.ConnectAsync(settings, new SecretText("s"), new CollectingLog()));
        Assert.Equal("MarketoInvalidConfiguration", error.ErrorId);
        Assert.Equal(MlErrorCategory.InvalidConfiguration, error.Category);
        Assert.Contains("https://", error.Message);
    }

    [Fact]
    public void Endpoints_are_derived_from_the_munchkin_id_or_the_base()
    {
        var derived = new MarketoSettings { MunchkinId = "123-ABC-456", ClientId = "id" };
        Assert.Equal("https://123-abc-456.mktorest.com/", derived.RestBase.AbsoluteUri);
        Assert.Equal("https://123-abc-456.mktorest.com/identity/", derived.IdentityBase.AbsoluteUri);
        var withRest = new MarketoSettings { ClientId = "id", BaseUri = new Uri("https://123-ABC-456.mktorest.com/rest") };
        Assert.Equal("https://123-abc-456.mktorest.com/", withRest.RestBase.AbsoluteUri);
        var explicitIdentity = new MarketoSettings { ClientId = "id", BaseUri = new Uri("https://a.example/"), IdentityUri = new Uri("https://b.example/identity") };
        Assert.Equal("https://b.example/identity/", explicitIdentity.IdentityBase.AbsoluteUri);
        Assert.Throws<MlConnectorException>(() => new MarketoSettings { MunchkinId = "not-a-munchkin", ClientId = "id" }.Validate());
    }

    [Fact]
    public async Task Token_travels_in_the_bearer_header_and_never_reaches_the_log()
    {
        // The sandbox refuses the legacy access_token parameter by default, so a successful call proves the header.
        await using var test = await MarketoTestHost.StartAsync();
        var fields = await test.Client.DescribeLeadsAsync(CancellationToken.None);
        Assert.Contains(fields, f => f.Name == "email" && f.Searchable);
        Assert.Contains(fields, f => f.Name == "bcEngagementScore" && f.ReadOnly);
        var token = test.Sandbox.Marketo.Tokens.Issue().Token;
        Assert.DoesNotContain(test.Log.Lines, line => line.Contains(token, StringComparison.Ordinal) || line.Contains(test.Sandbox.Marketo.Options.ClientSecret, StringComparison.Ordinal));
        Assert.DoesNotContain(test.Rest, e => e.Path.Contains("access_token", StringComparison.OrdinalIgnoreCase));
        Assert.Contains(test.Log.Lines, line => line.Contains("/rest/v1/leads/describe2.json", StringComparison.Ordinal) && line.Contains("requestId", StringComparison.Ordinal));
    }
}
