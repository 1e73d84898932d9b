using System.Buffers.Text;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MlConnector.Sandbox.Core;
using MlConnector.Sandbox.Identity;

namespace MlConnector.Sandbox.Tests.Identity;

/// <summary>
/// The Azure Automation managed-identity endpoint as a job sees it: IDENTITY_ENDPOINT checked with the
/// IDENTITY_HEADER value in X-IDENTITY-HEADER, resource as query (GET) or form data (POST), the documented
/// token response and "no managed identity" error. Each test starts its own sandbox (switches are per sandbox).
/// </summary>
public sealed class ManagedIdentityEndpointTests
{
    private const string Storage = "https://storage.azure.com/";

    [Fact]
    public async Task A_GET_as_Automation_documents_it_returns_a_storage_token_for_the_system_identity()
    {
        await using var sandbox = await StartAsync();
        var options = sandbox.Host.ManagedIdentity.Options;
        using var response = await sandbox.Http.SendAsync(Get($"?resource={Storage}", sandbox.Host));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("Bearer", body.GetProperty("token_type").GetString());
        Assert.Equal(Storage, body.GetProperty("resource").GetString());
        Assert.Equal(options.SystemClientId, body.GetProperty("client_id").GetString());
        // expires_on is epoch seconds written as a string.
        var expiresOn = long.Parse(body.GetProperty("expires_on").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal((sandbox.Host.Clock.GetUtcNow() + options.TokenLifetime).ToUnixTimeSeconds(), expiresOn, 5.0);

        var token = body.GetProperty("access_token").GetString()!;
        Assert.NotNull(sandbox.Host.Entra.Tokens.Read(token)); // signed with the sandbox tenant's key
        var claims = Claims(token);
        Assert.Equal("https://storage.azure.com", claims.GetProperty("aud").GetString());
        Assert.Equal($"https://sts.windows.net/{sandbox.Host.Entra.Options.TenantId}/", claims.GetProperty("iss").GetString());
        Assert.Equal(options.SystemPrincipalId, claims.GetProperty("oid").GetString());
        Assert.Equal(options.SystemClientId, claims.GetProperty("appid").GetString());
        Assert.Equal(options.AccountResourceId, claims.GetProperty("xms_mirid").GetString());
        Assert.Equal(expiresOn, claims.GetProperty("exp").GetInt64());
        Assert.Equal(SandboxService.ManagedIdentity, Assert.Single(sandbox.Host.Journal.For(SandboxService.ManagedIdentity)).Service);
    }

    [Fact]
    public async Task A_POST_with_form_data_and_api_version_gets_a_token_for_the_user_assigned_identity_it_names()
    {
        await using var sandbox = await StartAsync();
        var user = new AutomationIdentity("7d2e9a41-3b6c-4f85-a1d0-5e8c2f9b4a63", "c1f5a8e2-6d39-4b07-9e4a-2b7d1c8f5e90",
            "/subscriptions/s/resourcegroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/mlconnector-state");
        sandbox.Host.ManagedIdentity.Options.UserAssigned.Add(user);

        foreach (var (name, value) in new[] { ("client_id", user.ClientId), ("principal_id", user.PrincipalId), ("object_id", user.PrincipalId), ("mi_res_id", user.ResourceId) })
        {
            using var request = Request(HttpMethod.Post, "?api-version=2019-08-01", sandbox.Host);
            request.Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["resource"] = Storage, [name] = value });
            using var response = await sandbox.Http.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var body = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal(user.ClientId, body.GetProperty("client_id").GetString());
            var claims = Claims(body.GetProperty("access_token").GetString()!);
            Assert.Equal(user.PrincipalId, claims.GetProperty("oid").GetString());
            Assert.Equal(user.ResourceId, claims.GetProperty("xms_mirid").GetString());
        }
    }

    [Fact]
    public async Task A_missing_or_wrong_identity_header_gets_no_token_and_a_rotated_header_invalidates_the_old_value()
    {
        await using var sandbox = await StartAsync();
        var query = $"?resource={Storage}&api-version=2019-08-01";

        using var missing = Get(query, sandbox.Host);
        missing.Headers.Remove("X-IDENTITY-HEADER");
        await AssertRejectedAsync(await sandbox.Http.SendAsync(missing), "X-IDENTITY-HEADER");

        using var wrong = Get(query, sandbox.Host);
        wrong.Headers.Remove("X-IDENTITY-HEADER");
        wrong.Headers.Add("X-IDENTITY-HEADER", Guid.NewGuid().ToString());
        await AssertRejectedAsync(await sandbox.Http.SendAsync(wrong), "X-IDENTITY-HEADER");

        var old = sandbox.Host.ManagedIdentity.Options.IdentityHeader;
        using var rotate = await sandbox.Http.PostAsJsonAsync(new Uri(sandbox.Host.AdminUri, "identity/settings"), new { identityHeader = Guid.NewGuid().ToString() });
        rotate.EnsureSuccessStatusCode();
        using var stale = Get(query, sandbox.Host);
        stale.Headers.Remove("X-IDENTITY-HEADER");
        stale.Headers.Add("X-IDENTITY-HEADER", old);
        await AssertRejectedAsync(await sandbox.Http.SendAsync(stale), "X-IDENTITY-HEADER");
        using var current = await sandbox.Http.SendAsync(Get(query, sandbox.Host));
        Assert.Equal(HttpStatusCode.OK, current.StatusCode);
    }

    [Fact]
    public async Task Without_an_enabled_identity_the_answer_is_the_documented_no_managed_identity_error()
    {
        await using var sandbox = await StartAsync();
        using var unknownUser = await sandbox.Http.SendAsync(Get($"?resource={Storage}&client_id={Guid.NewGuid()}", sandbox.Host));
        await AssertRejectedAsync(unknownUser, "No managed identity was found for Automation account mlconnector-automation");

        using var disable = await sandbox.Http.PostAsJsonAsync(new Uri(sandbox.Host.AdminUri, "identity/settings"), new { systemAssigned = false });
        disable.EnsureSuccessStatusCode();
        using var system = await sandbox.Http.SendAsync(Get($"?resource={Storage}", sandbox.Host));
        await AssertRejectedAsync(system, "No managed identity was found for Automation account mlconnector-automation");
    }

    [Theory]
    [InlineData("?api-version=2019-08-01", "resource")]
    [InlineData("?resource=not-a-resource", "resource")]
    [InlineData("?resource=https://storage.azure.com/&api-version=2017-09-01", "api-version")]
    [InlineData("?resource=https://storage.azure.com/&client_id=a&mi_res_id=b", "Only one of")]
    public async Task Malformed_requests_are_refused_with_400_and_a_message(string query, string expected)
    {
        await using var sandbox = await StartAsync();
        await AssertRejectedAsync(await sandbox.Http.SendAsync(Get(query, sandbox.Host)), expected);
    }

    [Fact]
    public async Task The_Metadata_header_is_required_as_documented_unless_the_switch_is_off()
    {
        await using var sandbox = await StartAsync();
        using var withoutMetadata = Get($"?resource={Storage}", sandbox.Host);
        withoutMetadata.Headers.Remove("Metadata");
        await AssertRejectedAsync(await sandbox.Http.SendAsync(withoutMetadata), "metadata");

        sandbox.Host.ManagedIdentity.Options.RequireMetadataHeader = false;
        using var again = Get($"?resource={Storage}", sandbox.Host);
        again.Headers.Remove("Metadata");
        using var response = await sandbox.Http.SendAsync(again);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private static async Task<Sandbox> StartAsync()
    {
        var (host, http) = await SandboxFixture.StartAsync(new SandboxOptions { Customers = 1 });
        return new Sandbox(host, http);
    }

    private static HttpRequestMessage Get(string query, SandboxHost host) => Request(HttpMethod.Get, query, host);

    /// <summary>A request as Automation's documentation writes it: X-IDENTITY-HEADER and Metadata: true.</summary>
    private static HttpRequestMessage Request(HttpMethod method, string query, SandboxHost host)
    {
        var request = new HttpRequestMessage(method, new Uri(host.IdentityEndpoint + query));
        request.Headers.Add("X-IDENTITY-HEADER", host.ManagedIdentity.Options.IdentityHeader);
        request.Headers.Add("Metadata", "True");
        return request;
    }

    private static async Task AssertRejectedAsync(HttpResponseMessage response, string messagePart)
    {
        using (response)
        {
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            var body = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.False(body.TryGetProperty("access_token", out _));
            Assert.Contains(messagePart, body.GetProperty("Message").GetString(), StringComparison.OrdinalIgnoreCase);
        }
    }

    private static JsonElement Claims(string token)
    {
        using var payload = JsonDocument.Parse(Base64Url.DecodeFromChars(token.Split('.')[1]));
        return payload.RootElement.Clone();
    }

    private sealed record Sandbox(SandboxHost Host, HttpClient Http) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            Http.Dispose();
            await Host.DisposeAsync();
        }
    }
}
