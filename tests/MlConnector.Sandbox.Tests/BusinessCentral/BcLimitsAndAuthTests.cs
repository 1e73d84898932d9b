using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using MlConnector.Sandbox.Core;
using MlConnector.Sandbox.Entra;

namespace MlConnector.Sandbox.Tests.BusinessCentral;

/// <summary>401s, operational limits (429) and injected faults; each test owns its sandbox.</summary>
public sealed class BcLimitsAndAuthTests
{
    private static async Task<(SandboxHost Host, HttpClient Http, BcTestClient Bc)> StartAsync(Action<SandboxOptions>? configure = null)
    {
        var options = new SandboxOptions { Customers = 5 };
        configure?.Invoke(options);
        var (host, http) = await SandboxFixture.StartAsync(options);
        return (host, http, new BcTestClient(host, http));
    }

    [Fact]
    public async Task Missing_token_is_401_invalid_credentials_with_WWW_Authenticate()
    {
        var (host, http, bc) = await StartAsync();
        await using var _ = host;
        using var __ = http;
        using var response = await http.GetAsync(bc.ApiRoot + "companies");
        var message = await BcTestClient.AssertErrorAsync(response, HttpStatusCode.Unauthorized, "Authentication_InvalidCredentials");
        Assert.StartsWith("The server has rejected the client credentials.", message);
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
    }

    [Fact]
    public async Task Token_expired_on_the_sandbox_clock_is_401_credentials_incorrect()
    {
        var (host, http, bc) = await StartAsync(o => o.Entra.TokenLifetime = TimeSpan.FromMinutes(60));
        await using var _ = host;
        using var __ = http;
        using (var fresh = await bc.SendAsync(HttpMethod.Get, bc.ApiRoot + "companies")) Assert.Equal(HttpStatusCode.OK, fresh.StatusCode);
        host.Clock.Advance(TimeSpan.FromMinutes(61));
        using var response = await bc.SendAsync(HttpMethod.Get, bc.ApiRoot + "companies");
        var message = await BcTestClient.AssertErrorAsync(response, HttpStatusCode.Unauthorized, "Authentication_InvalidCredentials");
        Assert.StartsWith("The credentials provided are incorrect", message);
    }

    [Fact]
    public async Task Token_of_an_app_not_on_the_Entra_Applications_page_is_401()
    {
        var (host, http, bc) = await StartAsync(o => o.Entra.AdditionalApps.Add(new EntraApp("3f6c2b1e-8d4a-4c71-9b0e-5a2d7c9e1f40", "0d9c8b7a-1111-2222-3333-444455556666", "other-secret")));
        await using var _ = host;
        using var __ = http;
        var foreign = await BcTestClient.RequestTokenAsync(host, http, "0d9c8b7a-1111-2222-3333-444455556666", "other-secret");
        using var response = await bc.SendAsync(HttpMethod.Get, bc.ApiRoot + "companies", token: foreign);
        await BcTestClient.AssertErrorAsync(response, HttpStatusCode.Unauthorized, "Authentication_InvalidCredentials");

        using var register = await http.PostAsJsonAsync("admin/bc/settings", new { registeredAppIds = new[] { host.Entra.Options.ClientId, "0d9c8b7a-1111-2222-3333-444455556666" } });
        using var allowed = await bc.SendAsync(HttpMethod.Get, bc.ApiRoot + "companies", token: foreign);
        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
    }

    [Fact]
    public async Task Token_from_a_foreign_tenant_or_not_from_this_Entra_is_401()
    {
        var (host, http, bc) = await StartAsync(o => o.Entra.AdditionalApps.Add(new EntraApp("7e7e7e7e-0000-4000-8000-000000000001", "9a1d4e27-6b3c-4f58-8e02-71c5d3b9a6e4", "s")));
        await using var _ = host;
        using var __ = http;
        var otherTenant = await BcTestClient.RequestTokenAsync(host, http, secret: "s", tenant: "7e7e7e7e-0000-4000-8000-000000000001");
        using var response = await bc.SendAsync(HttpMethod.Get, bc.ApiRoot + "companies", token: otherTenant);
        await BcTestClient.AssertErrorAsync(response, HttpStatusCode.Unauthorized, "Authentication_InvalidCredentials");
        var parts = (await bc.TokenAsync()).Split('.');
        using var forged = await bc.SendAsync(HttpMethod.Get, bc.ApiRoot + "companies", token: parts[0] + "." + parts[1] + ".c2lnbmF0dXJl");
        await BcTestClient.AssertErrorAsync(forged, HttpStatusCode.Unauthorized, "Authentication_InvalidCredentials");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Request_rate_over_the_sliding_window_is_429_with_Retry_After_by_switch(bool retryAfter)
    {
        var (host, http, bc) = await StartAsync(o => { o.BusinessCentral.RequestsPerWindow = 5; o.BusinessCentral.RetryAfterOn429 = retryAfter; });
        await using var _ = host;
        using var __ = http;
        for (var i = 0; i < 5; i++)
            using (var ok = await bc.SendAsync(HttpMethod.Get, bc.ApiRoot + "companies")) Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        using var throttled = await bc.SendAsync(HttpMethod.Get, bc.ApiRoot + "companies");
        await BcTestClient.AssertErrorAsync(throttled, HttpStatusCode.TooManyRequests, host.BusinessCentral.Options.TooManyRequestsCode);
        Assert.Equal(retryAfter, throttled.Headers.RetryAfter is not null);
        Assert.Contains(host.Journal.For(SandboxService.BusinessCentral), e => e.Status == 429 && e.ErrorCode == "Application_TooManyRequests");

        host.Clock.Advance(TimeSpan.FromMinutes(5));
        using var again = await bc.SendAsync(HttpMethod.Get, bc.ApiRoot + "companies");
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
    }

    [Fact]
    public async Task More_concurrent_requests_than_slots_plus_queue_get_429()
    {
        var (host, http, bc) = await StartAsync(o => { o.BusinessCentral.MaxConcurrentRequests = 2; o.BusinessCentral.MaxQueuedRequests = 1; o.BusinessCentral.ProcessingDelay = TimeSpan.FromMilliseconds(400); });
        await using var _ = host;
        using var __ = http;
        await bc.TokenAsync();
        var responses = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => bc.SendAsync(HttpMethod.Get, bc.ApiRoot + "companies")));
        Assert.Equal(3, responses.Count(r => r.StatusCode == HttpStatusCode.OK));
        Assert.Equal(2, responses.Count(r => r.StatusCode == HttpStatusCode.TooManyRequests));
        foreach (var r in responses) r.Dispose();
    }

    [Fact]
    public async Task Injected_503_fault_uses_BC_error_body_and_Retry_After()
    {
        var (host, http, bc) = await StartAsync();
        await using var _ = host;
        using var __ = http;
        host.Faults.Add(new FaultRule { Service = SandboxService.BusinessCentral, PathContains = "/customers", HttpStatus = 503, ErrorCode = "Internal_ServiceUnavailable", RetryAfterSeconds = 7, Times = 1 });
        using var response = await bc.SendAsync(HttpMethod.Get, bc.Company + "customers");
        await BcTestClient.AssertErrorAsync(response, HttpStatusCode.ServiceUnavailable, "Internal_ServiceUnavailable");
        Assert.Equal(TimeSpan.FromSeconds(7), response.Headers.RetryAfter!.Delta);
        using var next = await bc.SendAsync(HttpMethod.Get, bc.Company + "customers");
        Assert.Equal(HttpStatusCode.OK, next.StatusCode);
    }

    [Fact]
    public async Task Journal_records_record_counts_for_BC_reads()
    {
        var (host, http, bc) = await StartAsync();
        await using var _ = host;
        using var __ = http;
        await bc.GetCollectionAsync(bc.Company + "customers", "customer");
        Assert.Contains(host.Journal.For(SandboxService.BusinessCentral), e => e.Path.Contains("/customers") && e.RecordCount == 5 && e.Status == 200);
    }
}
