BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:ManifestPath = Get-MlModulePath
}

Describe 'The built module manifest' {
    It 'passes Test-ModuleManifest' {
        $manifest = Test-ModuleManifest -Path $ManifestPath -ErrorAction Stop
        $manifest.Name | Should -Be 'MlConnector'
    }

    It 'carries the version stamped from Directory.Build.props' {
        [xml] $props = Get-Content -Raw (Join-Path (Get-RepositoryRoot) 'Directory.Build.props')
        $expected = "$($props.Project.PropertyGroup.MlConnectorVersion)".Trim()
        (Test-ModuleManifest -Path $ManifestPath).Version.ToString() | Should -Be $expected
    }

    It 'targets PowerShell 7.4 Core and exports an explicit cmdlet list' {
        $data = Import-PowerShellDataFile $ManifestPath
        $data.PowerShellVersion | Should -Be '7.4'
        $data.CompatiblePSEditions | Should -Be @('Core')
        $data.CmdletsToExport | Should -Not -Contain '*'
        $data.CmdletsToExport.Count | Should -BeGreaterThan 0
    }

    It 'exports exactly the cmdlets the manifest lists, each with an approved verb' {
        $listed = (Import-PowerShellDataFile $ManifestPath).CmdletsToExport
        $module = Import-Module $ManifestPath -PassThru -Force
        try {
            $exported = $module.ExportedCmdlets.Keys
            ($exported | Sort-Object) | Should -Be ($listed | Sort-Object)
            $approved = (Get-Verb).Verb
            foreach ($name in $exported) { $approved | Should -Contain ($name -split '-')[0] }
        }
        finally { Remove-Module MlConnector -Force }
    }

    It 'keeps the engine and third-party assemblies out of the module root' {
        $root = Split-Path $ManifestPath
        Get-ChildItem $root -Filter *.dll | ForEach-Object Name | Should -Be @('MlConnector.dll')
        foreach ($dll in 'MlConnector.Engine.dll', 'Microsoft.Identity.Client.dll', 'Polly.Core.dll', 'Microsoft.Data.Sqlite.dll') {
            Join-Path $root "Dependencies/$dll" | Should -Exist
        }
    }

    It 'ships native SQLite for <_>' -ForEach @('win-x64', 'win-arm64', 'linux-x64', 'linux-arm64', 'osx-x64', 'osx-arm64') {
        $native = Join-Path (Split-Path $ManifestPath) "Dependencies/runtimes/$_/native"
        Get-ChildItem $native -File | Where-Object Name -Match 'e_sqlite3' | Should -Not -BeNullOrEmpty
    }
}

Describe 'Get-MlModuleInfo' {
    BeforeAll { Import-Module $ManifestPath -Force }
    AfterAll { Remove-Module MlConnector -Force -ErrorAction SilentlyContinue }

    It 'reports the engine running in its private load context with its own MSAL' {
        $info = Get-MlModuleInfo
        $info.LoadContext | Should -Be 'MlConnector'
        $info.MsalLoadContext | Should -Be 'MlConnector'
        $info.MsalVersion | Should -Match '^4\.92\.'
        $info.ModuleVersion | Should -Be (Test-ModuleManifest $ManifestPath).Version.ToString()
    }

    It 'reports the native SQLite version the engine loaded' {
        (Get-MlModuleInfo).SqliteVersion | Should -Match '^3\.\d+\.\d+'
    }

    It 'exports to CSV without Select-Object' {
        $csv = Get-MlModuleInfo | ConvertTo-Csv
        $csv[0] | Should -Match 'ModuleVersion'
        $csv[0] | Should -Not -Match 'System\.'
    }
}
