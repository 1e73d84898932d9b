#Requires -Version 7.4
<#
.SYNOPSIS
    The one entry point for building, testing and trying MlConnector.

.DESCRIPTION
    Run through the pinned PowerShell local tool on a machine that has only the .NET SDK:

        dotnet tool restore && dotnet pwsh ./build.ps1 Test

    Tasks:
      Build    Publishes the module layout to out/MlConnector/ (cmdlets at the root, the engine and
               every third-party assembly under Dependencies/) and the sandbox program to out/sandbox/.
      Test     Build, then the xunit projects and the Pester suite (in a child pwsh against
               out/MlConnector); prints "Tests: N passed, N failed, N skipped".
      Sandbox  The main job on the built-in sandbox.
      Bench    The benchmark scenarios; writes artifacts/bench/.
      Package  The module as a .nupkg for a private gallery.
      Docs     Builds the MAML help from docs/*.md into the module.

.EXAMPLE
    dotnet pwsh ./build.ps1 Build -Configuration Debug
#>
[CmdletBinding()]
param(
    [Parameter(Position = 0)]
    [ValidateSet('Build', 'Test', 'Sandbox', 'Bench', 'Package', 'Docs', 'Mutate')]
    [string] $Task = 'Build',

    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release',

    # Test: run only the xunit projects or only Pester.
    [ValidateSet('All', 'Xunit', 'Pester')]
    [string] $Suite = 'All',

    # Bench: skip the slowest scenarios.
    [switch] $Quick,

    # Sandbox: how many BC customers the sandbox seeds (each with about 2.5 person contacts).
    [ValidateRange(1, 100000)]
    [int] $Customers = 2000
)

Set-StrictMode -Version 3.0
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
$env:DOTNET_CLI_TELEMETRY_OPTOUT = '1'
$env:DOTNET_NOLOGO = '1'
$env:DOTNET_SKIP_FIRST_TIME_EXPERIENCE = '1'

$Root = $PSScriptRoot
$OutRoot = Join-Path $Root 'out'
$ModuleOut = Join-Path $OutRoot 'MlConnector'
$Artifacts = Join-Path $Root 'artifacts'
$ShippedRuntimes = 'win-x64', 'win-arm64', 'linux-x64', 'linux-arm64', 'osx-x64', 'osx-arm64'

function Invoke-Dotnet {
    # A simple function on purpose: $args passes '-o', '-c', ... through untouched.
    & dotnet @args | Out-Host
    if ($LASTEXITCODE -ne 0) { throw "dotnet $($args -join ' ') failed with exit code $LASTEXITCODE." }
}

function Get-ModuleVersion {
    [xml] $props = Get-Content -Raw (Join-Path $Root 'Directory.Build.props')
    $version = $props.Project.PropertyGroup.MlConnectorVersion | Where-Object { $_ } | Select-Object -First 1
    if (-not $version) { throw 'MlConnectorVersion is missing from Directory.Build.props.' }
    return "$version".Trim()
}

function Invoke-Build {
    $version = Get-ModuleVersion
    Write-Host "Building MlConnector $version ($Configuration) into $ModuleOut"
    if (Test-Path $ModuleOut) { Remove-Item $ModuleOut -Recurse -Force }
    $dependencies = Join-Path $ModuleOut 'Dependencies'
    $cmdletBuild = Join-Path $OutRoot 'obj/cmdlets'

    Invoke-Dotnet publish (Join-Path $Root 'src/MlConnector.Engine/MlConnector.Engine.csproj') -c $Configuration -o $dependencies --nologo '-v:q'
    Invoke-Dotnet build (Join-Path $Root 'src/MlConnector/MlConnector.csproj') -c $Configuration -o $cmdletBuild --nologo '-v:q'

    foreach ($file in 'MlConnector.dll', 'MlConnector.pdb') {
        Copy-Item (Join-Path $cmdletBuild $file) $ModuleOut
    }
    Copy-Item (Join-Path $Root 'src/MlConnector/Formats/*.ps1xml') $ModuleOut

    # Native SQLite for the platforms the module supports; the private load context resolves it from here.
    Get-ChildItem (Join-Path $dependencies 'runtimes') -Directory -ErrorAction SilentlyContinue |
        Where-Object Name -NotIn $ShippedRuntimes |
        Remove-Item -Recurse -Force

    $manifest = Get-Content -Raw (Join-Path $Root 'MlConnector.psd1')
    Set-Content -Path (Join-Path $ModuleOut 'MlConnector.psd1') -Value $manifest.Replace('{{ModuleVersion}}', $version) -NoNewline

    Invoke-Docs
    Publish-Sandbox
    Write-Host "Built $ModuleOut and the sandbox in $(Join-Path $OutRoot 'sandbox')"
}

# MAML help and about topics from docs/ into out/MlConnector/en-US (also part of every Build).
function Invoke-Docs {
    if (-not (Test-Path (Join-Path $ModuleOut 'MlConnector.dll'))) { Invoke-Build; return }
    & (Join-Path $Root 'build/ConvertTo-MamlHelp.ps1') -DocsPath (Join-Path $Root 'docs/cmdlets') `
        -AboutPath (Join-Path $Root 'docs') -OutputPath (Join-Path $ModuleOut 'en-US/MlConnector.dll-Help.xml')
}

function Restore-Tools {
    Invoke-Dotnet restore (Join-Path $Root 'build/Tools.proj') --nologo '-v:q'
    $pester = Join-Path $Root '.tools/packages/pester/5.7.1/tools/Pester.psd1'
    if (-not (Test-Path $pester)) { throw "Pester was not restored to $pester." }
    return $pester
}

function Get-TrxTotals {
    param([string] $Folder)
    $totals = [ordered]@{ Passed = 0; Failed = 0; Skipped = 0 }
    foreach ($trx in Get-ChildItem $Folder -Filter *.trx -ErrorAction SilentlyContinue) {
        [xml] $doc = Get-Content -Raw $trx.FullName
        $counters = $doc.TestRun.ResultSummary.Counters
        $totals.Passed += [int] $counters.passed
        $totals.Failed += [int] $counters.failed + [int] $counters.error + [int] $counters.timeout + [int] $counters.aborted
        $totals.Skipped += [int] $counters.notExecuted
    }
    return $totals
}

function Invoke-Xunit {
    $results = Join-Path $Artifacts 'test-results/xunit'
    if (Test-Path $results) { Remove-Item $results -Recurse -Force }
    & dotnet test (Join-Path $Root 'MlConnector.sln') -c $Configuration --nologo `
        --logger 'trx;LogFilePrefix=xunit' --logger 'console;verbosity=minimal' --results-directory $results | Out-Host
    $exit = $LASTEXITCODE
    $totals = Get-TrxTotals $results
    if ($exit -ne 0 -and $totals.Failed -eq 0) {
        # A build or host failure produces no failed test but must still fail the run.
        Write-Warning "dotnet test exited with $exit without a failed test result (build or test host failure)."
        $totals.Failed += 1
    }
    return $totals
}

function Invoke-PesterTests {
    param([string] $PesterPath)
    $resultFile = Join-Path $Artifacts 'test-results/pester/summary.json'
    New-Item -ItemType Directory -Force -Path (Split-Path $resultFile) | Out-Null
    if (Test-Path $resultFile) { Remove-Item $resultFile }
    $runner = Join-Path $Root 'tests/pester/Invoke-PesterSuite.ps1'
    & dotnet (Join-Path $PSHOME 'pwsh.dll') -NoProfile -NonInteractive -File $runner `
        -PesterPath $PesterPath -ModulePath $ModuleOut -ResultFile $resultFile | Out-Host
    $exit = $LASTEXITCODE
    if (-not (Test-Path $resultFile)) {
        Write-Warning "The Pester run (exit $exit) wrote no summary."
        return [ordered]@{ Passed = 0; Failed = 1; Skipped = 0 }
    }
    $summary = Get-Content -Raw $resultFile | ConvertFrom-Json
    return [ordered]@{ Passed = [int] $summary.Passed; Failed = [int] $summary.Failed; Skipped = [int] $summary.Skipped }
}

# The standalone sandbox (out/sandbox), started as a child process by build/MlSandbox.psm1.
function Publish-Sandbox {
    Invoke-Dotnet publish (Join-Path $Root 'src/MlConnector.Sandbox/MlConnector.Sandbox.csproj') -c $Configuration `
        -o (Join-Path $OutRoot 'sandbox') --nologo '-v:q'
}

function Invoke-SandboxJob {
    Invoke-Build
    & dotnet (Join-Path $PSHOME 'pwsh.dll') -NoProfile -NonInteractive -File (Join-Path $Root 'build/Invoke-SandboxJob.ps1') `
        -ModulePath $ModuleOut -Customers $Customers -HomePath (Join-Path $OutRoot 'sandbox-home') | Out-Host
    if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }
}

function Invoke-Test {
    Invoke-Build
    Invoke-Dotnet publish (Join-Path $Root 'tests/fixtures/OtherMsalConsumer/OtherMsalConsumer.csproj') -c $Configuration `
        -o (Join-Path $OutRoot 'test-fixtures/OtherMsalConsumer') --nologo '-v:q'
    $pester = Restore-Tools

    $totals = [ordered]@{ Passed = 0; Failed = 0; Skipped = 0 }
    $parts = @()
    if ($Suite -in 'All', 'Xunit') { $parts += , ('xunit', (Invoke-Xunit)) }
    if ($Suite -in 'All', 'Pester') { $parts += , ('Pester', (Invoke-PesterTests -PesterPath $pester)) }
    foreach ($part in $parts) {
        $name, $counts = $part
        Write-Host ("{0}: {1} passed, {2} failed, {3} skipped" -f $name, $counts.Passed, $counts.Failed, $counts.Skipped)
        foreach ($key in 'Passed', 'Failed', 'Skipped') { $totals[$key] += $counts[$key] }
    }
    Write-Host ("Tests: {0} passed, {1} failed, {2} skipped" -f $totals.Passed, $totals.Failed, $totals.Skipped)
    if ($totals.Failed -gt 0 -or $totals.Passed -eq 0) { exit 1 }
}

function Invoke-NotBuiltYet([string] $Name) {
    Write-Host "$Name`: not built yet"
    exit 1
}

# ---- Bench: each scenario against a freshly started standalone sandbox, measured from the sandbox's own journal ----

$BenchCallsPer20s = 50          # the connector's default share of Marketo's 100 calls per 20 s
$BenchMarketoLatencyMs = 100    # added to every Marketo REST call (identity calls are not delayed)

function Start-BenchSandbox {
    param([int] $Customers, [switch] $CrmSync)
    $arguments = @((Join-Path $OutRoot 'sandbox/MlConnector.Sandbox.dll'), '--customers', $Customers, '--seed', 7, '--port', 0)
    if ($CrmSync) { $arguments += '--crm-sync' }
    $info = [System.Diagnostics.ProcessStartInfo]::new('dotnet')
    foreach ($a in $arguments) { $info.ArgumentList.Add([string] $a) }
    $info.RedirectStandardOutput = $true
    $info.UseShellExecute = $false
    $process = [System.Diagnostics.Process]::Start($info)
    $read = $process.StandardOutput.ReadLineAsync()
    if (-not $read.Wait([TimeSpan]::FromMinutes(5)) -or -not $read.Result) {
        if (-not $process.HasExited) { $process.Kill($true) }
        throw "The sandbox with $Customers customers did not print its ready line within 5 minutes."
    }
    $line = $read.Result
    $ready = $line | ConvertFrom-Json
    $file = Join-Path $script:BenchWork "sandbox-$($process.Id).json"
    Set-Content -Path $file -Value $line -NoNewline
    $admin = $ready.adminUrl
    # Marketo's real limits are the simulator's defaults (100 per 20 s, 10 concurrent); add the latency. Service 2 = Marketo.
    Invoke-RestMethod -Method Post -Uri "${admin}faults" -ContentType 'application/json' -Body (@{ service = 2; latencyMs = $BenchMarketoLatencyMs } | ConvertTo-Json) | Out-Null
    $bc = Invoke-RestMethod -Uri "${admin}bc"
    Write-Host ("  sandbox pid {0}: {1} customers, {2} contacts; Marketo +{3} ms per REST call" -f $process.Id, $bc.customers, $bc.contacts, $BenchMarketoLatencyMs)
    return [pscustomobject]@{ Process = $process; File = $file; Admin = $admin }
}

function Stop-BenchSandbox($Sandbox) {
    if (-not $Sandbox.Process.HasExited) { $Sandbox.Process.Kill($true); $Sandbox.Process.WaitForExit() }
    $Sandbox.Process.Dispose()
}

function Invoke-Runner {
    param([string[]] $Arguments)
    $output = & dotnet (Join-Path $OutRoot 'syncrunner/MlConnector.SyncRunner.dll') @Arguments
    if ($LASTEXITCODE -ne 0) { throw "SyncRunner $($Arguments -join ' ') failed with exit code $LASTEXITCODE." }
    return ($output | Select-Object -Last 1) | ConvertFrom-Json
}

# Calls the sandbox served since the journal was last cleared. Enum SandboxService: 1 BusinessCentral, 2 Marketo (REST), 3 MarketoIdentity.
function Get-JournalCounts($Sandbox) {
    $journal = @(Invoke-RestMethod -Uri "$($Sandbox.Admin)journal" | ForEach-Object { $_ })
    $marketo = @($journal | Where-Object service -EQ 2)
    $writes = @($marketo | Where-Object { $_.method -eq 'POST' -and $_.path -match '^/rest/v1/(leads|companies)\.json' -and $_.path -notmatch '_method=GET' })
    return [pscustomobject]@{
        MarketoCalls = $marketo.Count
        MarketoWrites = $writes.Count
        BcCalls = @($journal | Where-Object service -EQ 1).Count
    }
}

function Invoke-BenchScenario {
    param([string] $Name, $Sandbox, [string] $State, [int] $IdealCompanies, [int] $IdealLeads)
    Invoke-RestMethod -Method Delete -Uri "$($Sandbox.Admin)journal" | Out-Null
    Write-Host "  $Name`: syncing..."
    $run = Invoke-Runner @('sync', '--sandbox-json', $Sandbox.File, '--state', $State, '--audit', (Join-Path $script:BenchWork 'audit'),
        '--calls-per-20s', $BenchCallsPer20s, '--max-concurrency', 5)
    $counts = Get-JournalCounts $Sandbox
    $verify = Invoke-Runner @('verify', '--sandbox-json', $Sandbox.File)
    $ideal = [math]::Ceiling($IdealCompanies / 300) + [math]::Ceiling($IdealLeads / 300) + 1
    $result = [ordered]@{
        name = $Name
        customers = [int] $verify.customers
        contacts = [int] $verify.personContacts
        marketoCalls = $counts.MarketoCalls
        idealMarketoCalls = [int] $ideal
        bcCalls = $counts.BcCalls
        wallSeconds = [double] $run.wallSeconds
        quotaBoundSeconds = [math]::Round($ideal / ($BenchCallsPer20s / 20.0), 1)
        peakWorkingSetMb = [double] $run.peakWorkingSetMb
        lost = [int] $verify.lost
        duplicates = [int] $verify.duplicates
        marketoWrites = $counts.MarketoWrites
        companiesToWrite = $IdealCompanies
        leadsToWrite = $IdealLeads
        created = [int] $run.created; updated = [int] $run.updated; unchanged = [int] $run.unchanged; skipped = [int] $run.skipped; failed = [int] $run.failed
        planningEndsAt = $run.planningEndsAt
        connectorMarketoCalls = [int] $run.marketoCalls
        connectorBcCalls = [int] $run.bcCalls
    }
    Write-Host ("  {0}: {1} Marketo calls (ideal {2}), {3} BC calls, {4} s (quota bound {5} s), {6} MB, lost {7}, duplicates {8}" -f $Name,
        $result.marketoCalls, $result.idealMarketoCalls, $result.bcCalls, $result.wallSeconds, $result.quotaBoundSeconds, $result.peakWorkingSetMb, $result.lost, $result.duplicates)
    return $result
}

function Get-BenchChecks($Scenarios) {
    $checks = [System.Collections.Generic.List[object]]::new()
    function Add-Check([string] $Scenario, [string] $Target, [bool] $Met, [string] $Measured) {
        $checks.Add([pscustomobject]@{ scenario = $Scenario; target = $Target; met = $Met; measured = $Measured })
    }
    foreach ($s in $Scenarios) {
        Add-Check $s.name 'lost = 0 and duplicates = 0' ($s.lost -eq 0 -and $s.duplicates -eq 0) "lost $($s.lost), duplicates $($s.duplicates)"
        switch ($s.name) {
            'initial-load' {
                Add-Check $s.name 'marketoCalls <= 1.05 x ideal' ($s.marketoCalls -le 1.05 * $s.idealMarketoCalls) "$($s.marketoCalls) vs $($s.idealMarketoCalls)"
                Add-Check $s.name 'wallSeconds <= 1.15 x quotaBoundSeconds' ($s.wallSeconds -le 1.15 * $s.quotaBoundSeconds) "$($s.wallSeconds) s vs $($s.quotaBoundSeconds) s"
                Add-Check $s.name 'peakWorkingSetMb <= 300' ($s.peakWorkingSetMb -le 300) "$($s.peakWorkingSetMb) MB"
            }
            'no-change' {
                Add-Check $s.name '0 Marketo writes' ($s.marketoWrites -eq 0) "$($s.marketoWrites) write calls of $($s.marketoCalls) Marketo calls"
                Add-Check $s.name '<= 3 BC calls' ($s.bcCalls -le 3) "$($s.bcCalls) BC calls"
            }
            'one-percent' {
                Add-Check $s.name 'Marketo calls in proportion to the changes' ($s.marketoCalls -le $s.idealMarketoCalls + 2) "$($s.marketoCalls) calls ($($s.marketoWrites) writes) for $($s.companiesToWrite) companies and $($s.leadsToWrite) leads; ideal $($s.idealMarketoCalls)"
            }
            'large' { Add-Check $s.name 'peakWorkingSetMb <= 300' ($s.peakWorkingSetMb -le 300) "$($s.peakWorkingSetMb) MB" }
        }
    }
    return $checks
}

function Invoke-Bench {
    Invoke-Build
    Invoke-Dotnet publish (Join-Path $Root 'src/MlConnector.Sandbox/MlConnector.Sandbox.csproj') -c $Configuration -o (Join-Path $OutRoot 'sandbox') --nologo '-v:q'
    Invoke-Dotnet publish (Join-Path $Root 'tests/MlConnector.SyncRunner/MlConnector.SyncRunner.csproj') -c $Configuration -o (Join-Path $OutRoot 'syncrunner') --nologo '-v:q'
    $benchOut = Join-Path $Artifacts 'bench'
    $script:BenchWork = Join-Path $benchOut 'work'
    if (Test-Path $script:BenchWork) { Remove-Item $script:BenchWork -Recurse -Force }
    New-Item -ItemType Directory -Force -Path $script:BenchWork | Out-Null
    $scenarios = [System.Collections.Generic.List[object]]::new()

    Write-Host 'Bench: initial-load, no-change, one-percent (10,000 customers)'
    $sandbox = Start-BenchSandbox -Customers 10000
    try {
        $state = Join-Path $script:BenchWork 'state-10k.db'
        $expected = Invoke-Runner @('verify', '--sandbox-json', $sandbox.File)
        $scenarios.Add((Invoke-BenchScenario 'initial-load' $sandbox $state $expected.expectedCompanies $expected.expectedLeads))
        $scenarios.Add((Invoke-BenchScenario 'no-change' $sandbox $state 0 0))
        $touched = Invoke-Runner @('touch', '--sandbox-json', $sandbox.File, '--percent', 1, '--seed', 7)
        $scenarios.Add((Invoke-BenchScenario 'one-percent' $sandbox $state $touched.changedCustomers $touched.changedContacts))
    }
    finally { Stop-BenchSandbox $sandbox }

    Write-Host 'Bench: crm-sync (10,000 customers, Marketo companies read-only)'
    $sandbox = Start-BenchSandbox -Customers 10000 -CrmSync
    try {
        $expected = Invoke-Runner @('verify', '--sandbox-json', $sandbox.File)
        $scenarios.Add((Invoke-BenchScenario 'crm-sync' $sandbox (Join-Path $script:BenchWork 'state-crm.db') 0 $expected.expectedLeads))
    }
    finally { Stop-BenchSandbox $sandbox }

    if ($Quick) { Write-Host 'Bench: large skipped (-Quick)' }
    else {
        Write-Host 'Bench: large (100,000 customers)'
        $sandbox = Start-BenchSandbox -Customers 100000
        try {
            $expected = Invoke-Runner @('verify', '--sandbox-json', $sandbox.File)
            $scenarios.Add((Invoke-BenchScenario 'large' $sandbox (Join-Path $script:BenchWork 'state-100k.db') $expected.expectedCompanies $expected.expectedLeads))
        }
        finally { Stop-BenchSandbox $sandbox }
    }

    $null = & (Join-Path $Root 'build/Measure-SandboxScale.ps1') -SandboxPath (Join-Path $OutRoot 'sandbox') -OutFile (Join-Path $benchOut 'sandbox-scale.json')
    $checks = Get-BenchChecks $scenarios
    $results = [ordered]@{
        scenarios = $scenarios
        checks = $checks
        notes = [ordered]@{
            marketoCalls = 'REST calls in the sandbox journal (service Marketo); identity (token) calls excluded; retries included.'
            bcCalls = 'Business Central API calls in the sandbox journal; Entra token calls excluded.'
            contacts = 'Person contacts in BC (company contacts, one per customer, are not counted).'
            idealMarketoCalls = 'ceil(companies/300) + ceil(leads/300) + 1, companies and leads being those that must be written (the changed ones for one-percent; no companies under CRM sync).'
            quotaBoundSeconds = "idealMarketoCalls / ($BenchCallsPer20s / 20 s)"
            limits = "Marketo simulator at 100 calls per 20 s and 10 concurrent, +$BenchMarketoLatencyMs ms per REST call; connector at $BenchCallsPer20s per 20 s and 5 concurrent."
            lostAndDuplicates = 'Marketo state (admin API) against BC (BC API): one company per customer by externalCompanyId (not under CRM sync), one lead per distinct normalized usable person email.'
        }
    }
    $file = Join-Path $benchOut 'results.json'
    $results | ConvertTo-Json -Depth 6 | Set-Content -Path $file
    $scenarios | ForEach-Object { [pscustomobject] $_ } |
        Format-Table name, customers, contacts, marketoCalls, idealMarketoCalls, bcCalls, wallSeconds, quotaBoundSeconds, peakWorkingSetMb, lost, duplicates -AutoSize |
        Out-String -Width 200 | Write-Host
    $checks | Format-Table scenario, target, met, measured -AutoSize | Out-String -Width 200 | Write-Host
    Write-Host "Bench results: $file"
}

switch ($Task) {
    'Build' { Invoke-Build }
    'Test' { Invoke-Test }
    'Sandbox' { Invoke-SandboxJob }
    'Bench' { Invoke-Bench }
    'Package' { Invoke-NotBuiltYet 'Package' }
    'Docs' { Invoke-Docs }
    'Mutate' { & (Join-Path $Root 'build/Mutate.ps1') -Configuration $Configuration }
}
