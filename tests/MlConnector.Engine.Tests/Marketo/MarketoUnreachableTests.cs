using System.Net;
using System.Net.Sockets;
using MlConnector.Engine.Marketo;
using MlConnector.Engine.Security;

namespace MlConnector.Engine.Tests.Marketo;

/// <summary>A Marketo host that does not resolve or refuses the connection fails at the first attempt, with what to check.</summary>
public sealed class MarketoUnreachableTests
{
    private static MarketoSettings Settings(Uri baseUri) => new()
    {
        MunchkinId = "123-ABC-456",
        ClientId = "client",
        BaseUri = baseUri,
        // The hosts here are deliberately not Marketo's: the test is about what happens once a host is allowed.
        AllowUntrustedEndpoint = true,
        Retry = new MarketoRetryOptions { BaseDelay = TimeSpan.FromMilliseconds(10), MaxDelay = TimeSpan.FromMilliseconds(50) },
    };

    /// <summary>A loopback port nothing listens on: bound, read and released.</summary>
    internal static int ClosedPort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    [Fact]
    public async Task A_host_name_that_does_not_resolve_says_the_instance_was_not_found_without_retrying()
    {
        var log = new CollectingLog();
        var e = await Assert.ThrowsAsync<MlConnectorException>(() =>
            MarketoClient.ConnectAsync(Settings(new Uri("https://123-abc-456.mlconnector-test.invalid/")), new SecretText("secret"), log));
        Assert.Equal("MarketoInstanceNotFound", e.ErrorId);
        Assert.Equal(MlErrorCategory.Connection, e.Category);
        Assert.Contains("instance was not found", e.Message, StringComparison.Ordinal);
        Assert.Contains("123-abc-456.mlconnector-test.invalid", e.Message, StringComparison.Ordinal);
        Assert.Contains("Munchkin", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(log.Lines, l => l.Contains("retry", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task A_refused_connection_fails_at_once_naming_the_host()
    {
        var log = new CollectingLog();
        var port = ClosedPort();
        var e = await Assert.ThrowsAsync<MlConnectorException>(() =>
            MarketoClient.ConnectAsync(Settings(new Uri($"http://127.0.0.1:{port}/")), new SecretText("secret"), log));
        Assert.Equal("MarketoHostRefused", e.ErrorId);
        Assert.Contains($"127.0.0.1:{port}", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(log.Lines, l => l.Contains("retry", StringComparison.OrdinalIgnoreCase));
    }
}
