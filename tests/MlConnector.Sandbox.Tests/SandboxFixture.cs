using System.Net.Http;
using MlConnector.Sandbox;

namespace MlConnector.Sandbox.Tests;

/// <summary>
/// A sandbox started once per test class (IClassFixture). Tests that change switches, faults or the
/// clock should use <see cref="StartAsync"/> for a private sandbox instead, so classes stay independent.
/// </summary>
public sealed class SandboxFixture : IAsyncLifetime
{
    public SandboxHost Host { get; private set; } = null!;

    public HttpClient Http { get; private set; } = null!;

    public Task InitializeAsync() => InitializeAsync(new SandboxOptions { Customers = 40, MarketoLeads = 20 });

    public async Task InitializeAsync(SandboxOptions options)
    {
        Host = await SandboxHost.StartAsync(options);
        Http = CreateClient(Host);
    }

    public static async Task<(SandboxHost Host, HttpClient Http)> StartAsync(SandboxOptions options)
    {
        var host = await SandboxHost.StartAsync(options);
        return (host, CreateClient(host));
    }

    /// <summary>An HttpClient that trusts exactly the sandbox's certificate (pinned by thumbprint).</summary>
    public static HttpClient CreateClient(SandboxHost host)
    {
        var thumbprint = host.CertificateSha1Thumbprint;
        var handler = new HttpClientHandler
        {
            ServerCertificateCustomValidationCallback = (_, cert, _, _) => cert is not null && string.Equals(cert.Thumbprint, thumbprint, StringComparison.OrdinalIgnoreCase),
        };
        return new HttpClient(handler) { BaseAddress = host.HttpBaseUri, Timeout = TimeSpan.FromSeconds(30) };
    }

    public async Task DisposeAsync()
    {
        Http.Dispose();
        await Host.DisposeAsync();
    }
}
