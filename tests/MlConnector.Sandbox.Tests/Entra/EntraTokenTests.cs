using System.Buffers.Text;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Identity.Client;
using MlConnector.Sandbox.Core;
using MlConnector.Sandbox.Entra;

namespace MlConnector.Sandbox.Tests.Entra;

/// <summary>The Entra ID client-credentials endpoint over HTTPS, including real MSAL.NET against it.</summary>
public sealed class EntraTokenTests : IClassFixture<SandboxFixture>
{
    private readonly SandboxFixture _sandbox;

    public EntraTokenTests(SandboxFixture sandbox) => _sandbox = sandbox;

    private SandboxHost Host => _sandbox.Host;

    private Uri TokenUri(string? tenant = null) => new(Host.HttpsBaseUri, $"{tenant ?? Host.Entra.Options.TenantId}/oauth2/v2.0/token");

    private Task<HttpResponseMessage> PostAsync(Dictionary<string, string> form, string? tenant = null) => _sandbox.Http.PostAsync(TokenUri(tenant), new FormUrlEncodedContent(form));

    private Dictionary<string, string> ValidForm() => new()
    {
        ["grant_type"] = "client_credentials",
        ["client_id"] = Host.Entra.Options.ClientId,
        ["client_secret"] = Host.Entra.Options.ClientSecret,
        ["scope"] = EntraSimulator.BusinessCentralScope,
        ["client_info"] = "1",
    };

    [Fact]
    public async Task Token_endpoint_over_https_returns_a_Bearer_JWT_with_BC_claims_and_60_to_90_minute_lifetime()
    {
        Assert.Equal("https", TokenUri().Scheme);
        using var response = await PostAsync(ValidForm());
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("Bearer", body.GetProperty("token_type").GetString());
        var expiresIn = body.GetProperty("expires_in").GetInt32();
        Assert.InRange(expiresIn, 3600, 5400);
        Assert.Equal(expiresIn, body.GetProperty("ext_expires_in").GetInt32());

        var parts = body.GetProperty("access_token").GetString()!.Split('.');
        Assert.Equal(3, parts.Length);
        using var header = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[0]));
        Assert.Equal("JWT", header.RootElement.GetProperty("typ").GetString());
        using var payload = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[1]));
        var claims = payload.RootElement;
        Assert.Equal("https://api.businesscentral.dynamics.com", claims.GetProperty("aud").GetString());
        Assert.Equal($"https://sts.windows.net/{Host.Entra.Options.TenantId}/", claims.GetProperty("iss").GetString());
        Assert.Equal(Host.Entra.Options.TenantId, claims.GetProperty("tid").GetString());
        Assert.Equal(Host.Entra.Options.ClientId, claims.GetProperty("appid").GetString());
        Assert.Contains("API.ReadWrite.All", claims.GetProperty("roles").EnumerateArray().Select(r => r.GetString()));
        Assert.Equal(expiresIn, claims.GetProperty("exp").GetInt64() - claims.GetProperty("iat").GetInt64());
        Assert.InRange(claims.GetProperty("iat").GetInt64() - Host.Clock.GetUtcNow().ToUnixTimeSeconds(), -5, 5);
    }

    [Fact]
    public async Task Tenant_may_be_named_by_its_verified_domain_and_credentials_by_basic_auth()
    {
        var form = ValidForm();
        form.Remove("client_secret");
        form.Remove("client_id");
        using var request = new HttpRequestMessage(HttpMethod.Post, TokenUri(Host.Entra.Options.TenantDomain)) { Content = new FormUrlEncodedContent(form) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{Host.Entra.Options.ClientId}:{Uri.EscapeDataString(Host.Entra.Options.ClientSecret)}")));
        using var response = await _sandbox.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    public static TheoryData<string, int, string, int> Errors() => new()
    {
        { "secret", 401, "invalid_client", 7000215 },
        { "app", 400, "unauthorized_client", 700016 },
        { "tenant", 400, "invalid_request", 90002 },
        { "tenant-format", 400, "invalid_request", 900023 },
        { "scope", 400, "invalid_scope", 1002012 },
        { "resource", 400, "invalid_resource", 500011 },
        { "no-secret", 401, "invalid_client", 7000218 },
        { "grant", 400, "unsupported_grant_type", 70003 },
    };

    [Theory]
    [MemberData(nameof(Errors))]
    public async Task Token_errors_have_Entra_body_shape_and_AADSTS_codes(string mistake, int status, string error, int code)
    {
        var form = ValidForm();
        string? tenant = null;
        switch (mistake)
        {
            case "secret": form["client_secret"] = "the-secret-id-not-the-value"; break;
            case "app": form["client_id"] = Guid.NewGuid().ToString(); break;
            case "tenant": tenant = Guid.NewGuid().ToString(); break;
            case "tenant-format": tenant = "not_a_tenant"; break;
            case "scope": form["scope"] = "https://api.businesscentral.dynamics.com/API.ReadWrite.All"; break;
            case "resource": form["scope"] = "https://graph.microsoft.com/.default"; break;
            case "no-secret": form.Remove("client_secret"); break;
            case "grant": form["grant_type"] = "password"; break;
        }
        using var response = await PostAsync(form, tenant);
        Assert.Equal(status, (int)response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(error, body.GetProperty("error").GetString());
        Assert.StartsWith($"AADSTS{code}: ", body.GetProperty("error_description").GetString());
        Assert.Contains("\r\nTrace ID: ", body.GetProperty("error_description").GetString());
        Assert.Equal(code, Assert.Single(body.GetProperty("error_codes").EnumerateArray()).GetInt32());
        Assert.Matches(@"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}Z$", body.GetProperty("timestamp").GetString());
        Assert.True(Guid.TryParse(body.GetProperty("trace_id").GetString(), out _));
        Assert.True(Guid.TryParse(body.GetProperty("correlation_id").GetString(), out _));
    }

    [Fact]
    public async Task Openid_configuration_points_at_the_loopback_token_endpoint()
    {
        var config = await _sandbox.Http.GetFromJsonAsync<JsonElement>(new Uri(Host.HttpsBaseUri, $"{Host.Entra.Options.TenantId}/v2.0/.well-known/openid-configuration"));
        Assert.Equal(TokenUri().ToString(), config.GetProperty("token_endpoint").GetString());
        Assert.Contains(Host.Entra.Options.TenantId, config.GetProperty("issuer").GetString());
        var keys = await _sandbox.Http.GetFromJsonAsync<JsonElement>(config.GetProperty("jwks_uri").GetString());
        Assert.Equal("RSA", keys.GetProperty("keys")[0].GetProperty("kty").GetString());
    }

    [Fact]
    public async Task Real_MSAL_acquires_a_token_and_BC_accepts_it()
    {
        var app = ConfidentialClientApplicationBuilder.Create(Host.Entra.Options.ClientId)
            .WithClientSecret(Host.Entra.Options.ClientSecret)
            .WithAuthority(new Uri(Host.HttpsBaseUri, Host.Entra.Options.TenantId).ToString(), validateAuthority: false)
            .WithInstanceDiscovery(false)
            .WithHttpClientFactory(new PinnedFactory(_sandbox.Http))
            .Build();
        var result = await app.AcquireTokenForClient(new[] { EntraSimulator.BusinessCentralScope }).ExecuteAsync();
        Assert.InRange(result.ExpiresOn - Host.Clock.GetUtcNow(), TimeSpan.FromMinutes(59), TimeSpan.FromMinutes(91));
        var cached = await app.AcquireTokenForClient(new[] { EntraSimulator.BusinessCentralScope }).ExecuteAsync();
        Assert.Equal(TokenSource.Cache, cached.AuthenticationResultMetadata.TokenSource);

        var bc = new BusinessCentral.BcTestClient(Host, _sandbox.Http);
        using var response = await bc.SendAsync(HttpMethod.Get, bc.ApiRoot + "companies", token: result.AccessToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Real_MSAL_surfaces_the_AADSTS_error_for_a_wrong_secret()
    {
        var app = ConfidentialClientApplicationBuilder.Create(Host.Entra.Options.ClientId)
            .WithClientSecret("wrong")
            .WithAuthority(new Uri(Host.HttpsBaseUri, Host.Entra.Options.TenantId).ToString(), validateAuthority: false)
            .WithInstanceDiscovery(false)
            .WithHttpClientFactory(new PinnedFactory(_sandbox.Http))
            .Build();
        var error = await Assert.ThrowsAsync<MsalServiceException>(() => app.AcquireTokenForClient(new[] { EntraSimulator.BusinessCentralScope }).ExecuteAsync());
        Assert.Equal("invalid_client", error.ErrorCode);
        Assert.Contains("AADSTS7000215", error.Message);
    }

    internal sealed class PinnedFactory(HttpClient client) : IMsalHttpClientFactory
    {
        public HttpClient GetHttpClient() => client;
    }
}
