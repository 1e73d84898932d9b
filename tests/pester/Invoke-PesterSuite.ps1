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

function Get-FirstLines([object] $ErrorRecord, [int] $Count) {
    ("$($ErrorRecord | Select-Object -First 1)".Trim() -split '\r?\n' | Select-Object -First $Count) -join ' | '
}
# Named again by the build above the totals, where a CI log is read.
$failures = @(
    foreach ($test in $result.Failed) { '{0}: {1}' -f $test.ExpandedPath, (Get-FirstLines $test.ErrorRecord 2) }
    foreach ($block in $result.FailedBlocks) { '{0} (block): {1}' -f $block.ExpandedPath, (Get-FirstLines $block.ErrorRecord 1) }
    foreach ($container in $result.FailedContainers) { '{0} (file): {1}' -f $container.Item, (Get-FirstLines $container.ErrorRecord 1) }
)
[ordered]@{
    Failures = $failures
    Passed  = $result.PassedCount
    Failed  = $result.FailedCount + $result.FailedBlocksCount + $result.FailedContainersCount
    Skipped = $result.SkippedCount + $result.NotRunCount
} | ConvertTo-Json | Set-Content -Path $ResultFile
