using MlConnector.Engine.BusinessCentral;
using MlConnector.Engine.Security;

namespace MlConnector.Engine.Tests.BusinessCentral;

public sealed class BusinessCentralConnectTests : IAsyncLifetime
{
    private BcSandbox _sandbox = null!;

    public async Task InitializeAsync() => _sandbox = await BcSandbox.StartAsync(customers: 5);

    public async Task DisposeAsync() => await _sandbox.DisposeAsync();

    [Fact]
    public async Task Connect_resolves_the_company_by_name_and_by_id()
    {
        using var byName = await _sandbox.ConnectAsync();
        Assert.Equal(_sandbox.Host.BusinessCentral.CompanyId, byName.Company.Id);
        Assert.Equal(_sandbox.Host.Options.BusinessCentral.CompanyName, byName.Company.Name);

        var settings = _sandbox.Settings();
        settings.Company = byName.Company.Id.ToString();
        using var byId = await _sandbox.ConnectAsync(settings);
        Assert.Equal(byName.Company, byId.Company);
        Assert.True(await byId.EnsureTokenAsync(default) > _sandbox.Host.Clock.GetUtcNow().AddMinutes(50));
    }

    [Fact]
    public async Task Wrong_secret_names_AADSTS7000215_and_never_the_secret()
    {
        const string wrong = "Not-The-Secret~Value-42";
        var e = await Assert.ThrowsAsync<BusinessCentralAuthenticationException>(() =>
            BusinessCentralClient.ConnectAsync(_sandbox.Settings(), new SecretText(wrong), _sandbox.Log, _sandbox.Host.Clock));
        Assert.Contains("AADSTS7000215", e.Message, StringComparison.Ordinal);
        Assert.Contains("Secret ID", e.Message, StringComparison.Ordinal);
        Assert.Equal("BusinessCentralAuthenticationFailed", e.ErrorId);
        Assert.Equal(MlErrorCategory.Authentication, e.Category);
        Assert.DoesNotContain(wrong, e.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(_sandbox.Log.Lines, l => l.Contains(wrong, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Expired_secret_and_unknown_tenant_are_named()
    {
        _sandbox.Host.Options.Entra.SecretExpired = true;
        try
        {
            var expired = await Assert.ThrowsAsync<BusinessCentralAuthenticationException>(() => _sandbox.ConnectAsync());
            Assert.Contains("AADSTS7000222", expired.Message, StringComparison.Ordinal);
        }
        finally
        {
            _sandbox.Host.Options.Entra.SecretExpired = false;
        }

        var settings = _sandbox.Settings();
        settings.TenantId = Guid.NewGuid().ToString();
        var tenant = await Assert.ThrowsAsync<BusinessCentralAuthenticationException>(() => _sandbox.ConnectAsync(settings));
        Assert.Contains("AADSTS90002", tenant.Message, StringComparison.Ordinal);

        settings = _sandbox.Settings();
        settings.ClientId = Guid.NewGuid().ToString();
        var app = await Assert.ThrowsAsync<BusinessCentralAuthenticationException>(() => _sandbox.ConnectAsync(settings));
        Assert.Contains("AADSTS700016", app.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_app_BC_does_not_know_gets_one_token_renewal_then_an_actionable_error()
    {
        var app = new MlConnector.Sandbox.Entra.EntraApp(_sandbox.Host.Options.Entra.TenantId, Guid.NewGuid().ToString(), "Other~App~Secret~Value");
        _sandbox.Host.Options.Entra.AdditionalApps.Add(app);
        var settings = _sandbox.Settings();
        settings.ClientId = app.ClientId;

        var e = await Assert.ThrowsAsync<BusinessCentralAuthenticationException>(() =>
            BusinessCentralClient.ConnectAsync(settings, new SecretText(app.ClientSecret), _sandbox.Log, _sandbox.Host.Clock));

        Assert.Equal(401, e.StatusCode);
        Assert.Equal("Authentication_InvalidCredentials", e.BcErrorCode);
        Assert.Contains("Microsoft Entra Applications", e.Message, StringComparison.Ordinal);
        Assert.Equal(2, _sandbox.TokenRequests());
        Assert.Equal(2, _sandbox.BcCalls("/companies").Count);
    }

    [Fact]
    public async Task Unknown_company_lists_the_available_names()
    {
        var settings = _sandbox.Settings();
        settings.Company = "No Such Company";
        var e = await Assert.ThrowsAsync<BusinessCentralCompanyNotFoundException>(() => _sandbox.ConnectAsync(settings));
        Assert.Contains("No Such Company", e.Message, StringComparison.Ordinal);
        Assert.Contains(_sandbox.Host.Options.BusinessCentral.CompanyName, e.Message, StringComparison.Ordinal);
        Assert.Equal([_sandbox.Host.Options.BusinessCentral.CompanyName], e.AvailableCompanies);
        Assert.Equal(MlErrorCategory.NotFound, e.Category);
    }

    [Fact]
    public async Task A_wrong_environment_is_named_like_a_wrong_company()
    {
        var settings = _sandbox.Settings();
        settings.Environment = "Prodcution";
        var e = await Assert.ThrowsAsync<BusinessCentralEnvironmentNotFoundException>(() => _sandbox.ConnectAsync(settings));
        Assert.Equal("BusinessCentralEnvironmentNotFound", e.ErrorId);
        Assert.Equal(MlErrorCategory.NotFound, e.Category);
        Assert.Contains("Environment 'Prodcution' was not found", e.Message, StringComparison.Ordinal);
        Assert.Contains("-Environment", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_API_host_that_does_not_resolve_or_refuses_fails_at_once_with_a_hint_about_BaseUri()
    {
        var settings = _sandbox.Settings();
        settings.BaseUri = new Uri("https://bc.mlconnector-test.invalid/");
        settings.AllowUntrustedEndpoint = true; // an off-list host on purpose: the test is about a host that does not resolve
        var missing = await Assert.ThrowsAsync<BusinessCentralException>(() => _sandbox.ConnectAsync(settings));
        Assert.Equal("BusinessCentralHostNotFound", missing.ErrorId);
        Assert.Contains("bc.mlconnector-test.invalid", missing.Message, StringComparison.Ordinal);
        Assert.Contains("-BaseUri", missing.Message, StringComparison.Ordinal);

        settings.BaseUri = new Uri($"http://127.0.0.1:{Marketo.MarketoUnreachableTests.ClosedPort()}/");
        var refused = await Assert.ThrowsAsync<BusinessCentralException>(() => _sandbox.ConnectAsync(settings));
        Assert.Equal("BusinessCentralHostRefused", refused.ErrorId);
        Assert.DoesNotContain(_sandbox.Log.Lines, l => l.Contains("BC retry", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Plain_http_to_a_non_loopback_host_is_refused()
    {
        var settings = _sandbox.Settings();
        settings.BaseUri = new Uri("http://api.businesscentral.example.com/");
        var e = await Assert.ThrowsAsync<BusinessCentralConfigurationException>(() => _sandbox.ConnectAsync(settings));
        Assert.Contains("https://", e.Message, StringComparison.Ordinal);
        Assert.Equal(0, _sandbox.TokenRequests());
    }

    [Fact]
    public async Task Custom_authority_needs_a_pinned_thumbprint()
    {
        var settings = _sandbox.Settings();
        settings.SandboxTlsThumbprint = null;
        var e = await Assert.ThrowsAsync<BusinessCentralConfigurationException>(() => _sandbox.ConnectAsync(settings));
        Assert.Contains("SandboxTlsThumbprint", e.Message, StringComparison.Ordinal);

        settings = _sandbox.Settings();
        settings.AuthorityHost = new Uri("https://login.example.com/");
        await Assert.ThrowsAsync<BusinessCentralConfigurationException>(() => _sandbox.ConnectAsync(settings));
        Assert.Equal(0, _sandbox.TokenRequests());
    }

    [Fact]
    public async Task A_thumbprint_that_does_not_match_fails_the_TLS_handshake()
    {
        var settings = _sandbox.Settings();
        settings.SandboxTlsThumbprint = new string('A', 40);
        var e = await Assert.ThrowsAsync<BusinessCentralException>(() => _sandbox.ConnectAsync(settings));
        Assert.Equal(MlErrorCategory.Connection, e.Category);
        Assert.Equal(0, _sandbox.TokenRequests());
    }
}
