using System.Management.Automation;
using MlConnector.Completion;
using MlConnector.Connections;
using MlConnector.Engine.Connections;
using MlConnector.Engine.Diagnostics;
using MlConnector.Engine.Marketo;
using MlConnector.Engine.Security;
using MlConnector.Infrastructure;

namespace MlConnector.Cmdlets;

/// <summary>Gets a Marketo access token for the custom service and makes that the connection.</summary>
[Cmdlet(VerbsCommunications.Connect, "MlMarketo", DefaultParameterSetName = VaultSet, SupportsShouldProcess = true)]
[OutputType(typeof(MlConnection))]
public sealed class ConnectMlMarketoCommand : ConnectServiceCmdlet
{
    [Parameter(Mandatory = true, ParameterSetName = ClientSecretSet)]
    [Parameter(Mandatory = true, ParameterSetName = CredentialSet)]
    [Parameter(Mandatory = true, ParameterSetName = VaultSet)]
    [ValidatePattern(@"^\d{3}-[A-Za-z0-9]{3}-\d{3}$")]
    public string MunchkinId { get; set; } = "";

    [Parameter(Mandatory = true, ParameterSetName = ClientSecretSet)]
    [Parameter(Mandatory = true, ParameterSetName = VaultSet)]
    [ValidateNotNullOrEmpty]
    public override string ClientId { get; set; } = "";

    [Parameter(ParameterSetName = ClientSecretSet)]
    [Parameter(ParameterSetName = CredentialSet)]
    [Parameter(ParameterSetName = VaultSet)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(ProfileNameCompleter))]
    public override string? SaveProfile { get; set; }

    /// <summary>REST host; default https://&lt;MunchkinId&gt;.mktorest.com/.</summary>
    [Parameter(ParameterSetName = ClientSecretSet)]
    [Parameter(ParameterSetName = CredentialSet)]
    [Parameter(ParameterSetName = VaultSet)]
    public Uri? BaseUri { get; set; }

    [Parameter(ParameterSetName = ClientSecretSet)]
    [Parameter(ParameterSetName = CredentialSet)]
    [Parameter(ParameterSetName = VaultSet)]
    public Uri? IdentityUri { get; set; }

    [Parameter(ParameterSetName = ClientSecretSet)]
    [Parameter(ParameterSetName = CredentialSet)]
    [Parameter(ParameterSetName = VaultSet)]
    [ValidateRange(1, 100)]
    public int CallsPer20Seconds { get; set; } = MarketoSettings.DefaultCallsPer20Seconds;

    [Parameter(ParameterSetName = ClientSecretSet)]
    [Parameter(ParameterSetName = CredentialSet)]
    [Parameter(ParameterSetName = VaultSet)]
    [ValidateRange(1, 10)]
    public int MaxConcurrency { get; set; } = MarketoSettings.DefaultMaxConcurrency;

    [Parameter(ParameterSetName = ClientSecretSet)]
    [Parameter(ParameterSetName = CredentialSet)]
    [Parameter(ParameterSetName = VaultSet)]
    [ValidateRange(1, int.MaxValue)]
    public int? DailyCallBudget { get; set; }

    /// <summary>Seconds between status polls of a Bulk Lead Import while it shows no progress (Adobe suggests 5 to 30); default 10.</summary>
    [Parameter(ParameterSetName = ClientSecretSet)]
    [Parameter(ParameterSetName = CredentialSet)]
    [Parameter(ParameterSetName = VaultSet)]
    [ValidateRange(0.05, 300.0)]
    public double BulkImportPollSeconds { get; set; } = MarketoSettings.DefaultBulkImportPollInterval.TotalSeconds;

    protected override void EndProcessing()
    {
        MarketoSettings settings;
        SecretText secret;
        if (ParameterSetName == ProfileSet)
        {
            var saved = LoadProfile().Marketo;
            if (saved is null) { ThrowTerminatingError(ProfileIncomplete("Marketo")); return; }
            settings = saved.ToSettings();
            secret = GivenSecret(saved.Vault, saved.SecretName);
        }
        else
        {
            CheckPreconditions();
            settings = new MarketoSettings
            {
                MunchkinId = MunchkinId,
                ClientId = GivenClientId,
                BaseUri = BaseUri,
                IdentityUri = IdentityUri,
                CallsPer20Seconds = CallsPer20Seconds,
                MaxConcurrency = MaxConcurrency,
                DailyCallBudget = DailyCallBudget,
                BulkImportPollInterval = TimeSpan.FromSeconds(BulkImportPollSeconds),
                AllowUntrustedEndpoint = AllowUntrustedEndpoint,
            };
            secret = GivenSecret();
        }

        MarketoClient? client = null;
        DateTimeOffset? expiresOn = null;
        RunPumped(async cancel =>
        {
            client = await MarketoClient.ConnectAsync(settings, secret, RoutedEngineLog.Instance, null, cancel).ConfigureAwait(false);
            expiresOn = await client.EnsureTokenAsync(cancel).ConfigureAwait(false);
        }, settings.MunchkinId);
        if (client is null) return;

        SaveProfileIfAsked("Marketo", profile => profile.Marketo = MarketoProfile.From(settings, Vault!, SecretName!));
        var session = new MarketoSession(client, settings, secret, ProfileName, DateTimeOffset.Now, expiresOn);
        Install(connection => connection.Marketo = session);
    }
}
