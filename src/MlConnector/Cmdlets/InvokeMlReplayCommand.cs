using System.Management.Automation;
using MlConnector.Connections;
using MlConnector.Engine.Sync;
using MlConnector.Infrastructure;

namespace MlConnector.Cmdlets;

/// <summary>
/// Sends records parked after Marketo refused them again (all, or those whose BC number matches), each planned afresh
/// from its BC record as it is now and the current mapping, so a fixed mapping or fixed data lets them through. -WhatIf
/// lists the parked records that would be replayed, from the local state store only.
/// </summary>
[Cmdlet(VerbsLifecycle.Invoke, "MlReplay", SupportsShouldProcess = true)]
[OutputType(typeof(SyncResult), typeof(ParkedRecord))]
public sealed class InvokeMlReplayCommand : ParkedRecordCmdlet
{
    /// <summary>A .json or .psd1 mapping file applied on top of the default map (the one the records are planned with now).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? MappingPath { get; set; }

    protected override void EndProcessing()
    {
        var patterns = Patterns;
        using var store = OpenState();
        var parked = ParkedQueues.List(store, Connection ?? DefaultConnection.Current, patterns, SyncDirection.BcToMarketo);
        var target = patterns.Length == 0 ? $"{parked.Count} parked record(s)" : $"{parked.Count} parked record(s) matching {string.Join(", ", patterns)}";
        var go = ShouldProcessRun(target, "Plan again from Business Central and the current mapping, and send to Marketo", out var whatIf);
        if (whatIf)
        {
            foreach (var record in parked) WriteObject(record);
            return;
        }
        if (!go) return;
        if (parked.Count == 0)
        {
            WriteVerbose("No parked record matches: nothing to replay.");
            return;
        }

        // Replay reads each record from Business Central again, so it works for the connection's pair.
        var connection = RequireConnection();
        RequireBusinessCentral();
        RequireMarketo();
        var mapping = MappingFile.Load(this, MappingPath, ErrorIdPrefix);
        var pair = PairOf(connection);
        var progress = new SyncProgressReporter(this);
        try
        {
            RunForPair(connection, store, pair, whatIf: false, progress, async (context, cancel) =>
            {
                progress.Phase("Replaying parked records");
                var sync = CustomerSync(context, mapping, pair);
                await foreach (var result in sync.ReplayAsync(patterns, cancel).ConfigureAwait(false)) QueueObject(result);
            });
        }
        finally
        {
            progress.Complete();
        }
    }
}
