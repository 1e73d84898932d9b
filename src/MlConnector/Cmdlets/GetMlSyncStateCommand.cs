using System.Management.Automation;
using MlConnector.Connections;
using MlConnector.Engine;
using MlConnector.Engine.State;
using MlConnector.Engine.Sync;
using MlConnector.Infrastructure;

namespace MlConnector.Cmdlets;

/// <summary>
/// One row per sync pair in a state store: the BC company and Marketo instance it joins, its company key prefix, where
/// its reads stand, pending and parked jobs, its last run and the run holding it now. Reads only; needs no connection.
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

    /// <summary>Any state store: a SQLite file, https://&lt;account&gt;.table.core.windows.net (managed identity) or vault:&lt;vault&gt;/&lt;secret&gt;.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? StateStore { get; set; }

    private string ErrorIdPrefix => ErrorRecords.PrefixFor(MyInvocation.MyCommand.Name);

    protected override void ProcessRecord()
    {
        var reference = StateStoreSelection.Resolve(this, StateStore, StatePath, DefaultConnection.Current, ErrorIdPrefix);
        if (reference.Kind == StateStoreKind.Sqlite && !File.Exists(reference.Path))
        {
            WriteVerbose($"No state database at '{reference.Path}': no sync has run from this home yet.");
            return;
        }
        try
        {
            using var store = StateStoreSelection.OpenOrThrow(this, reference, ErrorIdPrefix, create: false);
            foreach (var row in SyncPairStatus.Of(store, DateTimeOffset.UtcNow)) WriteObject(row);
        }
        catch (Exception e) when (e is MlConnectorException or ArgumentException)
        {
            WriteError(StateStoreSelection.ErrorFor(e, reference, ErrorIdPrefix));
        }
    }
}
