# Measures Import-Module of the built module in fresh processes and records the median in
# artifacts/test-results/import-time.json. It asserts that every import succeeds; the number itself
# is reported, not asserted (speed goals belong to the benchmark, not to timed unit tests).
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
}

Describe 'Import-Module MlConnector' {
    It 'imports cleanly in fresh processes and records the median time' {
        $samples = foreach ($run in 1..5) {
            Invoke-InFreshPwsh -ScriptBlock {
                $watch = [Diagnostics.Stopwatch]::StartNew()
                Import-Module (Join-Path $env:MLCONNECTOR_MODULE 'MlConnector.psd1') -ErrorAction Stop
                $null = Get-Command -Module MlConnector
                $watch.Stop()
                [pscustomobject]@{ Milliseconds = $watch.Elapsed.TotalMilliseconds; Errors = $Error.Count }
            }
        }
        $samples.Errors | ForEach-Object { $_ | Should -Be 0 }
        $sorted = $samples.Milliseconds | Sort-Object
        $median = $sorted[[int][math]::Floor($sorted.Count / 2)]
        $report = Join-Path (Get-RepositoryRoot) 'artifacts/test-results/import-time.json'
        New-Item -ItemType Directory -Force (Split-Path $report) | Out-Null
        [ordered]@{ samplesMs = $sorted; medianMs = $median } | ConvertTo-Json | Set-Content $report
        Write-Host "Import-Module median: $([math]::Round($median, 1)) ms over $($sorted.Count) fresh processes"
        $median | Should -BeGreaterThan 0
    }
}
