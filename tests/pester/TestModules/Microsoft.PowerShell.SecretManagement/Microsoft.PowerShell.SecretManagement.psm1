# TEST DOUBLE of Microsoft.PowerShell.SecretManagement (see the manifest). One or more vaults live in one JSON file
# named by $env:MLCONNECTOR_TEST_VAULT_FILE: { "<vault>": { "<name>": "<secret text>" } }. Vault names come from
# $env:MLCONNECTOR_TEST_VAULTS (comma separated, default 'TestVault').

function Get-VaultFile {
    if (-not $env:MLCONNECTOR_TEST_VAULT_FILE) { throw 'MLCONNECTOR_TEST_VAULT_FILE is not set (test vault).' }
    return $env:MLCONNECTOR_TEST_VAULT_FILE
}

function Read-Vaults {
    $file = Get-VaultFile
    $vaults = @{}
    if (Test-Path $file) {
        $data = Get-Content -Raw $file | ConvertFrom-Json -AsHashtable
        foreach ($key in $data.Keys) { $vaults[$key] = $data[$key] }
    }
    foreach ($name in (Get-VaultNames)) { if (-not $vaults.ContainsKey($name)) { $vaults[$name] = @{} } }
    return $vaults
}

function Get-VaultNames { if ($env:MLCONNECTOR_TEST_VAULTS) { $env:MLCONNECTOR_TEST_VAULTS -split ',' } else { 'TestVault' } }

function Resolve-VaultName([string] $Vault) {
    if (-not $Vault) { return @(Get-VaultNames)[0] }
    if ($Vault -notin (Get-VaultNames)) { throw "Vault '$Vault' is not registered." }
    return $Vault
}

function Get-Secret {
    [CmdletBinding()]
    param(
        [Parameter(Mandatory, Position = 0)] [string] $Name,
        [Parameter(Position = 1)] [string] $Vault,
        [switch] $AsPlainText
    )
    $vaultName = Resolve-VaultName $Vault
    $store = (Read-Vaults)[$vaultName]
    if (-not $store.ContainsKey($Name)) {
        $PSCmdlet.ThrowTerminatingError([System.Management.Automation.ErrorRecord]::new(
            [System.Management.Automation.ItemNotFoundException]::new("The secret $Name was not found."),
            'GetSecretNotFound', 'ObjectNotFound', $Name))
    }
    $text = [string] $store[$Name]
    if ($AsPlainText) { return $text }
    return ConvertTo-SecureString -String $text -AsPlainText -Force
}

function Set-Secret {
    [CmdletBinding(SupportsShouldProcess)]
    param(
        [Parameter(Mandatory, Position = 0)] [string] $Name,
        [Parameter(Mandatory, Position = 1)] [object] $Secret,
        [string] $Vault
    )
    $vaultName = Resolve-VaultName $Vault
    $text = switch ($Secret) {
        { $_ -is [securestring] } { [System.Net.NetworkCredential]::new('', $_).Password; break }
        { $_ -is [pscredential] } { $_.GetNetworkCredential().Password; break }
        default { [string] $_ }
    }
    if (-not $PSCmdlet.ShouldProcess("$vaultName/$Name", 'Set secret')) { return }
    $vaults = Read-Vaults
    $vaults[$vaultName][$Name] = $text
    $vaults | ConvertTo-Json -Depth 3 | Set-Content -Path (Get-VaultFile)
}

function Get-SecretInfo {
    [CmdletBinding()]
    param([Parameter(Position = 0)] [string] $Name = '*', [string] $Vault)
    $vaults = Read-Vaults
    foreach ($vaultName in ($Vault ? @(Resolve-VaultName $Vault) : (Get-VaultNames))) {
        foreach ($key in $vaults[$vaultName].Keys | Where-Object { $_ -like $Name }) {
            [pscustomobject]@{ Name = $key; Type = 'SecureString'; VaultName = $vaultName; Metadata = @{} }
        }
    }
}

function Get-SecretVault {
    [CmdletBinding()]
    param([Parameter(Position = 0)] [string] $Name = '*')
    $names = Get-VaultNames
    foreach ($vaultName in $names | Where-Object { $_ -like $Name }) {
        [pscustomobject]@{ Name = $vaultName; ModuleName = 'TestVault'; IsDefault = ($vaultName -eq $names[0]) }
    }
}

Export-ModuleMember -Function Get-Secret, Set-Secret, Get-SecretInfo, Get-SecretVault
