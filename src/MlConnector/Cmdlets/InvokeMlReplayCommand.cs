using System.Management.Automation;
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
        if (Number is not null) _patterns.AddRange(Number.Select(ToLike));
    }

    protected override void EndProcessing()
    {
        var patterns = _patterns.Distinct(StringComparer.Ordinal).ToArray();
        using var state = OpenState();
        var parked = Parked(state, patterns);
        var target = patterns.Length == 0 ? $"{parked.Count} parked record(s)" : $"{parked.Count} parked record(s) matching {string.Join(", ", patterns)}";
        var go = ShouldProcessRun(target, "Re-send to Marketo", out var whatIf);
        if (whatIf)
        {
            foreach (var job in parked)
            {
                WriteObject(new ParkedJob
                {
                    SourceType = job.SourceType, SourceNumber = job.SourceNumber, TargetType = job.TargetType,
                    Attempts = job.Attempts, LastError = job.LastError, ParkedAt = job.UpdatedAt,
                });
            }
            return;
        }
        if (!go) return;
        if (parked.Count == 0)
        {
            WriteVerbose("No parked record matches: nothing to replay.");
            return;
        }

        var connection = RequireConnection();
        RequireMarketo();
        var progress = new SyncProgressReporter(this);
        // Replay sends the payloads mapped when the records were parked; the mapping only names the lead key field.
        var sync = CustomerSync(CreateContext(connection, state, progress), MappingLoader.Default());
        try
        {
            RunSync(async cancel =>
            {
                progress.Phase("Replaying parked records");
                await foreach (var result in sync.ReplayAsync(patterns, cancel).ConfigureAwait(false)) QueueObject(result);
            });
        }
        finally
        {
            progress.Complete();
        }
    }

    private static List<QueuedJob> Parked(SqliteStateStore state, string[] patterns)
    {
        if (patterns.Length == 0) return state.Queue.Take(QueuedJobStatus.Parked, null, int.MaxValue).ToList();
        return patterns.SelectMany(p => state.Queue.Take(QueuedJobStatus.Parked, null, int.MaxValue, p))
            .DistinctBy(j => j.JobId).ToList();
    }

    // PowerShell wildcards read as LIKE wildcards; % and _ pass through.
    private static string ToLike(string pattern) => pattern.Trim().Replace('*', '%').Replace('?', '_');
}
