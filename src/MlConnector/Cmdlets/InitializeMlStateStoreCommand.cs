using System.Management.Automation;
using MlConnector.Engine.State;
using MlConnector.Engine.State.Sqlite;

namespace MlConnector.Cmdlets;

/// <summary>Creates the SQLite state database (or upgrades its schema) at a path.</summary>
[Cmdlet(VerbsData.Initialize, "MlStateStore", SupportsShouldProcess = true)]
[OutputType(typeof(StateStoreInfo))]
public sealed class InitializeMlStateStoreCommand : PSCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("FullName")]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = null!;

    protected override void ProcessRecord()
    {
        var fullPath = SessionState.Path.GetUnresolvedProviderPathFromPSPath(Path);
        if (!ShouldProcess(fullPath, "Create or upgrade the MlConnector state database")) return;
        try
        {
            using var store = SqliteStateStore.Open(fullPath);
            WriteObject(store.Describe());
        }
        catch (StateStoreException ex)
        {
            WriteError(Infrastructure.ErrorRecords.Create(ex, "InitializeMlStateStoreFailed", ErrorCategory.WriteError, fullPath,
                "Check that the folder is writable and the file is not a database of another program, or choose another -Path."));
        }
    }
}
