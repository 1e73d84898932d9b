using System.Management.Automation;
using MlConnector.Engine;
using MlConnector.Engine.State;
using MlConnector.Engine.Sync;
using MlConnector.Infrastructure;

namespace MlConnector.Cmdlets;

/// <summary>
/// Copies sync pairs' state from one store to another — the SQLite database at the console to Azure Table Storage for
/// runbooks, and back — so the first run on the new store sends nothing the old one had sent. All pairs, or those named
/// by -PairId (piped from Get-MlSyncState). A pair the target already holds is replaced only with -Force. Each pair's
/// lease is held in both stores while it is copied, so no run changes it meanwhile.
/// </summary>
[Cmdlet(VerbsCommon.Copy, "MlState", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(StateCopyResult))]
public sealed class CopyMlStateCommand : AsyncCmdlet
{
    private readonly List<string> _pairIds = new();

    /// <summary>The store to copy from: a SQLite file, https://&lt;account&gt;.table.core.windows.net or vault:&lt;vault&gt;/&lt;secret&gt;.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    public string From { get; set; } = "";

    /// <summary>The store to copy to, in the same forms.</summary>
    [Parameter(Mandatory = true, Position = 1)]
    [ValidateNotNullOrEmpty]
    public string To { get; set; } = "";

    /// <summary>The pairs to copy (Get-MlSyncState's PairId); default: every pair of -From.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string[]? PairId { get; set; }

    /// <summary>Replaces the state the target holds for a pair.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>Seconds to wait while a run holds a pair in either store; default 0: report the pair busy at once.</summary>
    [Parameter]
    [ValidateRange(0, 86400)]
    public int LeaseTimeout { get; set; }

    protected override void ProcessRecord()
    {
        if (PairId is not null) _pairIds.AddRange(PairId.Select(p => p.Trim()));
    }

    protected override void EndProcessing()
    {
        var fromReference = StateStoreSelection.Parse(this, From, ErrorIdPrefix);
        var toReference = StateStoreSelection.Parse(this, To, ErrorIdPrefix);
        if (fromReference.Kind == StateStoreKind.Sqlite && !File.Exists(fromReference.Path))
        {
            ThrowTerminatingError(ErrorRecords.Create(new ItemNotFoundException($"No state database at '{fromReference.Path}'."),
                ErrorIdPrefix + "SourceNotFound", ErrorCategory.ObjectNotFound, fromReference.Path, "Pass the state database the syncs used (Get-MlSyncState shows its pairs)."));
        }
        using var from = StateStoreSelection.Open(this, fromReference, ErrorIdPrefix, create: false);
        var pairs = Chosen(from);
        if (from.HasUnclaimedState())
            WriteWarning($"{from.Location} holds state written before sync pairs; it is not copied. Run a sync on it once so that state finds its pair, then copy again.");
        // The target is named, not opened, until a pair is approved: -WhatIf creates no database and no table.
        var target = toReference.IsTable ? toReference.ToString() : Path.GetFullPath(toReference.Path!);
        var approved = pairs.Where(p => ShouldProcess($"sync pair {p.PairId} ({p.BcCompanyName} <-> Marketo {p.Key.MarketoInstance})",
            $"Copy its state from {from.Location} to {target}" + (Force ? ", replacing what the target holds for it" : ""))).ToList();
        if (approved.Count == 0) return;
        using var to = StateStoreSelection.Open(this, toReference, ErrorIdPrefix);

        var progress = new SyncProgressReporter(this);
        var options = SyncLeaseOptions.FromEnvironment(TimeSpan.FromSeconds(LeaseTimeout));
        try
        {
            RunPumped(async cancel =>
            {
                foreach (var pair in approved)
                {
                    try
                    {
                        QueueObject(await StateCopy.CopyPairAsync(from, to, pair, Force, options, TimeProvider.System, EngineLog, progress, cancel).ConfigureAwait(false));
                    }
                    catch (MlConnectorException e)
                    {
                        QueueError(ErrorRecords.From(e, ErrorIdPrefix, pair.PairId));
                    }
                }
            });
        }
        finally
        {
            progress.Complete();
        }
    }

    private List<SyncPair> Chosen(IStateStore from)
    {
        var all = from.Pairs();
        if (_pairIds.Count == 0) return all.ToList();
        foreach (var missing in _pairIds.Distinct(StringComparer.OrdinalIgnoreCase).Where(id => all.All(p => !string.Equals(p.PairId, id, StringComparison.OrdinalIgnoreCase))))
        {
            WriteError(ErrorRecords.Create(new ItemNotFoundException($"{from.Location} holds no sync pair '{missing}'."), ErrorIdPrefix + "PairNotFound",
                ErrorCategory.ObjectNotFound, missing, $"Get-MlSyncState -StateStore '{From}' lists the pairs it holds."));
        }
        return all.Where(p => _pairIds.Contains(p.PairId, StringComparer.OrdinalIgnoreCase)).ToList();
    }
}
