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
    public static async Task<MarketoSandbox> StartPrivateAsync(Action<MarketoOptions>? configure = null, int leads = 0)
    {
        var options = new SandboxOptions { Customers = 5, MarketoLeads = leads };
        options.Marketo.RateLimit = 1_000_000;
        options.Marketo.ShortPageRate = 0;
        configure?.Invoke(options.Marketo);
        var (host, http) = await SandboxFixture.StartAsync(options);
        return new MarketoSandbox(host, http, new MarketoApi(http, host), owned: true);
    }

    /// <summary>This class's shared sandbox in the same shape as a private one; StopAsync leaves it running.</summary>
    public MarketoSandbox AsPrivate() => new(Host, Http, Api, owned: false);

    public async Task DisposeAsync()
    {
        Http.Dispose();
        await Host.DisposeAsync();
    }
}

/// <summary>A sandbox a test uses: private (stopped by StopAsync) or the class's shared one.</summary>
public sealed class MarketoSandbox(SandboxHost host, HttpClient http, MarketoApi api, bool owned)
{
    public SandboxHost Host { get; } = host;
    public HttpClient Http { get; } = http;
    public MarketoApi Api { get; } = api;

    public async Task StopAsync()
    {
        if (!owned) return;
        Http.Dispose();
        await Host.DisposeAsync();
    }
}
