using MlConnector.Sandbox.Marketo;

namespace MlConnector.Sandbox.Tests.Marketo;

/// <summary>A private sandbox per test class with a rate limit high enough that unrelated tests never meet 606.</summary>
public sealed class MarketoFixture : IAsyncLifetime
{
    public SandboxHost Host { get; private set; } = null!;
    public HttpClient Http { get; private set; } = null!;
    public MarketoApi Api { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var options = new SandboxOptions { Customers = 10, MarketoLeads = 20 };
        options.Marketo.RateLimit = 1_000_000;
        options.Marketo.ShortPageRate = 0;
        (Host, Http) = await SandboxFixture.StartAsync(options);
        Api = new MarketoApi(Http, Host);
    }

    /// <summary>A fresh sandbox for tests that change switches, limits, faults or the clock.</summary>
    public static async Task<(SandboxHost Host, HttpClient Http, MarketoApi Api)> StartPrivateAsync(Action<MarketoOptions>? configure = null, int leads = 0)
    {
        var options = new SandboxOptions { Customers = 5, MarketoLeads = leads };
        options.Marketo.RateLimit = 1_000_000;
        options.Marketo.ShortPageRate = 0;
        configure?.Invoke(options.Marketo);
        var (host, http) = await SandboxFixture.StartAsync(options);
        return (host, http, new MarketoApi(http, host));
    }

    public async Task DisposeAsync()
    {
        Http.Dispose();
        await Host.DisposeAsync();
    }
}

/// <summary>Disposes a private sandbox.</summary>
public static class PrivateSandbox
{
    public static async Task StopAsync(this (SandboxHost Host, HttpClient Http, MarketoApi Api) sandbox)
    {
        sandbox.Http.Dispose();
        await sandbox.Host.DisposeAsync();
    }
}
