using System.Management.Automation;
using MlConnector.Engine.Sync;
using MlConnector.Infrastructure;

namespace MlConnector.Cmdlets;

/// <summary>
/// Lists the records parked in the work queue after their target refused them: why, since when, how many attempts.
/// Reads the state store only (SQLite in the home, or -StateStore; no call to BC or Marketo); connected, only the connection's sync pair.
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
        // A missing store holds nothing parked: read it as empty rather than create it.
        using var store = OpenState(createIfMissing: false);
        if (store.Created)
        {
            WriteVerbose($"No state store at '{store.Location}': no sync has run against it yet, so nothing is parked.");
            return;
        }
        foreach (var record in ParkedQueues.List(store, Connection ?? Connections.DefaultConnection.Current, Patterns, ParkedQueues.DirectionOf(Direction)))
            WriteObject(record);
    }
}
