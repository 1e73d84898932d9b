BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-MlModulePath) -Force
}
AfterAll { Remove-Module MlConnector -Force -ErrorAction SilentlyContinue }

Describe 'Initialize-MlStateStore' {
    It 'creates and writes a SQLite database file from inside the module' {
        $path = Join-Path $TestDrive 'state/mlconnector.db'
        $info = Initialize-MlStateStore -Path $path
        $path | Should -Exist
        $info.SchemaVersion | Should -BeGreaterThan 0
        $info.SizeBytes | Should -BeGreaterThan 0
        # The file really is a SQLite database: check the header rather than trusting the cmdlet.
        $header = [Text.Encoding]::ASCII.GetString([IO.File]::ReadAllBytes($path), 0, 15)
        $header | Should -Be 'SQLite format 3'
    }

    It 'is idempotent on an existing store' {
        $path = Join-Path $TestDrive 'again.db'
        $first = Initialize-MlStateStore -Path $path
        $second = Initialize-MlStateStore -Path $path
        $second.SchemaVersion | Should -Be $first.SchemaVersion
    }

    It 'writes nothing under -WhatIf' {
        $path = Join-Path $TestDrive 'whatif.db'
        Initialize-MlStateStore -Path $path -WhatIf
        $path | Should -Not -Exist
    }

    It 'reports an unwritable location as an error record with a stable id' {
        $blocker = Join-Path $TestDrive 'a-file'
        Set-Content $blocker 'x'
        Initialize-MlStateStore -Path (Join-Path $blocker 'sub/state.db') -ErrorVariable failure -ErrorAction SilentlyContinue
        $failure[0].FullyQualifiedErrorId | Should -BeLike 'InitializeMlStateStoreFailed*'
    }
}
