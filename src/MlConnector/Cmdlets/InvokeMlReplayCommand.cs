using System.Management.Automation;
using MlConnector.Connections;
using MlConnector.Engine.Sync;
using MlConnector.Infrastructure;

namespace MlConnector.Cmdlets;

/// <summary>
/// Sends parked records again (all, or those whose number matches): records Marketo refused, each planned afresh from its
/// BC record as it is now and the current mapping, so a fixed mapping or fixed data lets them through; and leads Business
/// Central refused (by Marketo lead id), planned again with the mapping's marketoToBc section. -WhatIf lists the parked
/// records that would be replayed, from the state store alone (SQLite in the home, or -StateStore).
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
        // A missing state file holds nothing to replay: read it as empty rather than create it (under -WhatIf too).
        using var store = OpenState(createIfMissing: false);
        var current = Connection ?? DefaultConnection.Current;
        var parked = ParkedQueues.List(store, current, patterns, SyncDirection.BcToMarketo);
        var parkedLeads = ParkedQueues.List(store, current, patterns, SyncDirection.MarketoToBc);
        var count = parked.Count + parkedLeads.Count;
        var target = patterns.Length == 0 ? $"{count} parked record(s)" : $"{count} parked record(s) matching {string.Join(", ", patterns)}";
        var action = parkedLeads.Count == 0
            ? "Plan again from Business Central and the current mapping, and send to Marketo"
            : "Plan again from the current records and mapping, and send to Marketo and to Business Central";
        var go = ShouldProcessRun(target, action, out var whatIf);
        if (whatIf)
        {
            foreach (var record in parked.Concat(parkedLeads)) WriteObject(record);
            return;
        }
        if (!go) return;
        if (count == 0)
        {
            WriteVerbose("No parked record matches: nothing to replay.");
            return;
        }

        // Replay reads each record again (from Business Central, or the lead from Marketo), so it works for the connection's pair.
        var connection = RequireConnection();
        RequireBusinessCentral();
        RequireMarketo();
        var (mapping, reverseMapping) = LoadBothMappings(MappingPath);
        var pair = PairOf(connection);
        var progress = new SyncProgressReporter(this);
        try
        {
            RunForPair(connection, store, pair, whatIf: false, progress, async (context, cancel) =>
            {
                progress.Phase("Replaying parked records");
                var sync = CustomerSync(context, mapping, pair);
                await foreach (var result in sync.ReplayAsync(patterns, cancel).ConfigureAwait(false)) QueueObject(result);
                if (parkedLeads.Count == 0) return;
                var leads = LeadSync(context, mapping, reverseMapping, pair, store);
                await foreach (var result in leads.ReplayAsync(patterns, cancel).ConfigureAwait(false)) QueueObject(result);
            });
        }
        finally
        {
            progress.Complete();
        }
    }
}
