using System.Globalization;
using MlConnector.Engine.Audit;
using MlConnector.Engine.BusinessCentral;
using MlConnector.Engine.Diagnostics;
using MlConnector.Engine.Mapping;
using MlConnector.Engine.Marketo;
using MlConnector.Engine.Security;
using MlConnector.Engine.State.Sqlite;
using MlConnector.Engine.Sync;
using MlConnector.Engine.Sync.MarketoToBc;

namespace MlConnector.SyncRunner;

/// <summary>One production-path Marketo → BC pass (Invoke-MlSync -Direction MarketoToBc): the change feed from --since into BC.</summary>
internal static class ReversePass
{
    public static async Task<IReadOnlyDictionary<string, object?>> RunAsync(SandboxInfo sandbox, RunnerArguments arguments, CancellationToken cancellationToken)
    {
        var log = NullEngineLog.Instance;
        using var bc = await BusinessCentralClient.ConnectAsync(sandbox.BusinessCentral(arguments.Int("--bc-page-size", 1000)),
            new SecretText(sandbox["bcClientSecret"]), log, cancellationToken: cancellationToken);
        using var marketo = await MarketoClient.ConnectAsync(sandbox.Marketo(arguments.Int("--calls-per-20s", 50), arguments.Int("--max-concurrency", 5)),
            new SecretText(sandbox["marketoClientSecret"]), log, cancellationToken: cancellationToken);
        using var store = SqliteStateStore.Open(arguments.Required("--state"));
        var pair = SyncPairs.Register(store, SyncPairs.KeyOf(bc, marketo), bc.Company.Name, null, TimeProvider.System, log);
        var state = store.Pair(pair.PairId);
        var context = new SyncContext { BusinessCentral = bc, Marketo = marketo, State = state, Audit = new AuditLog(arguments.Required("--audit")), Log = log };
        var (bcBefore, marketoBefore) = (bc.CallCount, marketo.CallCount);
        var mapper = new MarketoToBcMapper(MarketoToBcMapping.Default());
        var forward = new BcToMarketoMapper(MappingLoader.Default());
        var sync = new LeadToBusinessCentralSync(context, mapper, forward);
        var request = new LeadReceiveRequest { Since = DateTimeOffset.Parse(arguments.Required("--since"), CultureInfo.InvariantCulture) };
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        await using (var lease = await SyncLease.AcquireAsync(state.Lease, pair.PairId, SyncLeaseOptions.FromEnvironment(TimeSpan.Zero), TimeProvider.System, log, cancellationToken))
        {
            await lease.RunAsync(async token =>
            {
                await foreach (var result in sync.RunAsync(new LeadReceiver(context, mapper, forward).ReceiveAsync(request, token), token))
                {
                    var key = result.TargetType + result.Action;
                    counts[key] = counts.GetValueOrDefault(key) + 1;
                }
            }, cancellationToken);
        }
        store.RecordRun(pair.PairId, DateTimeOffset.UtcNow);
        return new Dictionary<string, object?>(counts.ToDictionary(c => char.ToLowerInvariant(c.Key[0]) + c.Key[1..], c => (object?)c.Value))
        {
            ["mode"] = "reverse",
            ["bcCalls"] = bc.CallCount - bcBefore,
            ["bcWriteCalls"] = sync.BcWriteCalls,
            ["bcWriteOperations"] = sync.BcWriteOperations,
            ["marketoCalls"] = marketo.CallCount - marketoBefore,
            ["parked"] = state.Queue(SyncDirection.MarketoToBc).Count(Engine.State.QueuedJobStatus.Parked),
        };
    }
}
