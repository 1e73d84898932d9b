using System.Collections.Concurrent;
using MlConnector.Engine.BusinessCentral;
using MlConnector.Engine.Diagnostics;
using MlConnector.Engine.Security;
using MlConnector.Sandbox;
using MlConnector.Sandbox.Core;

namespace MlConnector.Engine.Tests.BusinessCentral;

/// <summary>A private sandbox plus the settings a BC client needs to reach it, with fast retry delays.</summary>
public sealed class BcSandbox : IAsyncDisposable
{
    private BcSandbox(SandboxHost host) => Host = host;

    public SandboxHost Host { get; }
    public TestLog Log { get; } = new();
    public SecretText Secret => new(Host.Options.Entra.ClientSecret);

    public static async Task<BcSandbox> StartAsync(int customers = 60, Action<SandboxOptions>? configure = null)
    {
        var options = new SandboxOptions { Customers = customers };
        options.Entra.TokenLifetime = TimeSpan.FromMinutes(60);
        configure?.Invoke(options);
        return new BcSandbox(await SandboxHost.StartAsync(options));
    }

    public BusinessCentralSettings Settings(int pageSize = 25, Action<BcRetryOptions>? retry = null)
    {
        var settings = new BusinessCentralSettings
        {
            TenantId = Host.Options.Entra.TenantId,
            ClientId = Host.Options.Entra.ClientId,
            Environment = Host.Options.BusinessCentral.EnvironmentName,
            Company = Host.Options.BusinessCentral.CompanyName,
            BaseUri = Host.HttpBaseUri,
            AuthorityHost = Host.HttpsBaseUri,
            SandboxTlsThumbprint = Host.CertificateSha1Thumbprint,
            PageSize = pageSize,
            Retry = new BcRetryOptions { MaxAttempts = 6, BaseDelay = TimeSpan.FromMilliseconds(5), MaxDelay = TimeSpan.FromSeconds(2), TotalTimeout = TimeSpan.FromSeconds(30) },
        };
        retry?.Invoke(settings.Retry);
        return settings;
    }

    public Task<BusinessCentralClient> ConnectAsync(BusinessCentralSettings? settings = null)
        => BusinessCentralClient.ConnectAsync(settings ?? Settings(), Secret, Log, Host.Clock);

    public IReadOnlyList<JournalEntry> BcCalls(string pathContains)
        => Host.Journal.For(SandboxService.BusinessCentral).Where(e => e.Path.Contains(pathContains, StringComparison.Ordinal)).ToArray();

    public int TokenRequests() => Host.Journal.For(SandboxService.Entra).Count(e => e.Path.Contains("/oauth2/v2.0/token", StringComparison.Ordinal));

    public ValueTask DisposeAsync() => Host.DisposeAsync();

    public static async Task<List<T>> ToListAsync<T>(IAsyncEnumerable<T> items, CancellationToken cancellationToken = default)
    {
        var list = new List<T>();
        await foreach (var item in items.WithCancellation(cancellationToken)) list.Add(item);
        return list;
    }
}

public sealed class TestLog : IEngineLog
{
    public ConcurrentQueue<string> Lines { get; } = new();
    public void Verbose(string message) => Lines.Enqueue("VERBOSE " + message);
    public void Debug(string message) => Lines.Enqueue("DEBUG " + message);
    public void Warning(string code, string message) => Lines.Enqueue($"WARNING {code} {message}");
}
