<#
.SYNOPSIS
    Sample Azure Automation runbook: one MlConnector sync pass for one sync pair (BC company <-> Marketo instance).

.DESCRIPTION
    For a PowerShell 7.4 runtime environment with the MlConnector package (out/package/MlConnector.zip)
    and, for -CredentialSource KeyVault, Microsoft.PowerShell.SecretManagement, Az.Accounts and Az.KeyVault.
    See docs/azure-automation.md.

    Credentials come from Automation credential assets (user name = client id, password = client secret)
    or from Key Vault through a SecretManagement vault over Az.KeyVault, signed in with the Automation
    account's managed identity. Nothing secret is written to any stream.

    State: the sync pair's checkpoints, work queue, content hashes, links and lease live in Azure Table
    Storage when -StateStore (or the Automation variable named by -StateStoreVariable) names the storage
    account: 'https://<account>.table.core.windows.net' signs in with the Automation account's managed
    identity (role Storage Table Data Contributor). A job stopped at its 3-hour fair share, or killed, and
    started again continues from that state without sending again what was sent; an overlapping job of the
    same pair finds the pair's lease held and stops (or waits -LeaseTimeout seconds). The audit lines go to
    the same account's audit table. Without a state store the state is SQLite under -StateHome, which in a
    cloud job is gone when the job ends: every job is then a first, full run.

    The output stream carries one SyncSummary per direction (counts, calls made, duration, the run's CorrelationId):
    BC -> Marketo by default; with -Direction Both also Marketo -> BC.
    Records Marketo refuses are counted as Failed and parked for Invoke-MlReplay; the runbook then writes a
    warning, and it fails the job (an exception) only when the run itself cannot go on.

.EXAMPLE
    # Test pane or schedule parameters, credential assets 'bc-app' and 'marketo-app', the state store in the Automation variable 'MlConnectorStateStore':
    ./Invoke-MlSyncRunbook.ps1 -BcTenantId contoso.onmicrosoft.com -BcEnvironment Production -BcCompany 'CRONUS USA, Inc.' -MunchkinId 123-ABC-456

.EXAMPLE
    # The state store given as a parameter; an overlapping job waits up to 10 minutes for this one instead of stopping.
    ./Invoke-MlSyncRunbook.ps1 -BcTenantId contoso.onmicrosoft.com -BcEnvironment Production -BcCompany 'CRONUS USA, Inc.' -MunchkinId 123-ABC-456 `
        -StateStore 'https://contosomlstate.table.core.windows.net' -LeaseTimeout 600
#>
#Requires -Version 7.4
#Requires -Modules MlConnector
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $BcTenantId,
    [Parameter(Mandatory)] [string] $BcEnvironment,
    [Parameter(Mandatory)] [string] $BcCompany,
    [Parameter(Mandatory)] [string] $MunchkinId,

    # Asset: Automation credential assets. KeyVault: secrets in Key Vault, read with the managed identity.
    [ValidateSet('Asset', 'KeyVault')] [string] $CredentialSource = 'Asset',
    [string] $BcCredentialName = 'bc-app',
    [string] $MarketoCredentialName = 'marketo-app',

    # KeyVault only: the vault, the secret names and the app (client) ids the secrets belong to.
    [string] $KeyVaultName,
    [string] $BcClientId,
    [string] $BcSecretName = 'mlconnector-bc-secret',
    [string] $MarketoClientId,
    [string] $MarketoSecretName = 'mlconnector-marketo-secret',
    # A user-assigned identity's client id; empty = the account's system-assigned identity.
    [string] $IdentityClientId,

    # The state store: https://<account>.table.core.windows.net (managed identity) or vault:<vault>/<secret>.
    # Default: the value of the Automation variable -StateStoreVariable, if the account has it.
    [string] $StateStore,
    [string] $StateStoreVariable = 'MlConnectorStateStore',
    # Seconds an overlapping job of the same pair waits for this one; 0: it stops at once (SyncPairBusy).
    [ValidateRange(0, 86400)] [int] $LeaseTimeout = 0,

    # Where SQLite state, audit and profiles live when no state store is given (see above).
    [string] $StateHome = (Join-Path ([IO.Path]::GetTempPath()) 'mlconnector'),

    # Further Connect-MlBusinessCentral / Connect-MlMarketo parameters, e.g. @{ AuthorityHost = 'https://login.microsoftonline.us/' }.
    [hashtable] $BcConnectParameters = @{},
    [hashtable] $MarketoConnectParameters = @{},

    [ValidateSet('Daily', 'Always', 'Never')] [string] $RefreshFinancials = 'Daily',

    # Which way to sync. Writing Marketo leads into Business Central is opt-in: MarketoToBc or Both (docs/reverse-flow.md).
    [ValidateSet('BcToMarketo', 'MarketoToBc', 'Both')] [string] $Direction = 'BcToMarketo'
)

$ErrorActionPreference = 'Stop'
# Automation keeps no progress records for PowerShell 7 jobs; writing them only costs time.
$ProgressPreference = 'SilentlyContinue'
$env:MLCONNECTOR_HOME = $StateHome

Import-Module MlConnector
$bcTarget = @{ TenantId = $BcTenantId; Environment = $BcEnvironment; Company = $BcCompany } + $BcConnectParameters
$marketoTarget = @{ MunchkinId = $MunchkinId } + $MarketoConnectParameters

switch ($CredentialSource) {
    'Asset' {
        # Get-AutomationPSCredential is one of Automation's internal commands, present only inside a job.
        Connect-MlBusinessCentral @bcTarget -Credential (Get-AutomationPSCredential -Name $BcCredentialName)
        Connect-MlMarketo @marketoTarget -Credential (Get-AutomationPSCredential -Name $MarketoCredentialName)
    }
    'KeyVault' {
        foreach ($required in 'KeyVaultName', 'BcClientId', 'MarketoClientId') {
            if (-not $PSBoundParameters.ContainsKey($required)) { throw "-CredentialSource KeyVault needs -$required." }
        }
        $identity = @{ Identity = $true }
        if ($IdentityClientId) { $identity.AccountId = $IdentityClientId }
        $context = (Connect-AzAccount @identity).Context
        # SecretManagement's vault registry is per user, and every cloud job starts with a fresh one.
        Register-SecretVault -Name MlConnectorKeyVault -ModuleName Az.KeyVault -AllowClobber `
            -VaultParameters @{ AzKVaultName = $KeyVaultName; SubscriptionId = $context.Subscription.Id }
        Connect-MlBusinessCentral @bcTarget -ClientId $BcClientId -Vault MlConnectorKeyVault -SecretName $BcSecretName
        Connect-MlMarketo @marketoTarget -ClientId $MarketoClientId -Vault MlConnectorKeyVault -SecretName $MarketoSecretName
    }
}

if (-not $StateStore) {
    # Get-AutomationVariable, like Get-AutomationPSCredential, exists only inside a job; an account without the variable keeps SQLite.
    try { $StateStore = Get-AutomationVariable -Name $StateStoreVariable } catch { $StateStore = $null }
}
$state = @{ LeaseTimeout = $LeaseTimeout }
if ($StateStore) {
    if ($IdentityClientId -and $StateStore -match '^https://' -and $StateStore -notmatch 'clientId=') {
        $StateStore += ($(if ($StateStore.Contains('?')) { '&' } else { '?' }) + "clientId=$IdentityClientId")
    }
    $state.StateStore = $StateStore
}
else {
    Write-Warning "No state store (-StateStore, or the Automation variable '$StateStoreVariable'): the state lives in $StateHome for this job only, so this is a full run."
}

# One summary per direction: BcToMarketo, then (with -Direction MarketoToBc or Both) MarketoToBc.
$summaries = @(Invoke-MlSync -RefreshFinancials $RefreshFinancials -Direction $Direction @state)
foreach ($summary in $summaries | Where-Object Failed -GT 0) {
    $target = if ($summary.Direction -eq 'MarketoToBc') { 'Business Central' } else { 'Marketo' }
    Write-Warning ("{0} record(s) were refused by {1} and parked; run Invoke-MlReplay once they are fixed (CorrelationId {2})." -f $summary.Failed, $target, $summary.CorrelationId)
}
$summaries
