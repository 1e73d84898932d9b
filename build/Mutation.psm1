#Requires -Version 7.4
# Reads Stryker.NET's json report and explains its surviving mutants from the mutation ledger (build/MutationLedger.tsv).
Set-StrictMode -Version 3.0

$script:LedgerKinds = 'Equivalent', 'Pacing', 'Unreachable', 'Diagnostic'
$script:LedgerColumns = 'File', 'Line', 'Mutation', 'Kind', 'Reason'

function Read-StrykerReport {
    <#
    .SYNOPSIS
        One object per mutant of a Stryker json report: its file (relative to the project, with '/'), line, status,
        mutator, replacement (whitespace collapsed) and Marked, its source line trimmed with the mutated text in « ».
    #>
    [CmdletBinding()]
    [OutputType([pscustomobject])]
    param([Parameter(Mandatory)] [string] $Path)

    $report = Get-Content -Raw -LiteralPath $Path | ConvertFrom-Json -Depth 64
    foreach ($fileEntry in $report.files.PSObject.Properties) {
        $relative = [IO.Path]::GetRelativePath($report.projectRoot, $fileEntry.Name) -replace '\\', '/'
        $source = $fileEntry.Value.source -split '\r?\n'
        foreach ($mutant in $fileEntry.Value.mutants) {
            [pscustomobject]@{
                File        = $relative
                Line        = [int] $mutant.location.start.line
                Column      = [int] $mutant.location.start.column
                Status      = [string] $mutant.status
                Mutator     = [string] $mutant.mutatorName
                Replacement = ConvertTo-OneLine $mutant.replacement
                Marked      = Format-MarkedLine $source $mutant.location
            }
        }
    }
}

function Import-MutationLedger {
    <#
    .SYNOPSIS
        The ledger's rows. Tab-separated, a header line, '#' comments. Line is the marked source line, or a regular
        expression over it when it starts with '~'; File and Mutation match exactly or are '*' for any.
    #>
    [CmdletBinding()]
    [OutputType([pscustomobject])]
    param([Parameter(Mandatory)] [string] $Path)

    $lines = @(Get-Content -LiteralPath $Path -Encoding utf8)
    $header = $null
    for ($i = 0; $i -lt $lines.Count; $i++) {
        $text = $lines[$i]
        if ($text -match '^\s*(#|$)') { continue }
        $cells = $text -split "`t"
        if (-not $header) {
            if (($cells -join ',') -ne ($script:LedgerColumns -join ',')) {
                throw "${Path}:$($i + 1): the header must be the columns $($script:LedgerColumns -join ', ') separated by tabs."
            }
            $header = $cells
            continue
        }
        if ($cells.Count -ne $header.Count) { throw "${Path}:$($i + 1): $($cells.Count) columns, expected $($header.Count)." }
        if ($cells[3] -notin $script:LedgerKinds) { throw "${Path}:$($i + 1): kind '$($cells[3])' is not one of $($script:LedgerKinds -join ', ')." }
        if ([string]::IsNullOrWhiteSpace($cells[4])) { throw "${Path}:$($i + 1): a row must say why the mutant is left." }
        $pattern = if ($cells[1].StartsWith('~')) {
            try { [regex]::new($cells[1].Substring(1)) }
            catch { throw "${Path}:$($i + 1): bad regular expression: $($_.Exception.InnerException.Message)" }
        }
        [pscustomobject]@{
            Row      = $i + 1
            File     = $cells[0]
            Line     = $cells[1]
            Pattern  = $pattern
            Mutation = $cells[2]
            Kind     = $cells[3]
            Reason   = $cells[4]
        }
    }
}

function Find-LedgerEntry {
    <# .SYNOPSIS The first ledger row that explains a mutant, or nothing. #>
    [CmdletBinding()]
    [OutputType([pscustomobject])]
    param(
        [Parameter(Mandatory)] [pscustomobject] $Mutant,
        [AllowEmptyCollection()] [object[]] $Ledger = @()
    )
    foreach ($row in $Ledger) {
        if ($row.File -ne '*' -and $row.File -ne $Mutant.File) { continue }
        if ($row.Mutation -ne '*' -and $row.Mutation -ne $Mutant.Replacement) { continue }
        $lineMatches = if ($row.Pattern) { $row.Pattern.IsMatch($Mutant.Marked) } else { $row.Line -eq $Mutant.Marked }
        if ($lineMatches) { return $row }
    }
}

function Get-MutationScore {
    <#
    .SYNOPSIS
        Counts by status, the score Stryker gives ((killed + timed out) / (those + survived + no coverage)), and each
        survivor with the ledger row that explains it. Stale lists the file-specific ledger rows of the mutated files
        that explained nothing: the mutant is killed now or its line changed.
    #>
    [CmdletBinding()]
    [OutputType([pscustomobject])]
    param(
        [Parameter(Mandatory)] [object[]] $Mutant,
        [AllowEmptyCollection()] [object[]] $Ledger = @()
    )
    $counts = [ordered]@{ Killed = 0; Timeout = 0; Survived = 0; NoCoverage = 0; CompileError = 0; Ignored = 0 }
    $survivors = [Collections.Generic.List[object]]::new()
    $used = [Collections.Generic.HashSet[int]]::new()
    $mutatedFiles = [Collections.Generic.HashSet[string]]::new()
    foreach ($m in $Mutant) {
        if ($counts.Contains($m.Status)) { $counts[$m.Status]++ }
        if ($m.Status -ne 'Ignored') { [void] $mutatedFiles.Add($m.File) }
        if ($m.Status -notin 'Survived', 'NoCoverage') { continue }
        $entry = Find-LedgerEntry -Mutant $m -Ledger $Ledger
        if ($entry) { [void] $used.Add($entry.Row) }
        $survivors.Add([pscustomobject]@{
                File        = $m.File
                Line        = $m.Line
                Status      = $m.Status
                Mutator     = $m.Mutator
                Replacement = $m.Replacement
                Marked      = $m.Marked
                Kind        = if ($entry) { $entry.Kind } else { $null }
                Reason      = if ($entry) { $entry.Reason } else { $null }
            })
    }
    $detected = $counts.Killed + $counts.Timeout
    $valid = $detected + $counts.Survived + $counts.NoCoverage
    [pscustomobject]@{
        Counts      = $counts
        Score       = if ($valid -gt 0) { [math]::Round(100.0 * $detected / $valid, 1) } else { $null }
        Survivors   = $survivors.ToArray()
        Explained   = @($survivors | Where-Object Kind).Count
        Unexplained = @($survivors | Where-Object { -not $_.Kind }).Count
        Stale       = @($Ledger | Where-Object { $_.File -ne '*' -and $mutatedFiles.Contains($_.File) -and -not $used.Contains($_.Row) })
    }
}

function ConvertTo-OneLine([string] $Text) { ($Text -replace '\s+', ' ').Trim() }

function Format-MarkedLine([string[]] $Source, $Location) {
    $index = $Location.start.line - 1
    $line = $Source[$index]
    $start = [math]::Min($Location.start.column - 1, $line.Length)
    $end = if ($Location.end.line -eq $Location.start.line) { [math]::Min($Location.end.column - 1, $line.Length) } else { $line.Length }
    $tail = if ($Location.end.line -eq $Location.start.line) { '»' } else { '…»' }
    $marked = ConvertTo-OneLine ($line.Substring(0, $start) + '«' + $line.Substring($start, $end - $start) + $tail + $line.Substring($end))
    if ($line.Trim() -ne '{') { return $marked }
    # A block's brace alone names no block: it goes after the line that opens it.
    $opener = $index - 1
    while ($opener -gt 0 -and [string]::IsNullOrWhiteSpace($Source[$opener])) { $opener-- }
    if ($opener -lt 0) { return $marked }
    (ConvertTo-OneLine $Source[$opener]) + ' ⏎ ' + $marked
}

Export-ModuleMember -Function Read-StrykerReport, Import-MutationLedger, Find-LedgerEntry, Get-MutationScore
