using System.Management.Automation;
using MlConnector.Engine.Sync.MarketoToBc;
using MlConnector.Infrastructure;
using MlConnector.Output;

namespace MlConnector.Cmdlets;

/// <summary>
/// Reads the Marketo leads that changed since the sync pair's watermark — through the lead change feed, or a bulk extract
/// for -Full and a -Since far back — and writes one flat lead object each; the connector's own writes are left out as
/// echoes. The watermark moves once the leads are handed on down the pipeline; -WhatIf reads without moving it.
/// The noun is plural ("Leads") because that is the name users were promised.
/// </summary>
[Cmdlet(VerbsCommunications.Receive, "MlMarketoLeads", SupportsShouldProcess = true)]
[OutputType(typeof(MarketoLeadRow))]
public sealed class ReceiveMlMarketoLeadsCommand : SyncCmdlet
{
    /// <summary>Read changes from this time instead of the watermark. Further back than 7 days: a bulk extract.</summary>
    [Parameter]
    public DateTimeOffset? Since { get; set; }

    /// <summary>Further Marketo lead fields (REST names) to read and write out; the mapping's fields are always read.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[]? Fields { get; set; }

    /// <summary>Import every lead on purpose: a bulk extract from -Since, else from 2006.</summary>
    [Parameter]
    public SwitchParameter Full { get; set; }

    /// <summary>A .json or .psd1 mapping file: its marketoToBc section names the fields read; the rest recognises the connector's own writes.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? MappingPath { get; set; }

    protected override void EndProcessing()
    {
        var connection = RequireConnection();
        RequireBusinessCentral();
        RequireMarketo();
        var (forward, reverse) = LoadBothMappings(MappingPath);
        var from = Full ? "every lead" + (Since is { } start ? $" since {start:u}" : "") : Since is { } since ? $"leads changed since {since:u}" : "leads changed since the last read";
        var go = ShouldProcessRun($"Marketo {connection.MarketoMunchkinId} for Business Central {connection.BusinessCentralCompany}",
            $"Read {from} and move the lead change watermark past them", out var whatIf);
        if (!go && !whatIf) return;

        using var store = OpenState();
        var pair = PairOf(connection);
        var progress = new SyncProgressReporter(this);
        var request = new LeadReceiveRequest { Since = Since, Full = Full, Fields = Fields, AdvanceWatermark = !whatIf };
        try
        {
            RunForPair(connection, store, pair, whatIf, progress, async (context, cancel) =>
            {
                var receiver = LeadReceiver(context, forward, reverse, pair, store);
                await foreach (var step in receiver.ReceiveAsync(request, cancel).ConfigureAwait(false))
                {
                    foreach (var skipped in step.Skipped) QueueVerbose($"Lead {skipped.SourceNumber} skipped: {skipped.Reason}");
                    // Written (and so handed on down the pipeline) before the receiver moves its watermark past them.
                    await OnPipelineAsync(() =>
                    {
                        foreach (var lead in step.Leads) WriteObject(MarketoLeadRow.ToObject(lead));
                        return true;
                    }).ConfigureAwait(false);
                }
                if (receiver.Echoes > 0) QueueVerbose($"{receiver.Echoes} change(s) were the connector's own writes (echoes) and were left out.");
            });
        }
        finally
        {
            progress.Complete();
        }
    }
}
