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

    The output stream carries one SyncSummary per direction (counts, calls made, duration, the run's CorrelationId):
    BC -> Marketo by default; with -Direction Both also Marketo -> BC.
    Records Marketo refuses are counted as Failed and parked for Invoke-MlReplay; the runbook then writes a
    warning, and it fails the job (an exception) only when the run itself cannot go on.

    State: until the Azure Table Storage state store lands (-StateStore, next round), the state lives in
    SQLite under MLCONNECTOR_HOME, which this runbook points at the job's temporary folder. In a cloud job
    that folder is gone when the job ends, so every cloud job is a first, full run; on a Hybrid Runbook
    Worker set -StateHome to a folder that persists.

.EXAMPLE
    # Test pane or schedule parameters, credential assets 'bc-app' and 'marketo-app':
    ./Invoke-MlSyncRunbook.ps1 -BcTenantId contoso.onmicrosoft.com -BcEnvironment Production -BcCompany 'CRONUS USA, Inc.' -MunchkinId 123-ABC-456
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

    # Where SQLite state, audit and profiles live. Default: the job's temporary folder (see above).
    [string] $StateHome = (Join-Path ([IO.Path]::GetTempPath()) 'mlconnector'),

    [ValidateSet('Daily', 'Always', 'Never')] [string] $RefreshFinancials = 'Daily',

    # Which way to sync. Writing Marketo leads into Business Central is opt-in: MarketoToBc or Both (docs/reverse-flow.md).
    [ValidateSet('BcToMarketo', 'MarketoToBc', 'Both')] [string] $Direction = 'BcToMarketo'
)

$ErrorActionPreference = 'Stop'
# Automation keeps no progress records for PowerShell 7 jobs; writing them only costs time.
$ProgressPreference = 'SilentlyContinue'
$env:MLCONNECTOR_HOME = $StateHome

Import-Module MlConnector
$bcTarget = @{ TenantId = $BcTenantId; Environment = $BcEnvironment; Company = $BcCompany }

switch ($CredentialSource) {
    'Asset' {
        # Get-AutomationPSCredential is one of Automation's internal commands, present only inside a job.
        Connect-MlBusinessCentral @bcTarget -Credential (Get-AutomationPSCredential -Name $BcCredentialName)
        Connect-MlMarketo -MunchkinId $MunchkinId -Credential (Get-AutomationPSCredential -Name $MarketoCredentialName)
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
        Connect-MlMarketo -MunchkinId $MunchkinId -ClientId $MarketoClientId -Vault MlConnectorKeyVault -SecretName $MarketoSecretName
    }
}

# Next round: Invoke-MlSync -StateStore 'https://<account>.table.core.windows.net' keeps the pair's state in
# Azure Table Storage (managed identity) and takes the pair's lease, so a second, overlapping job stops
# with a clear error instead of syncing the same pair twice.
# One summary per direction: BcToMarketo, then (with -Direction MarketoToBc or Both) MarketoToBc.
$summaries = @(Invoke-MlSync -RefreshFinancials $RefreshFinancials -Direction $Direction)
foreach ($summary in $summaries | Where-Object Failed -GT 0) {
    $target = if ($summary.Direction -eq 'MarketoToBc') { 'Business Central' } else { 'Marketo' }
    Write-Warning ("{0} record(s) were refused by {1} and parked; run Invoke-MlReplay once they are fixed (CorrelationId {2})." -f $summary.Failed, $target, $summary.CorrelationId)
}
$summaries
