using System.Management.Automation;
using System.Net;
using System.Security;
using MlConnector.Completion;
using MlConnector.Connections;
using MlConnector.Engine;
using MlConnector.Engine.Connections;
using MlConnector.Engine.Security;

namespace MlConnector.Infrastructure;

/// <summary>
/// What Connect-MlBusinessCentral and Connect-MlMarketo share: where the secret comes from (-ClientSecret,
/// -Credential, -Vault/-SecretName or a saved -Profile), saving a profile, and installing the new connection.
/// </summary>
public abstract class ConnectServiceCmdlet : AsyncCmdlet
{
    protected const string ClientSecretSet = "ClientSecret";
    protected const string CredentialSet = "Credential";
    protected const string VaultSet = "Vault";
    protected const string ProfileSet = "Profile";

    /// <summary>
    /// The app's client id (with -Credential, the credential's user name is the client id). Declared by each cmdlet,
    /// with the parameter sets that cmdlet has (Connect-MlBusinessCentral adds certificate sign-in).
    /// </summary>
    public abstract string ClientId { get; set; }

    [Parameter(Mandatory = true, ParameterSetName = ClientSecretSet)]
    [ValidateNotNull]
    public SecureString ClientSecret { get; set; } = null!;

    /// <summary>User name = client id, password = client secret (e.g. an Azure Automation credential asset).</summary>
    [Parameter(Mandatory = true, ParameterSetName = CredentialSet)]
    [Credential]
    [ValidateNotNull]
    public PSCredential Credential { get; set; } = null!;

    /// <summary>SecretManagement vault: where the secret is read from, or (with -ClientSecret/-Credential) stored.</summary>
    [Parameter(Mandatory = true, ParameterSetName = VaultSet)]
    [Parameter(ParameterSetName = ClientSecretSet)]
    [Parameter(ParameterSetName = CredentialSet)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(VaultNameCompleter))]
    public string? Vault { get; set; }

    [Parameter(Mandatory = true, ParameterSetName = VaultSet)]
    [Parameter(ParameterSetName = ClientSecretSet)]
    [Parameter(ParameterSetName = CredentialSet)]
    [ValidateNotNullOrEmpty]
    public string? SecretName { get; set; }

    /// <summary>Saves the settings (never a secret or key) under this profile name; a secret needs -Vault and -SecretName. Declared by each cmdlet.</summary>
    public abstract string? SaveProfile { get; set; }

    /// <summary>
    /// Lets the endpoints be hosts the vendors do not document, which then receive the secret and the token. Saved
    /// with -SaveProfile; a warning is written on every connect that relies on it.
    /// </summary>
    [Parameter(ParameterSetName = ClientSecretSet)]
    [Parameter(ParameterSetName = CredentialSet)]
    [Parameter(ParameterSetName = VaultSet)]
    public SwitchParameter AllowUntrustedEndpoint { get; set; }

    /// <summary>Reconnects from a saved profile; the secret is read from the profile's vault.</summary>
    [Parameter(Mandatory = true, ParameterSetName = ProfileSet)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(ProfileNameCompleter))]
    public string Profile { get; set; } = "";

    /// <summary>Adds the service to this connection instead of the runspace's default connection.</summary>
    [Parameter]
    [ValidateNotNull]
    public MlConnection? Connection { get; set; }

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    private protected ConnectionProfileStore Profiles { get; } = ConnectionProfileStore.ForCurrentUser();

    private protected SecretVault Vaults => new(this, ErrorIdPrefix);

    private protected string? ProfileName => ParameterSetName == ProfileSet ? Profile : SaveProfile;

    /// <summary>The client id from -ClientId or the credential's user name.</summary>
    private protected string GivenClientId => ParameterSetName == CredentialSet ? Credential.UserName : ClientId;

    /// <summary>Whether this call signs in with a secret (a profile saved from it then needs a vault).</summary>
    private bool UsesSecret => ParameterSetName is ClientSecretSet or CredentialSet or VaultSet;

    /// <summary>Checks what must hold before any network call (saving a secret needs a vault and SecretManagement).</summary>
    private protected void CheckPreconditions()
    {
        if (SaveProfile is null || !UsesSecret) return;
        if (Vault is null || SecretName is null)
        {
            ThrowTerminatingError(ErrorRecords.Create(
                new ArgumentException("-SaveProfile keeps the secret in a SecretManagement vault: add -Vault <name> -SecretName <name>."),
                ErrorIdPrefix + "SaveProfileNeedsVault", ErrorCategory.InvalidArgument, SaveProfile,
                "Add -Vault <name> -SecretName <name> (Get-SecretVault lists the vaults)."));
        }
        Vaults.RequireAvailable();
    }

    /// <summary>The secret from the parameters or the vault (the profile's vault is resolved by the caller).</summary>
    private protected SecretText GivenSecret(string? profileVault = null, string? profileSecretName = null)
    {
        return ParameterSetName switch
        {
            ClientSecretSet => new SecretText(new NetworkCredential(string.Empty, ClientSecret).Password),
            CredentialSet => new SecretText(Credential.GetNetworkCredential().Password),
            VaultSet => Vaults.Read(Vault!, SecretName!),
            _ => Vaults.Read(profileVault!, profileSecretName!),
        };
    }

    /// <summary>With -SaveProfile: stores a secret that came as a parameter in the vault, then the profile file.</summary>
    private protected void SaveProfileIfAsked(string service, Action<ConnectionProfile> update)
    {
        if (SaveProfile is null) return;
        var given = ParameterSetName switch
        {
            ClientSecretSet => ClientSecret,
            CredentialSet => Credential.Password,
            _ => null,
        };
        if (given is not null && ShouldProcess($"secret '{SecretName}' in vault '{Vault}'", $"Store the {service} client secret with Set-Secret"))
            Vaults.Store(Vault!, SecretName!, given);
        var path = Profiles.PathOf(SaveProfile);
        if (ShouldProcess(path, $"Save the {service} settings to connection profile '{SaveProfile}'"))
        {
            try { Profiles.Save(SaveProfile, update); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                ThrowTerminatingError(ErrorRecords.Create(e, ErrorIdPrefix + "ProfileNotSaved", ErrorCategory.WriteError, path,
                    "Make the MlConnector home folder writable, or point $env:MLCONNECTOR_HOME at a folder you can write."));
            }
        }
    }

    /// <summary>The state store of the profile this call connects from, if it names one (the connection takes it on).</summary>
    private string? _profileStateStore;

    /// <summary>Loads a saved profile or ends with a terminating error.</summary>
    private protected ConnectionProfile LoadProfile()
    {
        try
        {
            var profile = Profiles.Get(Profile);
            _profileStateStore = profile.StateStore;
            return profile;
        }
        catch (MlConnectorException e) { ThrowTerminatingError(ErrorRecords.From(e, ErrorIdPrefix, Profile)); throw; }
    }

    /// <summary>Puts the updated connection in place: into -Connection, or as a new default for this runspace.</summary>
    private protected void Install(Action<MlConnection> update)
    {
        if (_profileStateStore is { } stateStore) update += connection => connection.StateStore = stateStore;
        var connection = DefaultConnection.Update(Connection, update);
        if (PassThru) WriteObject(connection);
    }

    private protected ErrorRecord ProfileIncomplete(string service) => ErrorRecords.Create(
        new InvalidOperationException($"Connection profile '{Profile}' has no {service} part. Save one with Connect-Ml{service} ... -SaveProfile {Profile}."),
        ErrorIdPrefix + "ProfileIncomplete", ErrorCategory.InvalidData, Profile, $"Connect once with Connect-Ml{service} ... -SaveProfile {Profile}.");

    /// <summary>Runs <paramref name="make"/>; an engine refusal (a missing certificate, an unusable one) ends the cmdlet with its error.</summary>
    private protected T OrTerminate<T>(Func<T> make, object? target)
    {
        try { return make(); }
        catch (MlConnectorException e) { ThrowTerminatingError(ErrorRecords.From(e, ErrorIdPrefix, target)); throw; }
    }
}
