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
      Bench    The benchmark scenarios (build/Bench.ps1); writes artifacts/bench/.
      Package  out/package/MlConnector.zip for Azure Automation and a .nupkg in out/package as a local
               file repository (build/Package.ps1).
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

    # Bench: run only these scenarios (initial-load, no-change, one-percent, crm-sync, budget, reverse-new-leads, notify-latency, scale-30k, large,
    # large-pwsh, runbook-large); runbook-large's size.
    [string[]] $Scenario,
    [ValidateRange(1, 100000)]
    [int] $RunbookCustomers = 100000,

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

function Build-Module {
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
    if (-not (Test-Path (Join-Path $ModuleOut 'MlConnector.dll'))) { Build-Module; return }
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
        # xunit's trx leaves notExecuted at 0 and records a skipped test only as not executed (total - executed).
        $totals.Skipped += [math]::Max([int] $counters.notExecuted, [int] $counters.total - [int] $counters.executed)
    }
    return $totals
}

# Each failed test's name and the first lines of its message, printed again above the totals: a CI log is read from its tail.
function Get-TrxFailures {
    param([string] $Folder)
    foreach ($trx in Get-ChildItem $Folder -Filter *.trx -ErrorAction SilentlyContinue) {
        [xml] $doc = Get-Content -Raw $trx.FullName
        foreach ($result in $doc.TestRun.Results.UnitTestResult | Where-Object outcome -NotIn 'Passed', 'NotExecuted') {
            $message = ("$($result.Output.ErrorInfo.Message)".Trim() -split '\r?\n' | Select-Object -First 3) -join ' | '
            '{0} ({1}): {2}' -f $result.testName, $result.outcome, $message
        }
    }
}

function Invoke-Xunit {
    $results = Join-Path $Artifacts 'test-results/xunit'
    if (Test-Path $results) { Remove-Item $results -Recurse -Force }
    & dotnet test (Join-Path $Root 'MlConnector.sln') -c $Configuration --nologo `
        --logger 'trx;LogFilePrefix=xunit' --logger 'console;verbosity=minimal' --results-directory $results | Out-Host
    $exit = $LASTEXITCODE
    $totals = Get-TrxTotals $results
    $totals.Failures = @(Get-TrxFailures $results)
    if ($exit -ne 0 -and $totals.Failed -eq 0) {
        # A build or host failure produces no failed test but must still fail the run.
        Write-Warning "dotnet test exited with $exit without a failed test result (build or test host failure)."
        $totals.Failed += 1
        $totals.Failures += "dotnet test exited with $exit without a failed test result"
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
        return [ordered]@{ Passed = 0; Failed = 1; Skipped = 0; Failures = @("the Pester run (exit $exit) wrote no summary") }
    }
    $summary = Get-Content -Raw $resultFile | ConvertFrom-Json
    return [ordered]@{
        Passed = [int] $summary.Passed; Failed = [int] $summary.Failed; Skipped = [int] $summary.Skipped
        Failures = @($summary.Failures)
    }
}

# The standalone sandbox (out/sandbox), started as a child process by build/MlSandbox.psm1.
function Publish-Sandbox {
    Invoke-Dotnet publish (Join-Path $Root 'src/MlConnector.Sandbox/MlConnector.Sandbox.csproj') -c $Configuration `
        -o (Join-Path $OutRoot 'sandbox') --nologo '-v:q'
}

function Invoke-SandboxJob {
    Build-Module
    & dotnet (Join-Path $PSHOME 'pwsh.dll') -NoProfile -NonInteractive -File (Join-Path $Root 'build/Invoke-SandboxJob.ps1') `
        -ModulePath $ModuleOut -Customers $Customers -HomePath (Join-Path $OutRoot 'sandbox-home') | Out-Host
    if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }
}

function Invoke-Test {
    Build-Module
    Invoke-Dotnet publish (Join-Path $Root 'tests/fixtures/OtherMsalConsumer/OtherMsalConsumer.csproj') -c $Configuration `
        -o (Join-Path $OutRoot 'test-fixtures/OtherMsalConsumer') --nologo '-v:q'
    $pester = Restore-Tools
    Import-Module (Join-Path $Root 'build/Azurite.psm1'); $null = Install-Azurite   # the tests start azurite-table themselves

    $totals = [ordered]@{ Passed = 0; Failed = 0; Skipped = 0 }
    $parts = @()
    if ($Suite -in 'All', 'Xunit') { $parts += , ('xunit', (Invoke-Xunit)) }
    if ($Suite -in 'All', 'Pester') { $parts += , ('Pester', (Invoke-PesterTests -PesterPath $pester)) }
    foreach ($part in $parts) {
        $name, $counts = $part
        foreach ($failure in $counts.Failures) { Write-Host "$name failed: $failure" }
        Write-Host ("{0}: {1} passed, {2} failed, {3} skipped" -f $name, $counts.Passed, $counts.Failed, $counts.Skipped)
        foreach ($key in 'Passed', 'Failed', 'Skipped') { $totals[$key] += $counts[$key] }
    }
    Write-Host ("Tests: {0} passed, {1} failed, {2} skipped" -f $totals.Passed, $totals.Failed, $totals.Skipped)
    if ($totals.Failed -gt 0 -or $totals.Passed -eq 0) { exit 1 }
}

# The benchmark scenarios live in build/Bench.ps1, beside the sandbox job; it needs the module, the sandbox and the SyncRunner.
function Invoke-Bench {
    Build-Module
    Invoke-Dotnet publish (Join-Path $Root 'tests/MlConnector.SyncRunner/MlConnector.SyncRunner.csproj') -c $Configuration -o (Join-Path $OutRoot 'syncrunner') --nologo '-v:q'
    $selection = @{ RunbookCustomers = $RunbookCustomers }
    if ($Scenario) { $selection.Scenario = $Scenario }
    & (Join-Path $Root 'build/Bench.ps1') -OutRoot $OutRoot -ResultsPath (Join-Path $Artifacts 'bench') -Quick:$Quick @selection
}

switch ($Task) {
    'Build' { Build-Module }
    'Test' { Invoke-Test }
    'Sandbox' { Invoke-SandboxJob }
    'Bench' { Invoke-Bench }
    'Package' { Build-Module; & (Join-Path $Root 'build/Package.ps1') -ModulePath $ModuleOut -OutputPath (Join-Path $OutRoot 'package') | Format-List | Out-Host }
    'Docs' { Invoke-Docs }
    'Mutate' { & (Join-Path $Root 'build/Mutate.ps1') -Configuration $Configuration }
}
