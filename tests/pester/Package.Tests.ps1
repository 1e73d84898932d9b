# build.ps1 Package: the zip Azure Automation imports and the .nupkg a private gallery serves, each
# installed the way its users install it into an empty module path and run in a fresh pwsh whose per-user
# folders (and so PSResourceGet's repository list) live under TestDrive. The package is built once.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:Root = Get-RepositoryRoot
    $script:Built = Split-Path (Get-MlModulePath)
    $script:Version = (Import-PowerShellDataFile (Get-MlModulePath)).ModuleVersion

    # The real user's PSResourceGet repository list, which nothing here may change.
    $script:UserRepositories = Join-Path ([Environment]::GetFolderPath('LocalApplicationData')) 'PSResourceGet/PSResourceRepository.xml'
    $script:UserRepositoriesBefore = if (Test-Path $UserRepositories) { (Get-FileHash $UserRepositories).Hash } else { 'absent' }

    $script:Package = & (Join-Path $Root 'build/Package.ps1') -ModulePath $Built -OutputPath (Join-Path $TestDrive 'package')

    function script:Get-IsolatedEnvironment([string] $Name) {
        & (Join-Path $Root 'build/Get-IsolatedUserEnvironment.ps1') -Root (Join-Path $TestDrive $Name)
    }
}

Describe 'The Azure Automation zip' {
    BeforeAll {
        $archive = [System.IO.Compression.ZipFile]::OpenRead($Package.Zip)
        try { $script:Entries = @($archive.Entries | ForEach-Object FullName) }
        finally { $archive.Dispose() }
    }

    It 'is named after the module and has one top folder of the same name, with no version folder' {
        Split-Path $Package.Zip -Leaf | Should -Be 'MlConnector.zip'
        @($Entries | ForEach-Object { ($_ -split '/')[0] } | Sort-Object -Unique) | Should -Be @('MlConnector')
        $Entries | Should -Not -Match '\\'
        $Entries | Should -Not -Match "^MlConnector/$([regex]::Escape($Version))/"
    }

    It 'holds the manifest, the cmdlet assembly, the format file, the help and the engine with its dependencies' {
        foreach ($file in 'MlConnector.psd1', 'MlConnector.dll', 'MlConnector.format.ps1xml', 'en-US/MlConnector.dll-Help.xml',
            'Dependencies/MlConnector.Engine.dll', 'Dependencies/Microsoft.Identity.Client.dll', 'Dependencies/Microsoft.Data.Sqlite.dll',
            'Dependencies/Azure.Data.Tables.dll', 'Dependencies/Azure.Core.dll', 'Dependencies/runtimes/win-x64/native/e_sqlite3.dll',
            'Dependencies/runtimes/linux-x64/native/libe_sqlite3.so') {
            $Entries | Should -Contain "MlConnector/$file"
        }
        # Only the cmdlet assembly sits at the root: everything else loads from Dependencies/ into the private context.
        @($Entries | Where-Object { $_ -match '^MlConnector/[^/]+\.dll$' }) | Should -Be @('MlConnector/MlConnector.dll')
    }

    It 'stays under the 100 MB Automation module limit' {
        Write-Host ("MlConnector.zip: {0:N2} MB ({1} bytes); .nupkg {2:N2} MB" -f ($Package.ZipBytes / 1MB), $Package.ZipBytes, ($Package.NupkgBytes / 1MB))
        $Package.ZipBytes | Should -BeLessThan 100MB
        $Package.ZipBytes | Should -Be (Get-Item $Package.Zip).Length
    }

    It 'imports by name from an empty module path once expanded, and Get-MlModuleInfo runs' {
        $modules = Join-Path $TestDrive 'automation-modules'
        Expand-Archive -Path $Package.Zip -DestinationPath $modules
        $environment = Get-IsolatedEnvironment 'zip-user'
        $environment.PSModulePath = $modules
        $result = Invoke-InFreshPwsh -Environment $environment -ScriptBlock {
            Import-Module MlConnector
            $info = Get-MlModuleInfo
            [pscustomobject]@{ Base = (Get-Module MlConnector).ModuleBase; Version = $info.ModuleVersion; Context = $info.LoadContext; Errors = $Error.Count }
        }
        $result.Base | Should -Be (Join-Path $modules 'MlConnector')
        $result.Version | Should -Be $Version
        $result.Context | Should -Be 'MlConnector'
        $result.Errors | Should -Be 0
    }
}

Describe 'The .nupkg in a local file repository' {
    It 'was published by PSResourceGet with the module version' {
        Split-Path $Package.Nupkg -Leaf | Should -Be "MlConnector.$Version.nupkg"
        # Nothing else lands there (PSResourceGet's NuGet once wrote NuGet/NuGet.Config into its working folder).
        @(Get-ChildItem $Package.Repository -Force | ForEach-Object Name | Sort-Object) | Should -Be @("MlConnector.$Version.nupkg", 'MlConnector.zip')
        $archive = [System.IO.Compression.ZipFile]::OpenRead($Package.Nupkg)
        try { $entries = @($archive.Entries | ForEach-Object FullName) }
        finally { $archive.Dispose() }
        $entries | Should -Contain 'MlConnector.nuspec'
        $entries | Should -Contain 'MlConnector.psd1'
        $entries | Should -Contain 'Dependencies/Azure.Data.Tables.dll'
    }

    It 'installs with Install-PSResource into an empty user module path, imports by name and runs' {
        $environment = Get-IsolatedEnvironment 'nupkg-user'
        $environment.MLC_REPOSITORY = $Package.Repository
        $result = Invoke-InFreshPwsh -Environment $environment -ScriptBlock {
            $ProgressPreference = 'SilentlyContinue'
            Register-PSResourceRepository -Name MlConnectorTest -Uri $env:MLC_REPOSITORY -Trusted
            try { Install-PSResource MlConnector -Repository MlConnectorTest -Quiet }
            finally { Unregister-PSResourceRepository -Name MlConnectorTest }
            Import-Module MlConnector
            $info = Get-MlModuleInfo
            [pscustomobject]@{
                Base    = (Get-Module MlConnector).ModuleBase
                Home    = $HOME
                Version = $info.ModuleVersion
                Context = $info.LoadContext
                Errors  = $Error.Count
            }
        }
        $result.Base | Should -BeLike (Join-Path $result.Home '*')
        $result.Base | Should -BeLike (Join-Path $TestDrive '*')
        $result.Version | Should -Be $Version
        $result.Context | Should -Be 'MlConnector'
        $result.Errors | Should -Be 0
    }

    It 'left the real user''s PSResourceGet repositories as they were' {
        $after = if (Test-Path $UserRepositories) { (Get-FileHash $UserRepositories).Hash } else { 'absent' }
        $after | Should -Be $UserRepositoriesBefore
    }
}
