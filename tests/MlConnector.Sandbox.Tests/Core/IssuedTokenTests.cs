using System.Net.Http.Json;
using System.Text.Json;
using MlConnector.Sandbox.Tests.Marketo;

namespace MlConnector.Sandbox.Tests.Core;

/// <summary>
/// The sandbox keeps every token it issued (Entra JWTs and Marketo access tokens) and shows them through the admin
/// API, so a leak test can look for the exact tokens a client held, not only for their shape.
/// </summary>
public sealed class IssuedTokenTests
{
    [Fact]
    public async Task Every_Entra_token_issued_is_listed_by_value_oldest_first()
    {
        var (host, http) = await SandboxFixture.StartAsync(new SandboxOptions { Customers = 1 });
        await using var _ = host;
        using var __ = http;
        var issued = new List<string>
        {
            await BusinessCentral.BcTestClient.RequestTokenAsync(host, http),
            await BusinessCentral.BcTestClient.RequestTokenAsync(host, http),
        };

        var listed = (await http.GetFromJsonAsync<JsonElement>("admin/entra/tokens")).GetProperty("tokens").EnumerateArray().Select(t => t.GetString()!).ToList();

        Assert.Equal(issued, listed);
        Assert.NotEqual(issued[0], issued[1]);
    }

    [Fact]
    public async Task Every_Marketo_token_minted_is_listed_including_expired_ones()
    {
        var sandbox = await MarketoFixture.StartPrivateAsync();
        try
        {
            var first = await sandbox.Api.AuthenticateAsync();
            Assert.Equal(first, await sandbox.Api.AuthenticateAsync());
            sandbox.Host.Marketo.Tokens.ExpireNow();
            var second = await sandbox.Api.AuthenticateAsync();

            var listed = (await sandbox.Http.GetFromJsonAsync<JsonElement>("admin/marketo/tokens")).GetProperty("tokens").EnumerateArray().Select(t => t.GetString()!).ToList();

            Assert.Equal([first, second], listed);
        }
        finally { await sandbox.StopAsync(); }
    }
}
