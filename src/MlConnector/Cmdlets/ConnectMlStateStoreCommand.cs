using System.Management.Automation;
using MlConnector.Completion;
using MlConnector.Connections;
using MlConnector.Engine;
using MlConnector.Engine.Connections;
using MlConnector.Infrastructure;

namespace MlConnector.Cmdlets;

/// <summary>
/// Chooses the state store the sync cmdlets use when given no -StateStore: opens it once (creating its tables or its
/// database when missing) and makes it part of the connection; with -SaveProfile the choice is saved in a profile (the
/// reference only: a path, an endpoint or vault:&lt;vault&gt;/&lt;secret&gt;, never a secret), and -Profile restores it.
/// </summary>
[Cmdlet(VerbsCommunications.Connect, "MlStateStore", DefaultParameterSetName = StoreSet, SupportsShouldProcess = true)]
[OutputType(typeof(MlConnection))]
public sealed class ConnectMlStateStoreCommand : PSCmdlet
{
    private const string StoreSet = "StateStore";
    private const string ProfileSet = "Profile";

    /// <summary>A SQLite file, https://&lt;account&gt;.table.core.windows.net (the Automation managed identity) or vault:&lt;vault&gt;/&lt;secret&gt;.</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = StoreSet)]
    [ValidateNotNullOrEmpty]
    public string StateStore { get; set; } = "";

    /// <summary>Saves the state store in this connection profile (the other parts of the profile are kept).</summary>
    [Parameter(ParameterSetName = StoreSet)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(ProfileNameCompleter))]
    public string? SaveProfile { get; set; }

    /// <summary>Takes the state store a profile names.</summary>
    [Parameter(Mandatory = true, ParameterSetName = ProfileSet)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(ProfileNameCompleter))]
    public string Profile { get; set; } = "";

    /// <summary>Adds the state store to this connection instead of the runspace's default connection.</summary>
    [Parameter]
    [ValidateNotNull]
    public MlConnection? Connection { get; set; }

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    private string ErrorIdPrefix => ErrorRecords.PrefixFor(MyInvocation.MyCommand.Name);

    protected override void EndProcessing()
    {
        var profiles = ConnectionProfileStore.ForCurrentUser();
        var text = ParameterSetName == ProfileSet ? SavedStateStore(profiles) : StateStore;
        var reference = StateStoreSelection.Parse(this, text, ErrorIdPrefix);
        var shown = reference.ToString();
        if (!ShouldProcess(shown, "Open the state store, creating it when missing, and use it for syncs")) return;
        using (var store = StateStoreSelection.Open(this, reference, ErrorIdPrefix))
            WriteVerbose($"State store {store.Location}: {(store.Created ? "created empty" : "opened")}, {store.Pairs().Count} sync pair(s).");
        if (SaveProfile is not null && ShouldProcess(profiles.PathOf(SaveProfile), $"Save the state store to connection profile '{SaveProfile}'"))
        {
            try { profiles.Save(SaveProfile, profile => profile.StateStore = shown); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or MlConnectorException)
            {
                ThrowTerminatingError(ErrorRecords.From(e, ErrorIdPrefix, SaveProfile));
            }
        }
        var connection = DefaultConnection.Update(Connection, c => c.StateStore = shown);
        if (PassThru) WriteObject(connection);
    }

    private string SavedStateStore(ConnectionProfileStore profiles)
    {
        ConnectionProfile profile;
        try { profile = profiles.Get(Profile); }
        catch (MlConnectorException e) { ThrowTerminatingError(ErrorRecords.From(e, ErrorIdPrefix, Profile)); throw; }
        if (profile.StateStore is { Length: > 0 } saved) return saved;
        ThrowTerminatingError(ErrorRecords.Create(new InvalidOperationException($"Connection profile '{Profile}' names no state store."),
            ErrorIdPrefix + "ProfileIncomplete", ErrorCategory.InvalidData, Profile, $"Save one with Connect-MlStateStore <state store> -SaveProfile {Profile}."));
        throw new InvalidOperationException();
    }
}
