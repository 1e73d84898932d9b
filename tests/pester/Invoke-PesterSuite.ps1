<#
    Runs the Pester suite in this (child, -NoProfile) pwsh against the built module and writes a
    summary JSON the build adds to the xunit totals. Tests find the module through $env:MLCONNECTOR_MODULE,
    and the one azurite-table of the run (HTTPS, --oauth basic; started here, stopped at the end) through
    $env:MLCONNECTOR_TEST_AZURITE (Get-TestAzurite in TestHelpers.psm1).
#>
param(
    [Parameter(Mandatory)] [string] $PesterPath,
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $ResultFile
)
$ErrorActionPreference = 'Stop'
$PSStyle.OutputRendering = 'PlainText'
Import-Module $PesterPath -Force
$env:MLCONNECTOR_MODULE = (Resolve-Path $ModulePath).Path

$configuration = New-PesterConfiguration
$configuration.Run.Path = $PSScriptRoot
$configuration.Run.PassThru = $true
$configuration.Output.Verbosity = 'Normal'
$configuration.TestResult.Enabled = $true
$configuration.TestResult.OutputFormat = 'NUnitXml'
$configuration.TestResult.OutputPath = [IO.Path]::ChangeExtension($ResultFile, '.xml')
Import-Module (Join-Path $PSScriptRoot '../../build/Azurite.psm1')
$azurite = Start-Azurite -Https
$env:MLCONNECTOR_TEST_AZURITE = $azurite | Select-Object TableEndpoint, Thumbprint, ConnectionString | ConvertTo-Json -Compress
try { $result = Invoke-Pester -Configuration $configuration }
finally {
    Stop-Azurite $azurite
    Remove-Item Env:MLCONNECTOR_TEST_AZURITE
}

[ordered]@{
    Passed  = $result.PassedCount
    Failed  = $result.FailedCount + $result.FailedBlocksCount + $result.FailedContainersCount
    Skipped = $result.SkippedCount + $result.NotRunCount
} | ConvertTo-Json | Set-Content -Path $ResultFile
