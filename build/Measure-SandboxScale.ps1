#Requires -Version 7.4
<#
.SYNOPSIS
    Bench piece: how long the standalone sandbox takes to seed Marketo at scale, and how much memory it then holds.

.DESCRIPTION
    Starts out/sandbox with 250,000 Marketo leads and 100,000 companies (no BC customers), times it until its ready
    line, reads the counts from the admin API and the process's peak resident memory, and stops it. Writes the
    measurement with its targets (ready within 20 s, at most 480 MB: the 400 MB of data the unit test once bounded
    plus the runtime) to -OutFile and returns it. The targets are reported, not enforced: speed and memory goals
    belong to the benchmark, never to unit tests.
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $SandboxPath,
    [Parameter(Mandatory)] [string] $OutFile,
    [int] $Leads = 250000,
    [int] $Companies = 100000
)
Set-StrictMode -Version 3.0
$ErrorActionPreference = 'Stop'

function Get-PeakResidentMegabytes([System.Diagnostics.Process] $Process) {
    $status = "/proc/$($Process.Id)/status"
    if (Test-Path $status) {
        $line = Get-Content $status | Where-Object { $_ -like 'VmHWM:*' }
        if ($line) { return [math]::Round([double](($line -split '\s+')[1]) / 1024, 1) }
    }
    $Process.Refresh()
    return [math]::Round($Process.PeakWorkingSet64 / 1MB, 1)
}

$info = [System.Diagnostics.ProcessStartInfo]::new('dotnet')
foreach ($a in (Join-Path $SandboxPath 'MlConnector.Sandbox.dll'), '--customers', 0, '--marketo-leads', $Leads, '--marketo-companies', $Companies, '--port', 0, '--https-port', 0) {
    $info.ArgumentList.Add([string] $a)
}
$info.RedirectStandardOutput = $true
$info.UseShellExecute = $false
$watch = [System.Diagnostics.Stopwatch]::StartNew()
$process = [System.Diagnostics.Process]::Start($info)
try {
    $read = $process.StandardOutput.ReadLineAsync()
    if (-not $read.Wait([TimeSpan]::FromMinutes(5)) -or -not $read.Result) { throw 'The sandbox did not print its ready line within 5 minutes.' }
    $readySeconds = [math]::Round($watch.Elapsed.TotalSeconds, 2)
    $ready = $read.Result | ConvertFrom-Json
    $state = Invoke-RestMethod -Uri "$($ready.adminUrl)marketo/state"
    $peak = Get-PeakResidentMegabytes $process
}
finally {
    if (-not $process.HasExited) { $process.Kill($true); $process.WaitForExit() }
    $process.Dispose()
}

$result = [ordered]@{
    name             = 'sandbox-scale'
    leads            = [int] $state.leads
    companies        = [int] $state.companies
    readySeconds     = $readySeconds
    peakResidentMb   = $peak
    checks           = @(
        [ordered]@{ scenario = 'sandbox-scale'; target = "seeded $Leads leads and $Companies companies"; met = ($state.leads -eq $Leads -and $state.companies -eq $Companies); measured = "$($state.leads) leads, $($state.companies) companies" }
        [ordered]@{ scenario = 'sandbox-scale'; target = 'readySeconds <= 20'; met = ($readySeconds -le 20); measured = "$readySeconds s (process start, certificate and seeding)" }
        [ordered]@{ scenario = 'sandbox-scale'; target = 'peakResidentMb <= 480'; met = ($peak -le 480); measured = "$peak MB" }
    )
}
New-Item -ItemType Directory -Force -Path (Split-Path $OutFile) | Out-Null
$result | ConvertTo-Json -Depth 4 | Set-Content -Path $OutFile
Write-Host ("  sandbox-scale: {0} leads and {1} companies ready in {2} s, peak {3} MB resident -> {4}" -f $result.leads, $result.companies, $readySeconds, $peak, $OutFile)
return [pscustomobject] $result
