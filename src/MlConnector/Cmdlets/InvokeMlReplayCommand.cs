using System.Management.Automation;
using MlConnector.Connections;
using MlConnector.Engine.Mapping;
using MlConnector.Engine.State;
using MlConnector.Engine.Sync;
using MlConnector.Infrastructure;
using MlConnector.Output;

namespace MlConnector.Cmdlets;

/// <summary>
/// Re-sends records parked after Marketo refused them (all, or those whose BC number matches); -WhatIf lists the
/// parked jobs that would be replayed, from the local state store only.
/// </summary>
[Cmdlet(VerbsLifecycle.Invoke, "MlReplay", SupportsShouldProcess = true)]
[OutputType(typeof(SyncResult), typeof(ParkedJob))]
public sealed class InvokeMlReplayCommand : SyncCmdlet
{
    private readonly List<string> _patterns = new();

    /// <summary>BC numbers or patterns (SQL LIKE % and _, or PowerShell * and ?); binds from a SourceNumber property.</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("SourceNumber")]
    [ValidateNotNullOrEmpty]
    public string[]? Number { get; set; }

    protected override void ProcessRecord()
    {
        if (Number is not null) _patterns.AddRange(Number.Select(ToPattern));
    }

    protected override void EndProcessing()
    {
        var patterns = _patterns.Distinct(StringComparer.Ordinal).ToArray();
        var connection = Connection ?? DefaultConnection.Current;
        // A missing state file holds nothing to replay: read it as empty rather than create it (under -WhatIf too).
        using var store = OpenState(createIfMissing: false);
        var candidates = Candidates(store, connection);
        var parked = candidates
            .Select(c => (Candidate: c, Jobs: c.State.Queue(SyncDirection.BcToMarketo).Take(QueuedJobStatus.Parked, null, int.MaxValue, patterns)))
            .Where(c => c.Jobs.Count > 0).ToList();
        var count = parked.Sum(p => p.Jobs.Count);
        var target = patterns.Length == 0 ? $"{count} parked record(s)" : $"{count} parked record(s) matching {string.Join(", ", patterns)}";
        var go = ShouldProcessRun(target, "Re-send to Marketo", out var whatIf);
        if (whatIf)
        {
            foreach (var (candidate, jobs) in parked)
            foreach (var job in jobs)
            {
                WriteObject(new ParkedJob
                {
                    PairId = candidate.State.PairId, SourceType = job.SourceType, SourceNumber = job.SourceNumber, TargetType = job.TargetType,
                    Attempts = job.Attempts, LastError = job.LastError, ParkedAt = job.UpdatedAt,
                });
            }
            return;
        }
        if (!go) return;
        if (count == 0)
        {
            WriteVerbose("No parked record matches: nothing to replay.");
            return;
        }

        connection = RequireConnection();
        RequireMarketo();
        if (parked.Count > 1 || parked[0].Candidate.Target is null)
        {
            ThrowTerminatingError(ErrorRecords.Create(new InvalidOperationException(
                    $"The parked records belong to {(parked.Count > 1 ? "more than one sync pair sending to Marketo " + connection.MarketoMunchkinId : "state written before sync pairs")}: " +
                    "connect to the Business Central company whose records to replay (Connect-MlBusinessCentral), then run Invoke-MlReplay again."),
                ErrorIdPrefix + "ReplayNeedsBusinessCentral", ErrorCategory.InvalidOperation, connection.MarketoMunchkinId));
        }
        var progress = new SyncProgressReporter(this);
        try
        {
            RunForPair(connection, store, parked[0].Candidate.Target!, whatIf: false, progress, async (context, cancel) =>
            {
                progress.Phase("Replaying parked records");
                // Replay sends the payloads mapped when the records were parked; the mapping only names the lead key field.
                var sync = CustomerSync(context, MappingLoader.Default(), parked[0].Candidate.Target!);
                await foreach (var result in sync.ReplayAsync(patterns, cancel).ConfigureAwait(false)) QueueObject(result);
            });
        }
        finally
        {
            progress.Complete();
        }
    }

    /// <summary>A pair whose parked records may be replayed; no target for state written before pairs (it needs a BC connection to be adopted).</summary>
    private sealed record Candidate(PairTarget? Target, IPairState State);

    /// <summary>
    /// Connected to both services: the connection's pair. To Marketo only: the pairs that send to it. Not connected (a
    /// -WhatIf listing): every pair. State from before pairs is listed too when no BC connection names its pair.
    /// </summary>
    private static List<Candidate> Candidates(IStateStore store, MlConnection? connection)
    {
        if (connection?.BusinessCentral is not null && connection.Marketo is not null)
        {
            var pair = PairOf(connection);
            return [new Candidate(pair, SyncPairs.Peek(store, pair.Key))];
        }
        var pairs = connection?.Marketo is { } marketo ? SyncPairs.ForMarketo(store, marketo.Client.InstanceId) : store.Pairs();
        var candidates = pairs.Select(p => new Candidate(new PairTarget(p.Key, p.BcCompanyName, p.CompanyKeyPrefix), store.Pair(p.PairId))).ToList();
        if (store.HasUnclaimedState()) candidates.Add(new Candidate(null, store.Pair(SyncPairKey.Unclaimed)));
        return candidates;
    }

    // SQL LIKE wildcards read as the engine's: % as *, _ as ?.
    private static string ToPattern(string pattern) => pattern.Trim().Replace('%', '*').Replace('_', '?');
}
