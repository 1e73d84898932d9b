using System.Management.Automation;
using MlConnector.Connections;
using MlConnector.Engine.BusinessCentral;
using MlConnector.Engine.Security;
using MlConnector.Infrastructure;

namespace MlConnector.Cmdlets;

/// <summary>Signs in to Entra ID as the app, binds to a BC environment and company, and makes that the connection.</summary>
[Cmdlet(VerbsCommunications.Connect, "MlBusinessCentral", DefaultParameterSetName = VaultSet, SupportsShouldProcess = true)]
[OutputType(typeof(MlConnection))]
public sealed class ConnectMlBusinessCentralCommand : ConnectServiceCmdlet
{
    [Parameter(Mandatory = true, ParameterSetName = ClientSecretSet)]
    [Parameter(Mandatory = true, ParameterSetName = CredentialSet)]
    [Parameter(Mandatory = true, ParameterSetName = VaultSet)]
    [ValidateNotNullOrEmpty]
    public string TenantId { get; set; } = "";

    [Parameter(Mandatory = true, ParameterSetName = ClientSecretSet)]
    [Parameter(Mandatory = true, ParameterSetName = CredentialSet)]
    [Parameter(Mandatory = true, ParameterSetName = VaultSet)]
    [ValidateNotNullOrEmpty]
    public string Environment { get; set; } = "";

    /// <summary>Company name or id (GUID).</summary>
    [Parameter(Mandatory = true, ParameterSetName = ClientSecretSet)]
    [Parameter(Mandatory = true, ParameterSetName = CredentialSet)]
    [Parameter(Mandatory = true, ParameterSetName = VaultSet)]
    [ValidateNotNullOrEmpty]
    public string Company { get; set; } = "";

    [Parameter(ParameterSetName = ClientSecretSet)]
    [Parameter(ParameterSetName = CredentialSet)]
    [Parameter(ParameterSetName = VaultSet)]
    public Uri? BaseUri { get; set; }

    /// <summary>Entra host; anything but login.microsoftonline.com must be a loopback sandbox with -CertificateThumbprint.</summary>
    [Parameter(ParameterSetName = ClientSecretSet)]
    [Parameter(ParameterSetName = CredentialSet)]
    [Parameter(ParameterSetName = VaultSet)]
    public Uri? AuthorityHost { get; set; }

    [Parameter(ParameterSetName = ClientSecretSet)]
    [Parameter(ParameterSetName = CredentialSet)]
    [Parameter(ParameterSetName = VaultSet)]
    [ValidateNotNullOrEmpty]
    public string? CertificateThumbprint { get; set; }

    /// <summary>
    /// Put before this company's customer numbers in Marketo (externalCompanyId and the leads' link to their company), so
    /// several BC companies can sync into one Marketo instance. Default: none. Saved with -SaveProfile.
    /// </summary>
    [Parameter(ParameterSetName = ClientSecretSet)]
    [Parameter(ParameterSetName = CredentialSet)]
    [Parameter(ParameterSetName = VaultSet)]
    [ValidateLength(1, 20)]
    [ValidatePattern(@"^[^\s,;]+$")]
    public string? CompanyKeyPrefix { get; set; }

    protected override void EndProcessing()
    {
        BusinessCentralSettings settings;
        SecretText secret;
        if (ParameterSetName == ProfileSet)
        {
            var saved = LoadProfile().BusinessCentral;
            if (saved is null) { ThrowTerminatingError(ProfileIncomplete("BusinessCentral")); return; }
            settings = ProfileSettings.ToSettings(saved);
            secret = GivenSecret(saved.Vault, saved.SecretName);
        }
        else
        {
            CheckPreconditions();
            settings = new BusinessCentralSettings
            {
                TenantId = TenantId,
                ClientId = GivenClientId,
                Environment = Environment,
                Company = Company,
                BaseUri = BaseUri ?? BusinessCentralSettings.DefaultBaseUri,
                AuthorityHost = AuthorityHost ?? BusinessCentralSettings.DefaultAuthorityHost,
                CertificateThumbprint = CertificateThumbprint,
                CompanyKeyPrefix = CompanyKeyPrefix,
            };
            secret = GivenSecret();
        }

        BusinessCentralClient? client = null;
        DateTimeOffset? expiresOn = null;
        RunPumped(async cancel =>
        {
            client = await BusinessCentralClient.ConnectAsync(settings, secret, EngineLog, null, cancel).ConfigureAwait(false);
            expiresOn = await client.EnsureTokenAsync(cancel).ConfigureAwait(false);
        }, settings.Company);
        if (client is null) return;

        SaveProfileIfAsked("BusinessCentral", profile => profile.BusinessCentral = ProfileSettings.ToProfile(settings, Vault!, SecretName!));
        var session = new BusinessCentralSession(client, settings, secret, ProfileName, DateTimeOffset.Now, expiresOn);
        Install(connection => connection.BusinessCentral = session);
    }
}
