using System.Management.Automation;
using MlConnector.Engine.Marketo;
using MlConnector.Engine.Sync;
using MlConnector.Infrastructure;
using MlConnector.Output;

namespace MlConnector.Cmdlets;

/// <summary>
/// Writes Marketo leads into Business Central: piped from Receive-MlMarketoLeads or Import-Csv (a MarketoId or id, and the
/// leads' fields under their REST names). Each lead becomes — or updates, in the fields Marketo owns — a person contact,
/// under the customer its externalCompanyId names or a new customer for its company; new customer numbers go back to
/// Marketo. One SyncResult per Business Central record touched; -WhatIf plans with a field-level diff instead.
/// </summary>
[Cmdlet(VerbsData.Sync, "MlLeadToBusinessCentral", SupportsShouldProcess = true)]
[OutputType(typeof(SyncResult), typeof(SyncPlanRow))]
public sealed class SyncMlLeadToBusinessCentralCommand : SyncCmdlet
{
    private readonly List<MarketoLead> _leads = new();

    /// <summary>Leads: Receive-MlMarketoLeads output, Import-Csv rows or hashtables with a MarketoId (or id) and the lead's fields.</summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true)]
    public PSObject? InputObject { get; set; }

    /// <summary>A .json or .psd1 mapping file; its marketoToBc section maps, owns and qualifies (docs/mapping.md).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? MappingPath { get; set; }

    protected override void ProcessRecord()
    {
        if (InputObject is not null) _leads.Add(MarketoLeadRow.FromObject(InputObject));
    }

    protected override void EndProcessing()
    {
        var connection = RequireConnection();
        RequireBusinessCentral();
        RequireMarketo();
        var (forward, reverse) = LoadBothMappings(MappingPath);
        if (_leads.Count == 0)
        {
            WriteVerbose("No lead was given: nothing to write.");
            return;
        }
        var go = ShouldProcessRun($"Business Central {connection.BusinessCentralCompany} from Marketo {connection.MarketoMunchkinId}",
            $"Create or update customers and contacts for {_leads.Count} lead(s)", out var whatIf);
        if (!go && !whatIf) return;

        using var store = OpenState();
        var pair = PairOf(connection);
        var progress = new SyncProgressReporter(this);
        try
        {
            RunForPair(connection, store, pair, whatIf, progress, async (context, cancel) =>
            {
                var sync = LeadSync(context, forward, reverse, pair, store);
                if (whatIf)
                {
                    await foreach (var row in sync.PlanAsync(_leads, cancel).ConfigureAwait(false)) QueueObject(row);
                    return;
                }
                await foreach (var result in sync.RunAsync(_leads, cancel).ConfigureAwait(false)) QueueObject(result);
            });
        }
        finally
        {
            progress.Complete();
        }
    }
}
