using MlConnector.Engine.BusinessCentral;
using MlConnector.Engine.Diagnostics;
using MlConnector.Engine.Marketo;
using MlConnector.Engine.Security;
using MlConnector.Engine.State;
using MlConnector.Engine.State.Sqlite;
using MlConnector.Engine.Sync;

namespace MlConnector.SyncRunner;

/// <summary>
/// What a production-path pass runs on: both clients connected to the sandbox (MSAL over HTTPS with the pinned
/// thumbprint, the real quota gate), the SQLite state of --state, and the pair registered in it.
/// </summary>
internal sealed class RunnerSession : IDisposable
{
    private RunnerSession(BusinessCentralClient bc, MarketoClient marketo, SqliteStateStore store, SyncPair pair)
    {
        Bc = bc;
        Marketo = marketo;
        Store = store;
        Pair = pair;
    }

    public BusinessCentralClient Bc { get; }
    public MarketoClient Marketo { get; }
    public SqliteStateStore Store { get; }
    public SyncPair Pair { get; }
    public IPairState State => Store.Pair(Pair.PairId);

    public static async Task<RunnerSession> OpenAsync(SandboxInfo sandbox, RunnerArguments arguments, IEngineLog log, CancellationToken cancellationToken)
    {
        var bc = await BusinessCentralClient.ConnectAsync(sandbox.BusinessCentral(arguments.Int("--bc-page-size", 1000)),
            new SecretText(sandbox["bcClientSecret"]), log, cancellationToken: cancellationToken);
        var marketoSettings = sandbox.Marketo(arguments.Int("--calls-per-20s", 50), arguments.Int("--max-concurrency", 5),
            TimeSpan.FromMilliseconds(arguments.Int("--rate-window-ms", 20000)), arguments.Int("--daily-call-budget", 0) is > 0 and var budget ? budget : null);
        if (arguments.Int("--bulk-poll-ms", 0) is > 0 and var poll) marketoSettings.BulkImportPollInterval = TimeSpan.FromMilliseconds(poll);
        var marketo = await MarketoClient.ConnectAsync(marketoSettings,
            new SecretText(sandbox["marketoClientSecret"]), log, cancellationToken: cancellationToken);
        var store = SqliteStateStore.Open(arguments.Required("--state"));
        var pair = SyncPairs.Register(store, SyncPairs.KeyOf(bc, marketo), bc.Company.Name, null, TimeProvider.System, log);
        return new RunnerSession(bc, marketo, store, pair);
    }

    /// <summary>Runs <paramref name="work"/> holding the pair's lease (waiting up to --lease-timeout seconds for it), then notes the run.</summary>
    public async Task RunLeasedAsync(RunnerArguments arguments, IEngineLog log, Func<CancellationToken, Task> work, CancellationToken cancellationToken)
    {
        var options = SyncLeaseOptions.FromEnvironment(TimeSpan.FromSeconds(arguments.Int("--lease-timeout", 0)));
        await using (var lease = await SyncLease.AcquireAsync(State.Lease, Pair.PairId, options, TimeProvider.System, log, cancellationToken))
            await lease.RunAsync(work, cancellationToken);
        Store.RecordRun(Pair.PairId, DateTimeOffset.UtcNow);
    }

    public void Dispose()
    {
        Store.Dispose();
        Marketo.Dispose();
        Bc.Dispose();
    }
}
