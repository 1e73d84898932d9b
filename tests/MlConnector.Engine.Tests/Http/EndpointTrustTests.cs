using MlConnector.Engine.Diagnostics;
using MlConnector.Engine.BusinessCentral;
using MlConnector.Engine.Http;
using MlConnector.Engine.Marketo;
using MlConnector.Engine.Security;
using MlConnector.Engine.Tests.BusinessCentral;
using MlConnector.Engine.Tests.Marketo;

namespace MlConnector.Engine.Tests.Http;

/// <summary>
/// Where a secret may go: the vendors' documented hosts and the loopback sandbox; any other host is refused before
/// any call unless AllowUntrustedEndpoint is set, which then reaches it (still under the platform's TLS validation)
/// and warns on every connect. The off-list host is this machine reached by its host name.
/// </summary>
public sealed class EndpointTrustTests
{
    [Theory]
    [InlineData("https://api.businesscentral.dynamics.com/", true)]
    [InlineData("https://API.BusinessCentral.Dynamics.com/", true)]
    [InlineData("https://api.businesscentral.dynamics.com.example.net/", false)]
    [InlineData("https://example.net/api.businesscentral.dynamics.com/", false)]
    [InlineData("https://api.businesscentral.dynamics.com@example.net/", false)]
    [InlineData("https://user@api.businesscentral.dynamics.com/", false)]
    [InlineData("https://api.businesscentral.dynamics.com:8443/", false)]
    [InlineData("http://api.businesscentral.dynamics.com/", false)]
    public void Business_Central_accepts_only_its_documented_API_host(string uri, bool trusted)
        => Assert.Equal(trusted, TrustedHosts.IsBusinessCentral(new Uri(uri)));

    [Theory]
    [InlineData("https://login.microsoftonline.com/", true)]
    [InlineData("https://login.microsoftonline.us/", true)]
    [InlineData("https://login.chinacloudapi.cn/", true)]
    [InlineData("https://login.microsoftonline.com.example.net/", false)]
    [InlineData("https://login.example.com/", false)]
    public void Entra_accepts_only_Microsoft_sign_in_hosts(string uri, bool trusted)
        => Assert.Equal(trusted, TrustedHosts.IsEntraAuthority(new Uri(uri)));

    [Theory]
    [InlineData("https://123-ABC-456.mktorest.com/", "123-ABC-456", true)]
    [InlineData("https://123-abc-456.mktorest.com/identity/", "123-ABC-456", true)]
    [InlineData("https://123-abc-456.mktorest.com/", null, true)]
    [InlineData("https://999-XYZ-999.mktorest.com/", "123-ABC-456", false)]
    [InlineData("https://123-abc-456.mktorest.com.example.net/", "123-ABC-456", false)]
    [InlineData("https://mktorest.com/", null, false)]
    [InlineData("https://evil.mktorest.com/", null, false)]
    [InlineData("https://123-abc-456.mktorest.com:444/", "123-ABC-456", false)]
    public void Marketo_accepts_only_the_instance_host_on_mktorest_com(string uri, string? munchkin, bool trusted)
        => Assert.Equal(trusted, TrustedHosts.IsMarketo(new Uri(uri), munchkin));

    [Fact]
    public void National_cloud_sign_in_hosts_pass_without_the_opt_in_or_a_warning()
    {
        foreach (var authority in TrustedHosts.EntraAuthorities)
        {
            var settings = new BusinessCentralSettings { TenantId = "t", ClientId = "c", Environment = "e", Company = "x", AuthorityHost = new Uri("https://" + authority + "/") };
            Assert.Empty(BcEndpoints.From(settings).UntrustedWarnings);
        }
    }

    [HostNameFact]
    public async Task An_off_list_Marketo_host_is_refused_before_any_call_and_the_opt_in_reaches_it_with_a_warning()
    {
        await using var offList = LoopbackServer.StartByHostName(_ => HostileEndpoints.MarketoIdentity());
        var settings = HostileEndpoints.Marketo(offList.BaseUri, maxAttempts: 1);
        var log = new CollectingLog();

        var refused = await Assert.ThrowsAnyAsync<MlConnectorException>(() => MarketoClient.ConnectAsync(settings, new SecretText(HostileEndpoints.Secret), log));
        Assert.Equal("MarketoUntrustedEndpoint", refused.ErrorId);
        Assert.Equal(MlErrorCategory.InvalidConfiguration, refused.Category);
        Assert.Contains(offList.BaseUri.Authority, refused.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("123-abc-456.mktorest.com", refused.Message, StringComparison.Ordinal);
        Assert.Contains("-AllowUntrustedEndpoint", refused.Message, StringComparison.Ordinal);
        Assert.Equal(0, offList.Connections);
        Assert.Empty(log.Lines);

        settings.AllowUntrustedEndpoint = true;
        var reached = await Assert.ThrowsAnyAsync<MlConnectorException>(() => MarketoClient.ConnectAsync(settings, new SecretText(HostileEndpoints.Secret), log));
        // The opt-in widens where the secret may go, not how the host is checked: the sandbox certificate is not for this name.
        Assert.Equal("MarketoConnectionFailed", reached.ErrorId);
        Assert.True(offList.Connections >= 1);
        Assert.Empty(offList.Requests);
        Assert.Equal(2, log.Lines.Count(l => l.StartsWith("WARNING: " + EngineWarnings.UntrustedEndpoint + ": AllowUntrustedEndpoint", StringComparison.Ordinal) && l.Contains(offList.BaseUri.Authority, StringComparison.OrdinalIgnoreCase)));
        Assert.DoesNotContain(log.Lines, l => l.Contains(HostileEndpoints.Secret, StringComparison.Ordinal));
    }

    [HostNameFact]
    public async Task An_off_list_Business_Central_host_is_refused_before_the_token_call_and_the_opt_in_reaches_it_with_a_warning()
    {
        await using var sandbox = await BcSandbox.StartAsync(customers: 0);
        await using var offList = LoopbackServer.StartByHostName(_ => LoopbackResponse.Json("""{"value":[]}"""));
        var settings = HostileEndpoints.BusinessCentral(sandbox, offList.BaseUri);
        settings.Retry.MaxAttempts = 1;

        var refused = await Assert.ThrowsAsync<BusinessCentralConfigurationException>(() => sandbox.ConnectAsync(settings));
        Assert.Equal("BusinessCentralUntrustedEndpoint", refused.ErrorId);
        Assert.Contains("api.businesscentral.dynamics.com", refused.Message, StringComparison.Ordinal);
        Assert.Equal(0, sandbox.TokenRequests());
        Assert.Equal(0, offList.Connections);

        settings.AllowUntrustedEndpoint = true;
        var reached = await Assert.ThrowsAsync<BusinessCentralException>(() => sandbox.ConnectAsync(settings));
        Assert.Equal("BusinessCentralConnectionFailed", reached.ErrorId);
        Assert.True(offList.Connections >= 1);
        Assert.Empty(offList.Requests);
        Assert.Single(sandbox.Log.Lines, l => l.StartsWith("WARNING " + EngineWarnings.UntrustedEndpoint + " AllowUntrustedEndpoint", StringComparison.Ordinal) && l.Contains("base URI", StringComparison.Ordinal));
    }

    [HostNameFact]
    public async Task An_off_list_Entra_authority_is_refused_before_any_call_and_the_opt_in_reaches_it_with_a_warning()
    {
        await using var offList = LoopbackServer.StartByHostName(_ => LoopbackResponse.Json("{}"));
        var settings = HostileEndpoints.Entra(offList.BaseUri);
        settings.SandboxTlsThumbprint = null;
        var log = new TestLog();

        var refused = await Assert.ThrowsAsync<BusinessCentralConfigurationException>(() =>
            BusinessCentralClient.ConnectAsync(settings, new SecretText(HostileEndpoints.Secret), log));
        Assert.Equal("BusinessCentralUntrustedEndpoint", refused.ErrorId);
        Assert.Contains("login.microsoftonline.com", refused.Message, StringComparison.Ordinal);
        Assert.Equal(0, offList.Connections);

        settings.AllowUntrustedEndpoint = true;
        var reached = await Assert.ThrowsAnyAsync<BusinessCentralException>(() =>
            BusinessCentralClient.ConnectAsync(settings, new SecretText(HostileEndpoints.Secret), log));
        Assert.Equal(MlErrorCategory.Connection, reached.Category);
        Assert.True(offList.Connections >= 1);
        Assert.Empty(offList.Requests);
        Assert.Single(log.Lines, l => l.StartsWith("WARNING " + EngineWarnings.UntrustedEndpoint + " AllowUntrustedEndpoint", StringComparison.Ordinal) && l.Contains("authority", StringComparison.Ordinal));
        Assert.DoesNotContain(HostileEndpoints.Secret, reached.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_loopback_sandbox_still_connects_without_the_opt_in_or_a_warning()
    {
        await using var sandbox = await BcSandbox.StartAsync(customers: 1);
        using var bc = await sandbox.ConnectAsync();
        await using var marketo = await MarketoTestHost.StartAsync();
        Assert.DoesNotContain(sandbox.Log.Lines, l => l.Contains("AllowUntrustedEndpoint", StringComparison.Ordinal));
        Assert.DoesNotContain(marketo.Log.Lines, l => l.Contains("AllowUntrustedEndpoint", StringComparison.Ordinal));
    }
}
