using System.Globalization;
using MlConnector.Engine.Audit;
using MlConnector.Engine.Diagnostics;
using MlConnector.Engine.Mapping;
using MlConnector.Engine.Sync;
using MlConnector.Engine.Sync.MarketoToBc;

namespace MlConnector.SyncRunner;

/// <summary>One production-path Marketo → BC pass (Invoke-MlSync -Direction MarketoToBc): the change feed from --since into BC.</summary>
internal static class ReversePass
{
    public static async Task<IReadOnlyDictionary<string, object?>> RunAsync(SandboxInfo sandbox, RunnerArguments arguments, CancellationToken cancellationToken)
    {
        var log = NullEngineLog.Instance;
        using var session = await RunnerSession.OpenAsync(sandbox, arguments, log, cancellationToken);
        var (bc, marketo, state) = (session.Bc, session.Marketo, session.State);
        var context = new SyncContext { BusinessCentral = bc, Marketo = marketo, State = state, Audit = new AuditLog(arguments.Required("--audit")), Log = log };
        var (bcBefore, marketoBefore) = (bc.CallCount, marketo.CallCount);
        var mapper = new MarketoToBcMapper(MarketoToBcMapping.Default());
        var forward = new BcToMarketoMapper(MappingLoader.Default());
        var sync = new LeadToBusinessCentralSync(context, mapper, forward);
        var request = new LeadReceiveRequest { Since = DateTimeOffset.Parse(arguments.Required("--since"), CultureInfo.InvariantCulture) };
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        await session.RunLeasedAsync(arguments, log, async token =>
        {
            await foreach (var result in sync.RunAsync(new LeadReceiver(context, mapper, forward).ReceiveAsync(request, token), token))
            {
                var key = result.TargetType + result.Action;
                counts[key] = counts.GetValueOrDefault(key) + 1;
            }
        }, cancellationToken);
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
