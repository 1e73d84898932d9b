using System.Management.Automation;
using MlConnector.Completion;
using MlConnector.Connections;
using MlConnector.Diagnostics;
using MlConnector.Engine;
using MlConnector.Engine.BusinessCentral;
using MlConnector.Engine.Connections;
using MlConnector.Infrastructure;
using MlConnector.Output;

namespace MlConnector.Cmdlets;

/// <summary>
/// Pings the real systems behind a connection (or a saved profile) with fresh sign-ins and emits one result per
/// check, so a CI job can assert (Test-MlConnection).Status -notcontains 'Failed'. Failures are results, not errors.
/// </summary>
[Cmdlet(VerbsDiagnostic.Test, "MlConnection", DefaultParameterSetName = ConnectionSet)]
[OutputType(typeof(MlConnectionCheck))]
public sealed class TestMlConnectionCommand : ConnectedCmdlet
{
    private const string ConnectionSet = "Connection";
    private const string ProfileSet = "Profile";

    /// <summary>Tests a saved profile (secrets from its vault) without connecting the session.</summary>
    [Parameter(Mandatory = true, ParameterSetName = ProfileSet)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(ProfileNameCompleter))]
    public string Profile { get; set; } = "";

    protected override void EndProcessing()
    {
        var (bc, marketo) = ParameterSetName == ProfileSet ? FromProfile() : FromConnection();
        RunPumped(async cancel =>
        {
            if (bc is not null) await new BusinessCentralChecks(bc, EngineLog, QueueObject).RunAsync(cancel).ConfigureAwait(false);
            if (marketo is not null) await new MarketoChecks(marketo, EngineLog, QueueObject).RunAsync(cancel).ConfigureAwait(false);
        });
    }

    private (BusinessCentralTarget?, MarketoTarget?) FromConnection()
    {
        var connection = RequireConnection();
        var bc = connection.BusinessCentral is { } b ? new BusinessCentralTarget(b.Settings, b.Credential, b.ProfileName) : null;
        var marketo = connection.Marketo is { } m ? new MarketoTarget(m.Settings, m.Secret, m.ProfileName) : null;
        return (bc, marketo);
    }

    // Secrets are read here, on the pipeline thread: Get-Secret is a PowerShell command.
    private (BusinessCentralTarget?, MarketoTarget?) FromProfile()
    {
        ConnectionProfile profile;
        try { profile = ConnectionProfileStore.ForCurrentUser().Get(Profile); }
        catch (MlConnectorException e) { ThrowTerminatingError(ErrorRecords.From(e, ErrorIdPrefix, Profile)); throw; }
        var vault = new SecretVault(this, ErrorIdPrefix);
        var bc = profile.BusinessCentral is { } b ? new BusinessCentralTarget(b.ToSettings(), Credential(b, vault), Profile) : null;
        var marketo = profile.Marketo is { } m ? new MarketoTarget(m.ToSettings(), vault.Read(m.Vault, m.SecretName), Profile) : null;
        return (bc, marketo);
    }

    private BusinessCentralCredential Credential(BusinessCentralProfile saved, SecretVault vault)
    {
        try
        {
            if (saved.ClientCertificateThumbprint is { } thumbprint) return BusinessCentralCredential.FromCurrentUserStore(thumbprint);
        }
        catch (MlConnectorException e) { ThrowTerminatingError(ErrorRecords.From(e, ErrorIdPrefix, Profile)); throw; }
        if (saved.Vault is null || saved.SecretName is null)
        {
            ThrowTerminatingError(ErrorRecords.Create(
                new InvalidDataException($"Connection profile '{Profile}' names neither a certificate nor a vault secret for Business Central."),
                ErrorIdPrefix + "ProfileIncomplete", ErrorCategory.InvalidData, Profile, $"Save it again with Connect-MlBusinessCentral ... -SaveProfile {Profile}."));
        }
        return BusinessCentralCredential.FromSecret(vault.Read(saved.Vault!, saved.SecretName!));
    }
}
