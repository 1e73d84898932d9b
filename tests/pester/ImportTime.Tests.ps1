# Import-Module stays cheap because it loads only the thin cmdlet assembly: the engine and its dependencies
# (MSAL, SQLite, Polly) and the private load context come on first use. That is asserted, in fresh processes.
# The import times are recorded in artifacts/test-results/import-time.json for the report, not asserted
# (speed goals belong to the benchmark, not to timed unit tests).
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
}

Describe 'Import-Module MlConnector' {
    It 'loads only the cmdlet assembly; the engine and its dependencies wait for the first cmdlet that needs them' {
        $samples = foreach ($run in 1..3) {
            Invoke-InFreshPwsh -ScriptBlock {
                $deferred = 'MlConnector.Engine', 'Microsoft.Identity.Client', 'Microsoft.Data.Sqlite', 'Polly.Core'
                $loaded = { [AppDomain]::CurrentDomain.GetAssemblies().GetName().Name | Where-Object { $_ -in $deferred } }
                $watch = [Diagnostics.Stopwatch]::StartNew()
                Import-Module (Join-Path $env:MLCONNECTOR_MODULE 'MlConnector.psd1') -ErrorAction Stop
                $commands = @(Get-Command -Module MlConnector)
                $watch.Stop()
                $afterImport = @(& $loaded)
                $contexts = @([System.Runtime.Loader.AssemblyLoadContext]::All.Name)
                $null = Get-MlModuleInfo
                [pscustomobject]@{
                    Milliseconds     = $watch.Elapsed.TotalMilliseconds
                    Errors           = $Error.Count
                    Commands         = $commands.Count
                    LoadedAtImport   = $afterImport
                    PrivateContext   = $contexts -contains 'MlConnector'
                    LoadedAfterUse   = @(& $loaded)
                }
            }
        }
        $manifest = Import-PowerShellDataFile (Get-MlModulePath)
        foreach ($sample in $samples) {
            $sample.Errors | Should -Be 0
            $sample.Commands | Should -Be $manifest.CmdletsToExport.Count
            @($sample.LoadedAtImport) | Should -BeNullOrEmpty -Because 'Import-Module must not load the engine or its dependencies'
            $sample.PrivateContext | Should -BeFalse -Because 'the private load context is made on first use'
            @($sample.LoadedAfterUse) | Should -Contain 'MlConnector.Engine' -Because 'a cmdlet that needs the engine loads it (the check above can fail)'
        }

        $sorted = $samples.Milliseconds | Sort-Object
        $median = $sorted[[int][math]::Floor($sorted.Count / 2)]
        $report = Join-Path (Get-RepositoryRoot) 'artifacts/test-results/import-time.json'
        New-Item -ItemType Directory -Force (Split-Path $report) | Out-Null
        [ordered]@{ samplesMs = $sorted; medianMs = $median } | ConvertTo-Json | Set-Content $report
        Write-Host "Import-Module median: $([math]::Round($median, 1)) ms over $($sorted.Count) fresh processes (recorded, not asserted)"
    }
}
