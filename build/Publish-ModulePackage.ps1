#Requires -Version 7.4
<#
    Runs in a child pwsh started by build/Package.ps1 with isolated per-user folders: registers
    RepositoryPath as a trusted file repository under a one-off name, publishes the module folder to it
    with Publish-PSResource, and unregisters it again (also where the isolation cannot reach, on Windows).
#>
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $RepositoryPath
)
Set-StrictMode -Version 3.0
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'

$repository = 'MlConnectorBuild-' + [guid]::NewGuid().ToString('N').Substring(0, 8)
Register-PSResourceRepository -Name $repository -Uri $RepositoryPath -Trusted
try {
    Publish-PSResource -Path $ModulePath -Repository $repository
}
finally {
    Unregister-PSResourceRepository -Name $repository
}
