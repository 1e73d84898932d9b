using System.Diagnostics;
using MlConnector.Engine.Audit;
using MlConnector.Engine.Diagnostics;
using MlConnector.Engine.Mapping;
using MlConnector.Engine.State;
using MlConnector.Engine.Sync;
using MlConnector.Engine.Sync.BcToMarketo;

namespace MlConnector.SyncRunner;

/// <summary>One production-path sync pass: MSAL over HTTPS with the pinned thumbprint, the real quota gate, SQLite state.</summary>
internal static class SyncPass
{
    public static async Task<IReadOnlyDictionary<string, object?>> RunAsync(SandboxInfo sandbox, RunnerArguments arguments, CancellationToken cancellationToken)
    {
        var log = new StderrLog();
        var clock = Stopwatch.StartNew();
        using var trace = MemoryTrace.FromEnvironment();
        using var session = await RunnerSession.OpenAsync(sandbox, arguments, log, cancellationToken);
        var (bc, marketo, state) = (session.Bc, session.Marketo, PausingState.Wrap(session.State, arguments));
        var connected = clock.Elapsed;

        var phases = new PhaseClock(clock, trace);
        var context = new SyncContext
        {
            BusinessCentral = bc, Marketo = marketo, State = state, Audit = new AuditLog(arguments.Required("--audit")),
            Log = log, Progress = phases,
        };
        var request = new CustomerSyncRequest
        {
            RefreshFinancials = arguments.Has("--refresh-financials"),
            BulkImportThreshold = arguments.Int("--bulk-import-threshold", 0) is > 0 and var threshold ? threshold : null,
        };
        var counts = Enum.GetValues<SyncAction>().ToDictionary(a => a.ToString(), _ => 0);
        var budgetReached = false;
        await session.RunLeasedAsync(arguments, log, async token =>
        {
            var sync = new CustomerToMarketoSync(context, new BcToMarketoMapper(MappingLoader.Default()));
            await foreach (var result in sync.RunAsync(request, token))
                counts[result.Action.ToString()]++;
            budgetReached = sync.DailyCallBudgetReached;
        }, cancellationToken);

        var summary = new Dictionary<string, object?>(counts.ToDictionary(c => char.ToLowerInvariant(c.Key[0]) + c.Key[1..], c => (object?)c.Value))
        {
            ["marketoCalls"] = marketo.CallCount,
            ["marketoIdentityCalls"] = marketo.IdentityCallCount,
            ["bcCalls"] = bc.CallCount,
            ["connectSeconds"] = Math.Round(connected.TotalSeconds, 3),
            ["planningEndsAt"] = phases.At("Planning", last: true),
            ["firstWriteEndsAt"] = phases.At("Writing", last: false),
            ["lastWriteEndsAt"] = phases.At("Writing", last: true),
            ["lastImportPollAt"] = phases.At("Importing", last: true),
            ["pending"] = state.Queue(SyncDirection.BcToMarketo).Count(QueuedJobStatus.Pending),
            ["parked"] = state.Queue(SyncDirection.BcToMarketo).Count(QueuedJobStatus.Parked),
            ["dailyCallBudgetReached"] = budgetReached,
        };
        return summary;
    }

    /// <summary>When (seconds since start) each phase, by the first word of its progress report, was first and last reported.</summary>
    private sealed class PhaseClock(Stopwatch clock, MemoryTrace? trace) : IProgress<SyncProgress>
    {
        private readonly Dictionary<string, (TimeSpan First, TimeSpan Last)> _phases = new(StringComparer.Ordinal);
        private readonly object _lock = new();

        public void Report(SyncProgress value)
        {
            var phase = value.Phase.Split(' ')[0];
            var now = clock.Elapsed;
            trace?.Phase($"{phase}:{value.Processed}");
            lock (_lock) _phases[phase] = _phases.TryGetValue(phase, out var seen) ? (seen.First, now) : (now, now);
        }

        public double? At(string phase, bool last)
        {
            lock (_lock) return _phases.TryGetValue(phase, out var span) ? Math.Round((last ? span.Last : span.First).TotalSeconds, 3) : null;
        }
    }

    private sealed class StderrLog : IEngineLog
    {
        public void Verbose(string message) { }
        public void Debug(string message) { }
        public void Warning(string code, string message) => Console.Error.WriteLine($"WARNING ({code}): {message}");
    }
}
