<#
.SYNOPSIS
    The README's main job: the whole connector against the built-in sandbox, start to finish.

.DESCRIPTION
    Run by `build.ps1 Sandbox` in a fresh pwsh. Starts the sandbox with seeded Business Central data
    and an empty Marketo, connects the built module to both simulators over its production path (MSAL
    over HTTPS with the sandbox's pinned certificate, the Marketo quota gate, SQLite state), checks the
    connection, runs one Invoke-MlSync pass, prints the summary and the audit file, and stops the sandbox.
    State, audit and profiles live under -HomePath, which is emptied first so every run is a first run.
#>
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $HomePath,
    [int] $Customers = 2000
)
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
Import-Module (Join-Path $PSScriptRoot 'MlSandbox.psm1') -Force
Import-Module (Join-Path $ModulePath 'MlConnector.psd1') -Force

if (Test-Path $HomePath) { Remove-Item $HomePath -Recurse -Force }
New-Item -ItemType Directory -Path $HomePath | Out-Null
$env:MLCONNECTOR_HOME = $HomePath

$watch = [Diagnostics.Stopwatch]::StartNew()
Write-Host "Starting the sandbox with $Customers Business Central customers..."
$sandbox = Start-MlSandbox -Customers $Customers -Seed 7
try {
    Write-Host ("Sandbox ready: Business Central {0}, Marketo {1}" -f $sandbox.bcApiBaseUrl, $sandbox.marketoRestUrl)
    Connect-MlSandbox $sandbox

    Write-Host "`nTest-MlConnection:"
    $checks = Test-MlConnection
    $checks | Format-Table -AutoSize | Out-String -Width 160 | Write-Host
    if ($checks.Status -contains 'Failed') { throw 'Test-MlConnection reported a failed check; see above.' }

    Write-Host "Invoke-MlSync (Business Central -> Marketo):"
    $summary = Invoke-MlSync
    $summary | Format-List | Out-String -Width 160 | Write-Host

    $audit = Get-ChildItem (Join-Path $HomePath 'audit') -Filter '*.jsonl' | Sort-Object Name | Select-Object -Last 1
    Write-Host "Audit trail: $($audit.FullName) ($((Get-Content $audit.FullName).Count) lines)"
    Write-Host "State store: $(Join-Path $HomePath 'state')"
    Write-Host ("Done in {0:N1} s." -f $watch.Elapsed.TotalSeconds)
}
finally {
    Disconnect-MlConnection -ErrorAction SilentlyContinue
    Stop-MlSandbox $sandbox
}
