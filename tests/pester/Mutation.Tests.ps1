# build/Mutation.psm1 scores a Stryker report and explains its survivors from build/MutationLedger.tsv. Stryker itself
# is too slow for CI; these tests run the scoring on a small report written here, and hold the real ledger to the code.
BeforeAll {
    $root = Join-Path $PSScriptRoot '../..'
    Import-Module (Join-Path $root 'build/Mutation.psm1') -Force

    function New-Mutant([int] $Line, [int] $Column, [int] $EndColumn, [string] $Status, [string] $Replacement, [int] $EndLine = $Line) {
        [ordered]@{
            id = [guid]::NewGuid().ToString(); mutatorName = 'Boolean mutation'; replacement = $Replacement; status = $Status
            location = @{ start = @{ line = $Line; column = $Column }; end = @{ line = $EndLine; column = $EndColumn } }
        }
    }
    $projectRoot = Join-Path $TestDrive 'src/Engine'
    $source = @(
        'internal sealed class Scope'
        '{'
        '    var fields = await ReadAsync(confirmed: false).ConfigureAwait(false);'
        '    if (fields.Count > 0)'
        '        return   true;'
        '}'
    ) -join "`n"
    $report = @{
        projectRoot = $projectRoot
        files       = [ordered]@{
            (Join-Path $projectRoot 'Sync/Scope.cs') = @{
                source  = $source
                mutants = @(
                    New-Mutant 3 67 72 'Survived' 'true'       # ConfigureAwait(false)
                    New-Mutant 3 45 50 'Survived' 'true'       # confirmed: false
                    New-Mutant 4 9 26 'Killed' '!(fields.Count > 0)'
                    New-Mutant 4 5 10 'Survived' "{`n return true; }" -EndLine 5
                    New-Mutant 5 18 22 'Timeout' 'false'
                    New-Mutant 5 18 22 'CompileError' 'null'
                    New-Mutant 5 18 22 'NoCoverage' 'default'
                    New-Mutant 2 1 2 'Survived' '{}' -EndLine 6
                )
            }
            (Join-Path $projectRoot 'Sync/Other.cs')  = @{
                source  = 'class Other { }'
                mutants = @(New-Mutant 1 1 6 'Ignored' 'x')
            }
        }
    }
    $reportPath = Join-Path $TestDrive 'mutation-report.json'
    $report | ConvertTo-Json -Depth 10 | Set-Content $reportPath

    function Write-Ledger([string[]] $Rows) {
        $path = Join-Path $TestDrive 'ledger.tsv'
        @("# comment", "File`tLine`tMutation`tKind`tReason") + $Rows | Set-Content $path -Encoding utf8
        $path
    }
}

Describe 'Read-StrykerReport' {
    It 'names each mutant by its path in the project and marks the mutated text in its trimmed line' {
        $mutants = @(Read-StrykerReport -Path $reportPath)
        $mutants.Count | Should -Be 9
        $first = $mutants[0]
        $first.File | Should -BeExactly 'Sync/Scope.cs'
        $first.Marked | Should -BeExactly 'var fields = await ReadAsync(confirmed: false).ConfigureAwait(«false»);'
        $mutants[1].Marked | Should -BeExactly 'var fields = await ReadAsync(confirmed: «false»).ConfigureAwait(false);'
    }

    It 'collapses whitespace, and marks a mutant that spans lines up to the end of its first line' {
        $multiLine = @(Read-StrykerReport -Path $reportPath)[3]
        $multiLine.Marked | Should -BeExactly '«if (fields.Count > 0)…»'
        $multiLine.Replacement | Should -BeExactly '{ return true; }'
        @(Read-StrykerReport -Path $reportPath)[4].Marked | Should -BeExactly 'return «true»;'
    }

    It 'names a block whose brace stands alone by the line that opens it' {
        @(Read-StrykerReport -Path $reportPath)[7].Marked | Should -BeExactly 'internal sealed class Scope ⏎ «{…»'
    }
}

Describe 'Get-MutationScore' {
    It 'scores killed and timed-out mutants over those and the survivors, leaving out compile errors and ignored ones' {
        $result = Get-MutationScore -Mutant @(Read-StrykerReport -Path $reportPath)
        $result.Counts.Killed | Should -Be 1
        $result.Counts.Timeout | Should -Be 1
        $result.Counts.Survived | Should -Be 4
        $result.Counts.NoCoverage | Should -Be 1
        $result.Counts.CompileError | Should -Be 1
        $result.Counts.Ignored | Should -Be 1
        $result.Score | Should -Be 28.6
        $result.Unexplained | Should -Be 5
    }

    It 'explains a survivor by the first matching row: a pattern, an exact line, or any mutation of a line' {
        $ledger = @(Import-MutationLedger -Path (Write-Ledger @(
                    "*`t~ConfigureAwait\(«false»\)`ttrue`tEquivalent`tno synchronization context"
                    "Sync/Scope.cs`t«if (fields.Count > 0)…»`t*`tPacing`tonly when it runs"
                    "Sync/Scope.cs`treturn «true»;`tdefault`tUnreachable`tnever empty"
                )))
        $result = Get-MutationScore -Mutant @(Read-StrykerReport -Path $reportPath) -Ledger $ledger
        $result.Survivors[0].Reason | Should -BeExactly 'no synchronization context'
        $result.Survivors[1].Kind | Should -BeNullOrEmpty -Because 'the other false on the line is not ConfigureAwait''s'
        $result.Survivors[2].Kind | Should -BeExactly 'Pacing'
        $result.Survivors[3].Kind | Should -BeExactly 'Unreachable'
        $result.Explained | Should -Be 3
        $result.Unexplained | Should -Be 2
    }

    It 'names the rows of mutated files that explained nothing, but not wildcard rows nor rows of files not mutated' {
        $ledger = @(Import-MutationLedger -Path (Write-Ledger @(
                    "*`t~never matches`t*`tEquivalent`twildcard"
                    "Sync/Scope.cs`treturn «true»;`tnull`tEquivalent`tkilled now"
                    "Sync/Other.cs`tclass «Other» { }`t*`tEquivalent`tonly ignored mutants this run"
                    "Sync/Gone.cs`tx`t*`tEquivalent`tnot in this run"
                )))
        $stale = @((Get-MutationScore -Mutant @(Read-StrykerReport -Path $reportPath) -Ledger $ledger).Stale)
        $stale.Count | Should -Be 1
        $stale[0].Row | Should -Be 4
        $stale[0].Reason | Should -BeExactly 'killed now'
    }
}

Describe 'Import-MutationLedger' {
    It 'refuses <Case>, naming the row' -ForEach @(
        @{ Case = 'a kind it does not know'; Row = "*`tx`t*`tFine`twhy"; Message = '*:3: kind ''Fine''*' }
        @{ Case = 'a row with no reason'; Row = "*`tx`t*`tEquivalent`t "; Message = '*:3: a row must say why*' }
        @{ Case = 'a missing column'; Row = "*`tx`tEquivalent`twhy"; Message = '*:3: 4 columns, expected 5.' }
        @{ Case = 'a bad pattern'; Row = "*`t~(`t*`tEquivalent`twhy"; Message = '*:3: bad regular expression*' }
    ) {
        { Import-MutationLedger -Path (Write-Ledger @($Row)) } | Should -Throw -ExpectedMessage $Message
    }

    It 'refuses a file whose header is not the five columns' {
        $path = Join-Path $TestDrive 'bad-header.tsv'
        "File`tLine`tKind`tReason" | Set-Content $path
        { Import-MutationLedger -Path $path } | Should -Throw -ExpectedMessage '*:1: the header must be*'
    }
}

Describe 'The mutation ledger' {
    BeforeAll {
        $ledger = @(Import-MutationLedger -Path (Join-Path $root 'build/MutationLedger.tsv'))
        $engine = Join-Path $root 'src/MlConnector.Engine'
    }

    It 'has rows' {
        $ledger.Count | Should -BeGreaterThan 0
    }

    It 'has one row for each mutant text: a second row for the same file, line and mutation could never be used' {
        $repeated = $ledger | Group-Object File, Line, Mutation | Where-Object Count -gt 1 | ForEach-Object Name
        $repeated | Should -BeNullOrEmpty
    }

    It 'names only files of the engine, and lines that are in them' {
        $missing = foreach ($row in $ledger | Where-Object { $_.File -ne '*' }) {
            $path = Join-Path $engine $row.File
            if (-not (Test-Path -LiteralPath $path)) { "row $($row.Row): no file $($row.File)"; continue }
            if ($row.Pattern) { continue }
            $lines = (Get-Content -LiteralPath $path) | ForEach-Object { ($_ -replace '\s+', ' ').Trim() }
            foreach ($text in ($row.Line -replace '«|…?»', '') -split ' ⏎ ') {
                if ($text -notin $lines) { "row $($row.Row): $($row.File) has no line ``$text``" }
            }
        }
        $missing | Should -BeNullOrEmpty
    }
}
