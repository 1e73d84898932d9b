using System.Management.Automation;
using System.Security.Cryptography.X509Certificates;
using MlConnector.Completion;
using MlConnector.Connections;
using MlConnector.Engine.BusinessCentral;
using MlConnector.Engine.Connections;
using MlConnector.Engine.Diagnostics;
using MlConnector.Engine.Sync;
using MlConnector.Infrastructure;

namespace MlConnector.Cmdlets;

/// <summary>
/// Signs in to Entra ID as the app (client secret, or a certificate as Microsoft recommends for app-only access),
/// binds to a BC environment and company, and makes that the connection.
/// </summary>
[Cmdlet(VerbsCommunications.Connect, "MlBusinessCentral", DefaultParameterSetName = VaultSet, SupportsShouldProcess = true)]
[OutputType(typeof(MlConnection))]
public sealed class ConnectMlBusinessCentralCommand : ConnectServiceCmdlet
{
    private const string ClientCertificateSet = "ClientCertificate";
    private const string CertificateThumbprintSet = "CertificateThumbprint";

    [Parameter(Mandatory = true, ParameterSetName = ClientSecretSet)]
    [Parameter(Mandatory = true, ParameterSetName = CredentialSet)]
    [Parameter(Mandatory = true, ParameterSetName = VaultSet)]
    [Parameter(Mandatory = true, ParameterSetName = ClientCertificateSet)]
    [Parameter(Mandatory = true, ParameterSetName = CertificateThumbprintSet)]
    [ValidateNotNullOrEmpty]
    public string TenantId { get; set; } = "";

    [Parameter(Mandatory = true, ParameterSetName = ClientSecretSet)]
    [Parameter(Mandatory = true, ParameterSetName = CredentialSet)]
    [Parameter(Mandatory = true, ParameterSetName = VaultSet)]
    [Parameter(Mandatory = true, ParameterSetName = ClientCertificateSet)]
    [Parameter(Mandatory = true, ParameterSetName = CertificateThumbprintSet)]
    [ValidateNotNullOrEmpty]
    public string Environment { get; set; } = "";

    /// <summary>Company name or id (GUID).</summary>
    [Parameter(Mandatory = true, ParameterSetName = ClientSecretSet)]
    [Parameter(Mandatory = true, ParameterSetName = CredentialSet)]
    [Parameter(Mandatory = true, ParameterSetName = VaultSet)]
    [Parameter(Mandatory = true, ParameterSetName = ClientCertificateSet)]
    [Parameter(Mandatory = true, ParameterSetName = CertificateThumbprintSet)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(CompanyNameCompleter))]
    public string Company { get; set; } = "";

    [Parameter(Mandatory = true, ParameterSetName = ClientSecretSet)]
    [Parameter(Mandatory = true, ParameterSetName = VaultSet)]
    [Parameter(Mandatory = true, ParameterSetName = ClientCertificateSet)]
    [Parameter(Mandatory = true, ParameterSetName = CertificateThumbprintSet)]
    [ValidateNotNullOrEmpty]
    public override string ClientId { get; set; } = "";

    /// <summary>The app's certificate with its private key (Get-AutomationCertificate, Get-Item Cert:\CurrentUser\My\&lt;thumbprint&gt;, a .pfx).</summary>
    [Parameter(Mandatory = true, ParameterSetName = ClientCertificateSet)]
    [ValidateNotNull]
    public X509Certificate2 ClientCertificate { get; set; } = null!;

    /// <summary>The SHA-1 thumbprint of the app's certificate in the current user's store (Cert:\CurrentUser\My).</summary>
    [Parameter(Mandatory = true, ParameterSetName = CertificateThumbprintSet)]
    [ValidateNotNullOrEmpty]
    public string CertificateThumbprint { get; set; } = "";

    [Parameter(ParameterSetName = ClientSecretSet)]
    [Parameter(ParameterSetName = CredentialSet)]
    [Parameter(ParameterSetName = VaultSet)]
    [Parameter(ParameterSetName = ClientCertificateSet)]
    [Parameter(ParameterSetName = CertificateThumbprintSet)]
    public Uri? BaseUri { get; set; }

    /// <summary>Entra host: login.microsoftonline.com (default), .us or login.chinacloudapi.cn; a loopback sandbox needs -SandboxTlsThumbprint.</summary>
    [Parameter(ParameterSetName = ClientSecretSet)]
    [Parameter(ParameterSetName = CredentialSet)]
    [Parameter(ParameterSetName = VaultSet)]
    [Parameter(ParameterSetName = ClientCertificateSet)]
    [Parameter(ParameterSetName = CertificateThumbprintSet)]
    public Uri? AuthorityHost { get; set; }

    /// <summary>The loopback sandbox's own TLS certificate, trusted by thumbprint; refused for any real host.</summary>
    [Parameter(ParameterSetName = ClientSecretSet)]
    [Parameter(ParameterSetName = CredentialSet)]
    [Parameter(ParameterSetName = VaultSet)]
    [Parameter(ParameterSetName = ClientCertificateSet)]
    [Parameter(ParameterSetName = CertificateThumbprintSet)]
    [ValidateNotNullOrEmpty]
    public string? SandboxTlsThumbprint { get; set; }

    [Parameter(ParameterSetName = ClientSecretSet)]
    [Parameter(ParameterSetName = CredentialSet)]
    [Parameter(ParameterSetName = VaultSet)]
    [Parameter(ParameterSetName = ClientCertificateSet)]
    [Parameter(ParameterSetName = CertificateThumbprintSet)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(ProfileNameCompleter))]
    public override string? SaveProfile { get; set; }

    /// <summary>
    /// Put before this company's customer numbers in Marketo (externalCompanyId and the leads' link to their company), so
    /// several BC companies can sync into one Marketo instance. Default: none. Saved with -SaveProfile.
    /// </summary>
    [Parameter(ParameterSetName = ClientSecretSet)]
    [Parameter(ParameterSetName = CredentialSet)]
    [Parameter(ParameterSetName = VaultSet)]
    [Parameter(ParameterSetName = ClientCertificateSet)]
    [Parameter(ParameterSetName = CertificateThumbprintSet)]
    [ValidateLength(1, 20)]
    [ValidatePattern(@"^[^\s,;]+$")]
    public string? CompanyKeyPrefix { get; set; }

    /// <summary>
    /// Which way Invoke-MlSync syncs this company's pair when it is not given -Direction: BcToMarketo (the default),
    /// MarketoToBc or Both. Saved with -SaveProfile, so a runbook's profile can turn the reverse flow on.
    /// </summary>
    [Parameter(ParameterSetName = ClientSecretSet)]
    [Parameter(ParameterSetName = CredentialSet)]
    [Parameter(ParameterSetName = VaultSet)]
    [Parameter(ParameterSetName = ClientCertificateSet)]
    [Parameter(ParameterSetName = CertificateThumbprintSet)]
    [ValidateSet(nameof(PairDirection.BcToMarketo), nameof(PairDirection.MarketoToBc), nameof(PairDirection.Both))]
    public string? SyncDirection { get; set; }

    protected override void EndProcessing()
    {
        BusinessCentralSettings settings;
        BusinessCentralCredential credential;
        if (ParameterSetName == ProfileSet)
        {
            var saved = LoadProfile().BusinessCentral;
            if (saved is null) { ThrowTerminatingError(ProfileIncomplete("BusinessCentral")); return; }
            settings = saved.ToSettings();
            credential = SavedCredential(saved);
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
                SandboxTlsThumbprint = SandboxTlsThumbprint,
                AllowUntrustedEndpoint = AllowUntrustedEndpoint,
                CompanyKeyPrefix = CompanyKeyPrefix,
                SyncDirection = SyncDirection is null ? null : Enum.Parse<PairDirection>(SyncDirection, ignoreCase: true),
            };
            credential = ParameterSetName switch
            {
                ClientCertificateSet => OrTerminate(() => BusinessCentralCredential.FromCertificate(ClientCertificate), ClientCertificate),
                CertificateThumbprintSet => OrTerminate(() => BusinessCentralCredential.FromCurrentUserStore(CertificateThumbprint), CertificateThumbprint),
                _ => BusinessCentralCredential.FromSecret(GivenSecret()),
            };
        }

        BusinessCentralClient? client = null;
        DateTimeOffset? expiresOn = null;
        RunPumped(async cancel =>
        {
            client = await BusinessCentralClient.ConnectAsync(settings, credential, RoutedEngineLog.Instance, null, cancel).ConfigureAwait(false);
            expiresOn = await client.EnsureTokenAsync(cancel).ConfigureAwait(false);
        }, settings.Company);
        if (client is null) return;

        WarnIfProfileCannotFindCertificate(credential);
        SaveProfileIfAsked("BusinessCentral", profile =>
            profile.BusinessCentral = BusinessCentralProfile.From(settings, Vault, SecretName, credential.CertificateThumbprint));
        var session = new BusinessCentralSession(client, settings, credential, ProfileName, DateTimeOffset.Now, expiresOn);
        Install(connection => connection.BusinessCentral = session);
    }

    /// <summary>A profile signs in again with its certificate (by thumbprint, from the store) or its secret (from the vault).</summary>
    private BusinessCentralCredential SavedCredential(BusinessCentralProfile saved)
    {
        if (saved.ClientCertificateThumbprint is { } thumbprint)
            return OrTerminate(() => BusinessCentralCredential.FromCurrentUserStore(thumbprint), thumbprint);
        if (saved.Vault is null || saved.SecretName is null) ThrowTerminatingError(ProfileIncomplete("BusinessCentral"));
        return BusinessCentralCredential.FromSecret(GivenSecret(saved.Vault, saved.SecretName));
    }

    /// <summary>A profile keeps the thumbprint only: say so when the certificate given as an object is not in the store it will be looked up in.</summary>
    private void WarnIfProfileCannotFindCertificate(BusinessCentralCredential credential)
    {
        if (SaveProfile is null || ParameterSetName != ClientCertificateSet || credential.CertificateThumbprint is not { } thumbprint) return;
        if (!BusinessCentralCredential.IsInCurrentUserStore(thumbprint))
            WriteWarning($"Profile '{SaveProfile}' keeps only the certificate's thumbprint ({thumbprint}); Connect-MlBusinessCentral -Profile {SaveProfile} looks it up in Cert:\\CurrentUser\\My, where it is not yet. Import it there with its private key.");
    }
}
