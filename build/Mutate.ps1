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

    A mutant no test can tell from the code (or that only changes pacing, a path the vendors never take, or the words
    of a message) has a row in build/MutationLedger.tsv saying why. The summary counts the survivors the ledger
    explains, lists the ones it does not (each needs a test or a row), and names ledger rows that explained nothing.

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
Import-Module (Join-Path $PSScriptRoot 'Mutation.psm1') -Force
$ledgerPath = Join-Path $PSScriptRoot 'MutationLedger.tsv'
$ledger = @(Import-MutationLedger -Path $ledgerPath)

# The engine tests that exercise each folder (the others only slow each mutant down).
$testFilters = @{
    # The sync tests that import and extract in bulk, the Http tests of the response guard and the paging loop, and
    # the reverse mapping's qualification tests (a lead's email) reach Marketo code the Marketo tests leave to them.
    Marketo = 'FullyQualifiedName~MlConnector.Engine.Tests.Marketo|FullyQualifiedName~MlConnector.Engine.Tests.Http|FullyQualifiedName~MlConnector.Engine.Tests.Sync.BulkImportSyncTests|FullyQualifiedName~MlConnector.Engine.Tests.Sync.ReverseReadTests|FullyQualifiedName~MlConnector.Engine.Tests.Mapping.MarketoToBcMappingTests'
    Sync    = 'FullyQualifiedName~MlConnector.Engine.Tests.Sync|FullyQualifiedName~MlConnector.Engine.Tests.State'
    # The state copy and the table store are tested against Azurite (the Azurite namespace; the build installs it).
    State   = 'FullyQualifiedName~MlConnector.Engine.Tests.State|FullyQualifiedName~MlConnector.Engine.Tests.Sync|FullyQualifiedName~MlConnector.Engine.Tests.Azurite'
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
    $result = Get-MutationScore -Mutant @(Read-StrykerReport -Path $report.FullName) -Ledger $ledger
    $summary[$name] = [ordered]@{
        scope       = $patterns
        since       = $Since
        score       = $result.Score
        counts      = $result.Counts
        explained   = $result.Explained
        unexplained = $result.Unexplained
        survivors   = $result.Survivors
        stale       = @($result.Stale | Select-Object Row, File, Line, Mutation)
        report      = [IO.Path]::GetRelativePath($root, (Join-Path $report.DirectoryName 'mutation-report.html'))
    }
}

$summary | ConvertTo-Json -Depth 6 | Set-Content (Join-Path $out 'summary.json')
$lines = @('| Folder | Score | Killed | Timeout | Survived | No coverage | Compile error | Ignored | Explained by the ledger | Unexplained |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |')
foreach ($name in $summary.Keys) {
    $c = $summary[$name].counts
    $lines += "| $name | $($summary[$name].score) % | $($c.Killed) | $($c.Timeout) | $($c.Survived) | $($c.NoCoverage) | $($c.CompileError) | $($c.Ignored) | $($summary[$name].explained) | $($summary[$name].unexplained) |"
}
foreach ($name in $summary.Keys) {
    $unexplained = @($summary[$name].survivors | Where-Object { -not $_.Kind })
    if ($unexplained.Count -gt 0) {
        $lines += '', "Surviving in $name, with no test and no ledger row (write the test, or add the row and say why):", ''
        $lines += $unexplained | ForEach-Object { "- $($_.File):$($_.Line) $($_.Status) $($_.Mutator): ``$($_.Replacement)`` in ``$($_.Marked)``" }
    }
    $explained = @($summary[$name].survivors | Where-Object Kind)
    if ($explained.Count -gt 0) {
        $lines += '', "Surviving in $name, explained by the ledger:", ''
        $lines += $explained | Group-Object Kind | Sort-Object Count -Descending | ForEach-Object { "- $($_.Name): $($_.Count)" }
    }
    if ($summary[$name].stale.Count -gt 0) {
        $lines += '', "Ledger rows for $name's mutated files that explained nothing (the mutant is killed now, or its line changed):", ''
        $lines += $summary[$name].stale | ForEach-Object { "- MutationLedger.tsv:$($_.Row) $($_.File): ``$($_.Line)``" }
    }
}
$lines | Set-Content (Join-Path $out 'summary.md')
$lines | Write-Host
Write-Host "Mutation summary: $(Join-Path $out 'summary.md')"
