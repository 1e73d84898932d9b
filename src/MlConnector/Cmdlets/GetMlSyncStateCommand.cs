using System.Management.Automation;
using MlConnector.Engine.State;
using MlConnector.Engine.State.Sqlite;
using MlConnector.Engine.Sync;
using MlConnector.Infrastructure;

namespace MlConnector.Cmdlets;

/// <summary>
/// One row per sync pair in the state database: the BC company and Marketo instance it joins, its company key prefix,
/// where its reads stand, pending and parked jobs, its last run and the run holding it now. Reads only; needs no connection.
/// </summary>
[Cmdlet(VerbsCommon.Get, "MlSyncState")]
[OutputType(typeof(SyncPairStatus))]
public sealed class GetMlSyncStateCommand : PSCmdlet
{
    /// <summary>The SQLite state database; default &lt;home&gt;/state/mlconnector.db.</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("FullName", "Path")]
    [ValidateNotNullOrEmpty]
    public string? StatePath { get; set; }

    protected override void ProcessRecord()
    {
        var path = LocalPaths.StatePath(this, StatePath);
        if (!File.Exists(path))
        {
            WriteVerbose($"No state database at '{path}': no sync has run from this home yet.");
            return;
        }
        try
        {
            using var store = SqliteStateStore.Open(path);
            foreach (var row in SyncPairStatus.Of(store, DateTimeOffset.UtcNow)) WriteObject(row);
        }
        catch (StateStoreException e)
        {
            WriteError(ErrorRecords.From(e, ErrorRecords.PrefixFor(MyInvocation.MyCommand.Name), path));
        }
    }
}
