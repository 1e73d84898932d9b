#Requires -Version 7.4
<#
.SYNOPSIS
    One Invoke-MlSync pass in this pwsh process against a running sandbox (build/Bench.ps1's large-pwsh scenario): the
    module's default share of Marketo (50 calls per 20 s, 5 in flight). Prints one JSON line: the summary's counts, the
    wall time, this process's CPU seconds and its peak working set (the whole pwsh process, as Azure Automation counts it).
    With -StateStore (runbook-large) the state and the audit live in that store instead of -StatePath and -AuditPath.
#>
[CmdletBinding(DefaultParameterSetName = 'Sqlite')]
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $SandboxFile,
    [Parameter(Mandatory, ParameterSetName = 'Sqlite')] [string] $StatePath,
    [Parameter(Mandatory, ParameterSetName = 'Sqlite')] [string] $AuditPath,
    [Parameter(Mandatory, ParameterSetName = 'Store')] [string] $StateStore
)

Set-StrictMode -Version 3.0
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
Import-Module (Join-Path $ModulePath 'MlConnector.psd1'), (Join-Path $PSScriptRoot 'MlSandbox.psm1')

$sandbox = Get-Content -Raw $SandboxFile | ConvertFrom-Json
$sandbox | Add-Member -NotePropertyName HttpBase -NotePropertyValue ([uri] $sandbox.bcApiBaseUrl).GetLeftPart([UriPartial]::Authority)
$watch = [Diagnostics.Stopwatch]::StartNew()
Connect-MlSandbox $sandbox
$store = if ($StateStore) { @{ StateStore = $StateStore } } else { @{ StatePath = $StatePath; AuditPath = $AuditPath } }
$summary = Invoke-MlSync @store -Confirm:$false
$wall = $watch.Elapsed.TotalSeconds
Disconnect-MlConnection -ErrorAction SilentlyContinue

$self = [Diagnostics.Process]::GetCurrentProcess()
$peak = $self.PeakWorkingSet64
if ($peak -eq 0 -and (Test-Path /proc/self/status)) {
    $line = Get-Content /proc/self/status | Where-Object { $_ -like 'VmHWM:*' }
    $peak = [long] (($line -split '\s+')[1]) * 1024
}
[ordered]@{
    created = $summary.Created; updated = $summary.Updated; unchanged = $summary.Unchanged; skipped = $summary.Skipped; failed = $summary.Failed
    pending = $summary.Pending; marketoCalls = $summary.MarketoCalls; bcCalls = $summary.BusinessCentralCalls
    wallSeconds = [math]::Round($wall, 3)
    cpuSeconds = [math]::Round($self.TotalProcessorTime.TotalSeconds, 2)
    peakWorkingSetMb = [math]::Round($peak / 1MB, 1)
} | ConvertTo-Json -Compress
