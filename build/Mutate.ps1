#Requires -Version 7.4
<#
.SYNOPSIS
    Mutation testing (Stryker.NET) of the engine's Sync, State and Marketo folders against the xunit engine tests.

.DESCRIPTION
    For each folder, Stryker plants one bug at a time in src/MlConnector.Engine/<Folder> and runs the engine tests that
    cover it; a mutant the tests do not notice "survives". Reports go to artifacts/mutation/<Folder>/ (html and json),
    and a per-folder score summary to artifacts/mutation/summary.json and summary.md, which this script also prints
    with every surviving mutant. Not part of CI: on 2 cores a whole folder takes from tens of minutes to hours, so
    scope it with -File (files in the folder, e.g. MarketoQuotaGate.cs) or -Since (only files changed since a commit).

    Score = (killed + timed out) / (killed + timed out + survived + no coverage), as Stryker counts it; mutants that do
    not compile or that Stryker ignores are left out.

.EXAMPLE
    dotnet pwsh ./build.ps1 Mutate
.EXAMPLE
    dotnet pwsh ./build/Mutate.ps1 -Folder Marketo -File MarketoQuotaGate.cs, MarketoRetry.cs -Concurrency 2
#>
[CmdletBinding()]
param(
    [ValidateSet('Sync', 'State', 'Marketo')]
    [string[]] $Folder = @('Sync', 'State', 'Marketo'),

    # File names inside the folder to mutate (all of the folder when not given).
    [string[]] $File,

    # Only mutate files changed since this commit (Stryker --since).
    [string] $Since,

    [ValidateRange(1, 16)]
    [int] $Concurrency = 2,

    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release'
)
Set-StrictMode -Version 3.0
$ErrorActionPreference = 'Stop'

$root = Split-Path $PSScriptRoot -Parent
$testProject = Join-Path $root 'tests/MlConnector.Engine.Tests'
$out = Join-Path $root 'artifacts/mutation'
New-Item -ItemType Directory -Force -Path $out | Out-Null

# The engine tests that exercise each folder (the others only slow each mutant down).
$testFilters = @{
    # The sync tests that import and extract in bulk, and the Http tests of the response guard and the paging loop,
    # reach Marketo code the Marketo tests leave to them.
    Marketo = 'FullyQualifiedName~MlConnector.Engine.Tests.Marketo|FullyQualifiedName~MlConnector.Engine.Tests.Http|FullyQualifiedName~MlConnector.Engine.Tests.Sync.BulkImportSyncTests|FullyQualifiedName~MlConnector.Engine.Tests.Sync.ReverseReadTests'
    Sync    = 'FullyQualifiedName~MlConnector.Engine.Tests.Sync|FullyQualifiedName~MlConnector.Engine.Tests.State'
    # The state copy and the table store are tested against Azurite (the Azurite namespace; the build installs it).
    State   = 'FullyQualifiedName~MlConnector.Engine.Tests.State|FullyQualifiedName~MlConnector.Engine.Tests.Sync|FullyQualifiedName~MlConnector.Engine.Tests.Azurite'
}

function Get-MutationScore([string] $Report) {
    $json = Get-Content -Raw $Report | ConvertFrom-Json -Depth 64
    $counts = [ordered]@{ Killed = 0; Timeout = 0; Survived = 0; NoCoverage = 0; CompileError = 0; Ignored = 0 }
    $survivors = [System.Collections.Generic.List[object]]::new()
    foreach ($fileEntry in $json.files.PSObject.Properties) {
        foreach ($mutant in $fileEntry.Value.mutants) {
            if ($counts.Contains($mutant.status)) { $counts[$mutant.status]++ }
            if ($mutant.status -in 'Survived', 'NoCoverage') {
                $survivors.Add([pscustomobject]@{
                        File        = [IO.Path]::GetFileName($fileEntry.Name)
                        Line        = $mutant.location.start.line
                        Status      = $mutant.status
                        Mutator     = $mutant.mutatorName
                        Replacement = ($mutant.replacement -replace '\s+', ' ')
                    })
            }
        }
    }
    $detected = $counts.Killed + $counts.Timeout
    $valid = $detected + $counts.Survived + $counts.NoCoverage
    [pscustomobject]@{
        Counts    = $counts
        Score     = if ($valid -gt 0) { [math]::Round(100.0 * $detected / $valid, 1) } else { $null }
        Survivors = $survivors
    }
}

$summary = [ordered]@{}
foreach ($name in $Folder) {
    $folderOut = Join-Path $out $name
    if (Test-Path $folderOut) { Remove-Item $folderOut -Recurse -Force }
    $patterns = if ($File) { $File | ForEach-Object { "**/$name/$_" } } else { @("**/$name/**/*.cs") }
    $arguments = @('dotnet-stryker', '--project', 'MlConnector.Engine.csproj', '--configuration', $Configuration,
        '--concurrency', $Concurrency, '--test-case-filter', $testFilters[$name], '--output', $folderOut,
        '--reporter', 'Progress', '--reporter', 'Json', '--reporter', 'Html', '--skip-version-check')
    foreach ($pattern in $patterns) { $arguments += '--mutate', $pattern }
    if ($Since) { $arguments += "--since:$Since" }

    Write-Host "Mutate: src/MlConnector.Engine/$name ($($patterns -join ', ')), concurrency $Concurrency"
    Push-Location $testProject
    try { & dotnet @arguments | Out-Host }
    finally { Pop-Location }
    if ($LASTEXITCODE -ne 0) { throw "Stryker failed for $name with exit code $LASTEXITCODE." }

    $report = Get-ChildItem $folderOut -Recurse -Filter 'mutation-report.json' | Select-Object -First 1
    if (-not $report) { throw "Stryker wrote no mutation-report.json under $folderOut." }
    $result = Get-MutationScore $report.FullName
    $summary[$name] = [ordered]@{
        scope     = $patterns
        since     = $Since
        score     = $result.Score
        counts    = $result.Counts
        survivors = $result.Survivors
        report    = [IO.Path]::GetRelativePath($root, (Join-Path $report.DirectoryName 'mutation-report.html'))
    }
}

$summary | ConvertTo-Json -Depth 6 | Set-Content (Join-Path $out 'summary.json')
$lines = @('| Folder | Score | Killed | Timeout | Survived | No coverage | Compile error | Ignored |', '| --- | --- | --- | --- | --- | --- | --- | --- |')
foreach ($name in $summary.Keys) {
    $c = $summary[$name].counts
    $lines += "| $name | $($summary[$name].score) % | $($c.Killed) | $($c.Timeout) | $($c.Survived) | $($c.NoCoverage) | $($c.CompileError) | $($c.Ignored) |"
}
foreach ($name in $summary.Keys) {
    if ($summary[$name].survivors.Count -eq 0) { continue }
    $lines += '', "Surviving in ${name}:", ''
    $lines += $summary[$name].survivors | ForEach-Object { "- $($_.File):$($_.Line) $($_.Status) $($_.Mutator): ``$($_.Replacement)``" }
}
$lines | Set-Content (Join-Path $out 'summary.md')
$lines | Write-Host
Write-Host "Mutation summary: $(Join-Path $out 'summary.md')"
