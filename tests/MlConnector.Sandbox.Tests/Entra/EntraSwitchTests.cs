using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MlConnector.Sandbox.Core;
using MlConnector.Sandbox.Entra;

namespace MlConnector.Sandbox.Tests.Entra;

/// <summary>Switches, lifetime and faults of the Entra simulator; private sandboxes.</summary>
public sealed class EntraSwitchTests
{
    [Fact]
    public async Task Expired_secret_switched_on_through_admin_gives_AADSTS7000222()
    {
        var (host, http) = await SandboxFixture.StartAsync(new SandboxOptions { Customers = 1 });
        await using var _ = host;
        using var __ = http;
        using var admin = await http.PostAsJsonAsync("admin/entra/settings", new { secretExpired = true });
        Assert.Equal(HttpStatusCode.OK, admin.StatusCode);
        using var response = await http.PostAsync(new Uri(host.HttpsBaseUri, $"{host.Entra.Options.TenantId}/oauth2/v2.0/token"), new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials", ["client_id"] = host.Entra.Options.ClientId, ["client_secret"] = host.Entra.Options.ClientSecret, ["scope"] = EntraSimulator.BusinessCentralScope,
        }));
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(7000222, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error_codes")[0].GetInt32());
    }

    [Fact]
    public async Task Configured_token_lifetime_is_used_and_token_dies_with_the_sandbox_clock()
    {
        var options = new SandboxOptions { Customers = 1 };
        options.Entra.TokenLifetime = TimeSpan.FromMinutes(75);
        var (host, http) = await SandboxFixture.StartAsync(options);
        await using var _ = host;
        using var __ = http;
        var token = await BusinessCentral.BcTestClient.RequestTokenAsync(host, http);
        var claims = host.Entra.Tokens.Read(token)!;
        Assert.Equal(TimeSpan.FromMinutes(75), claims.ExpiresAt - claims.IssuedAt);
        var bc = new BusinessCentral.BcTestClient(host, http);
        host.Clock.Advance(TimeSpan.FromMinutes(74));
        using (var ok = await bc.SendAsync(HttpMethod.Get, bc.ApiRoot + "companies", token: token)) Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        host.Clock.Advance(TimeSpan.FromMinutes(2));
        using var expired = await bc.SendAsync(HttpMethod.Get, bc.ApiRoot + "companies", token: token);
        Assert.Equal(HttpStatusCode.Unauthorized, expired.StatusCode);
    }

    [Fact]
    public async Task Injected_Entra_fault_has_Entra_body_shape_and_Retry_After()
    {
        var (host, http) = await SandboxFixture.StartAsync(new SandboxOptions { Customers = 1 });
        await using var _ = host;
        using var __ = http;
        host.Faults.Add(new FaultRule { Service = SandboxService.Entra, PathContains = "/oauth2/", HttpStatus = 503, RetryAfterSeconds = 3, Times = 1 });
        using var response = await http.PostAsync(new Uri(host.HttpsBaseUri, $"{host.Entra.Options.TenantId}/oauth2/v2.0/token"), new FormUrlEncodedContent(new Dictionary<string, string>()));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(3), response.Headers.RetryAfter!.Delta);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("temporarily_unavailable", body.GetProperty("error").GetString());
        Assert.StartsWith("AADSTS", body.GetProperty("error_description").GetString());
        Assert.Contains(host.Journal.For(SandboxService.Entra), e => e.Status == 503);
    }
}
