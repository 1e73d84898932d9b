# The Pester suite starts and drives the sandbox with the same helpers as build.ps1 Sandbox.
Import-Module (Join-Path $PSScriptRoot '../../build/MlSandbox.psm1') -Force -Global

# Connects this runspace to both services of a started sandbox, optionally with a company key prefix.
function Connect-MlSandbox {
    param([Parameter(Mandatory)] $Sandbox, [string] $CompanyKeyPrefix)
    $bc = Get-SandboxBcParameters $Sandbox
    if ($CompanyKeyPrefix) { $bc.CompanyKeyPrefix = $CompanyKeyPrefix }
    $marketo = Get-SandboxMarketoParameters $Sandbox
    Connect-MlBusinessCentral @bc -ClientId $Sandbox.bcClientId -ClientSecret (ConvertTo-SecureText $Sandbox.bcClientSecret)
    Connect-MlMarketo @marketo -ClientId $Sandbox.marketoClientId -ClientSecret (ConvertTo-SecureText $Sandbox.marketoClientSecret)
}

Export-ModuleMember -Function Connect-MlSandbox
