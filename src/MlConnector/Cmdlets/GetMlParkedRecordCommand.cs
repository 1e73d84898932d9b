using System.Management.Automation;
using MlConnector.Engine.Sync;
using MlConnector.Infrastructure;

namespace MlConnector.Cmdlets;

/// <summary>
/// Lists the records parked in the work queue after their target refused them: why, since when, how many attempts.
/// Reads the local state only (no call to BC or Marketo); connected, only the connection's sync pair.
/// </summary>
[Cmdlet(VerbsCommon.Get, "MlParkedRecord")]
[OutputType(typeof(ParkedRecord))]
public sealed class GetMlParkedRecordCommand : ParkedRecordCmdlet
{
    /// <summary>Only the records travelling this way.</summary>
    [Parameter]
    [ValidateSet(nameof(SyncDirection.BcToMarketo), nameof(SyncDirection.MarketoToBc))]
    public string? Direction { get; set; }

    protected override void EndProcessing()
    {
        if (!File.Exists(ResolvedStatePath))
        {
            WriteVerbose($"No state database at '{ResolvedStatePath}': no sync has run from this home yet, so nothing is parked.");
            return;
        }
        using var store = OpenState();
        foreach (var record in ParkedQueues.List(store, Connection ?? Connections.DefaultConnection.Current, Patterns, ParkedQueues.DirectionOf(Direction)))
            WriteObject(record);
    }
}
