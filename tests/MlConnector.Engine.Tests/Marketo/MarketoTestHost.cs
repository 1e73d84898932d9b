using System.Collections.Concurrent;
using MlConnector.Engine.Diagnostics;
using MlConnector.Engine.Marketo;
using MlConnector.Engine.Security;
using MlConnector.Sandbox;
using MlConnector.Sandbox.Core;

namespace MlConnector.Engine.Tests.Marketo;

/// <summary>A private sandbox plus a client connected to it; tests shape both through the callbacks.</summary>
public sealed class MarketoTestHost : IAsyncDisposable
{
    private MarketoTestHost(SandboxHost sandbox, MarketoClient client, CollectingLog log)
    {
        Sandbox = sandbox;
        Client = client;
        Log = log;
    }

    public SandboxHost Sandbox { get; }
    public MarketoClient Client { get; }
    public CollectingLog Log { get; }

    public IReadOnlyList<JournalEntry> Rest => Sandbox.Journal.For(SandboxService.Marketo);
    public IReadOnlyList<JournalEntry> Identity => Sandbox.Journal.For(SandboxService.MarketoIdentity);

    internal static async Task<MarketoTestHost> StartAsync(Action<SandboxOptions>? sandbox = null, Action<MarketoSettings>? settings = null)
    {
        var options = new SandboxOptions { Customers = 0 };
        sandbox?.Invoke(options);
        var host = await SandboxHost.StartAsync(options);
        try
        {
            var log = new CollectingLog();
            var client = await MarketoClient.ConnectAsync(SettingsFor(host, settings), new SecretText(host.Marketo.Options.ClientSecret), log, host.Clock);
            return new MarketoTestHost(host, client, log);
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }
    }

    /// <summary>Settings for <paramref name="host"/> with fast retries (tests must not wait for production back-offs).</summary>
    internal static MarketoSettings SettingsFor(SandboxHost host, Action<MarketoSettings>? configure = null)
    {
        var settings = new MarketoSettings
        {
            MunchkinId = host.Marketo.Options.MunchkinId,
            ClientId = host.Marketo.Options.ClientId,
            BaseUri = host.HttpBaseUri,
            Retry = new MarketoRetryOptions
            {
                BaseDelay = TimeSpan.FromMilliseconds(10),
                MaxDelay = TimeSpan.FromMilliseconds(100),
                ConcurrencyBackoff = TimeSpan.FromMilliseconds(50),
                AttemptTimeout = TimeSpan.FromSeconds(10),
                MaxTotalTime = TimeSpan.FromSeconds(20),
            },
        };
        configure?.Invoke(settings);
        return settings;
    }

    public static IReadOnlyList<IReadOnlyDictionary<string, object?>> Leads(int count, string prefix = "lead")
        => Enumerable.Range(0, count).Select(i => (IReadOnlyDictionary<string, object?>)new Dictionary<string, object?>
        {
            ["email"] = $"{prefix}.{i}@example.test",
            ["firstName"] = "First" + i,
            ["lastName"] = "Last" + i,
        }).ToArray();

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Sandbox.DisposeAsync();
    }
}

public sealed class CollectingLog : IEngineLog
{
    public ConcurrentQueue<string> Lines { get; } = new();

    public void Verbose(string message) => Lines.Enqueue("VERBOSE: " + message);

    public void Debug(string message) => Lines.Enqueue("DEBUG: " + message);

    public void Warning(string code, string message) => Lines.Enqueue($"WARNING: {code}: {message}");
}
