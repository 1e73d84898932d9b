using System.Buffers.Text;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using MlConnector.Sandbox;

namespace MlConnector.Engine.Tests.Azurite;

/// <summary>
/// How far Azurite (HTTPS, --oauth basic) checks a token from the sandbox's Automation identity endpoint,
/// so docs/sandbox.md stays true: it takes a storage token as a bearer, and refuses one for another
/// audience or past its expiry; it does not check the signature. The credential here is a test's
/// stand-in; the table store's own is tested in TableStoreIdentityTests.
/// </summary>
[Collection(AzuriteOAuthCollection.Name)]
public sealed class AzuriteOAuthTests(AzuriteOAuthFixture fixture) : IAsyncLifetime
{
    private SandboxHost _sandbox = null!;
    private readonly AzuriteServer _azurite = fixture.Server;

    public async Task InitializeAsync() => _sandbox = await SandboxHost.StartAsync(new SandboxOptions { Customers = 1 });

    [Fact]
    public async Task A_storage_token_from_the_identity_endpoint_is_accepted_as_a_bearer_over_HTTPS()
    {
        var credential = new IdentityEndpointCredential(_sandbox);
        var table = Client(credential, "oauth" + Guid.NewGuid().ToString("N")[..8]);
        Assert.Equal(201, (await table.CreateAsync()).GetRawResponse().Status);
        await table.AddEntityAsync(new TableEntity("pair", "checkpoint") { ["Value"] = "v1" });
        Assert.Equal("v1", (await table.GetEntityAsync<TableEntity>("pair", "checkpoint")).Value.GetString("Value"));
        // The SDK asked for the storage scope; the endpoint was asked for the storage resource.
        Assert.Equal("https://storage.azure.com/", Assert.Single(credential.Resources.Distinct()));
    }

    [Fact]
    public async Task A_token_for_another_resource_or_past_its_expiry_is_refused_but_the_signature_is_not_checked()
    {
        var vaultToken = await new IdentityEndpointCredential(_sandbox, resource: "https://vault.azure.net").GetTokenAsync(new TokenRequestContext(["https://storage.azure.com/.default"]), default);
        var wrongAudience = await Assert.ThrowsAsync<RequestFailedException>(() => Client(new FixedCredential(vaultToken.Token), "audience1").CreateAsync());
        Assert.Equal(403, wrongAudience.Status);
        Assert.Contains("audience", wrongAudience.Message, StringComparison.OrdinalIgnoreCase);

        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var expired = Token(now - 7200, now - 3600);
        var stale = await Assert.ThrowsAsync<RequestFailedException>(() => Client(new FixedCredential(expired), "expired1").CreateAsync());
        Assert.Equal(403, stale.Status);
        Assert.Contains("expired", stale.Message, StringComparison.OrdinalIgnoreCase);

        // A well-shaped token with a signature nobody made still passes: Azurite cannot prove who the caller is.
        var valid = Token(now - 60, now + 3600).Split('.');
        var forged = valid[0] + "." + valid[1] + "." + Base64Url.EncodeToString(new byte[256]);
        Assert.Equal(201, (await Client(new FixedCredential(forged), "forged1").CreateAsync()).GetRawResponse().Status);
    }

    private string Token(long notBefore, long expires) => _sandbox.Entra.Tokens.Sign(new Dictionary<string, object>
    {
        ["aud"] = "https://storage.azure.com",
        ["iss"] = $"https://sts.windows.net/{_sandbox.Entra.Options.TenantId}/",
        ["iat"] = notBefore,
        ["nbf"] = notBefore,
        ["exp"] = expires,
        ["oid"] = _sandbox.ManagedIdentity.Options.SystemPrincipalId,
        ["tid"] = _sandbox.Entra.Options.TenantId,
    });

    private TableClient Client(TokenCredential credential, string table)
    {
        var options = new TableClientOptions { Transport = new HttpClientTransport(_azurite.CreateHandler()) };
        options.Retry.MaxRetries = 0;
        return new TableClient(_azurite.TableEndpoint, table, credential, options);
    }

    public async Task DisposeAsync() => await _sandbox.DisposeAsync();

    /// <summary>Asks the sandbox's Automation identity endpoint, as a job would, for the scope's resource (or a fixed one).</summary>
    private sealed class IdentityEndpointCredential(SandboxHost sandbox, string? resource = null) : TokenCredential
    {
        public List<string> Resources { get; } = new();

        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken)
            => GetTokenAsync(requestContext, cancellationToken).AsTask().GetAwaiter().GetResult();

        public override async ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken)
        {
            var asked = resource ?? requestContext.Scopes.Single().Replace("/.default", "/", StringComparison.Ordinal);
            lock (Resources) Resources.Add(asked);
            using var http = new HttpClient();
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(sandbox.IdentityEndpoint + "?api-version=2019-08-01&resource=" + Uri.EscapeDataString(asked)));
            request.Headers.Add("X-IDENTITY-HEADER", sandbox.ManagedIdentity.Options.IdentityHeader);
            request.Headers.Add("Metadata", "true");
            using var response = await http.SendAsync(request, cancellationToken);
            response.EnsureSuccessStatusCode();
            var body = await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
            var expiresOn = DateTimeOffset.FromUnixTimeSeconds(long.Parse(body.GetProperty("expires_on").GetString()!, CultureInfo.InvariantCulture));
            return new AccessToken(body.GetProperty("access_token").GetString()!, expiresOn);
        }
    }

    private sealed class FixedCredential(string token) : TokenCredential
    {
        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken) => new(token, DateTimeOffset.UtcNow.AddHours(1));

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) => new(GetToken(requestContext, cancellationToken));
    }
}
