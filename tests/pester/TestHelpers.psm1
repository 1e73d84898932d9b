# Shared helpers for the Pester suite. Every test runs against the built module in out/MlConnector.

function Get-MlModulePath {
    if (-not $env:MLCONNECTOR_MODULE) { throw 'MLCONNECTOR_MODULE is not set: run the suite through build.ps1 Test.' }
    return Join-Path $env:MLCONNECTOR_MODULE 'MlConnector.psd1'
}

function Get-RepositoryRoot {
    return (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
}

<#
    Runs a script block in a fresh pwsh -NoProfile process (load contexts are per process, so
    isolation and import-time tests need their own) and returns what it wrote to the output stream,
    deserialised from JSON.
#>
function Invoke-InFreshPwsh {
    param(
        [Parameter(Mandatory)] [scriptblock] $ScriptBlock,
        [hashtable] $Environment = @{}
    )
    $file = Join-Path ([IO.Path]::GetTempPath()) ("mlc-{0}.ps1" -f [guid]::NewGuid())
    Set-Content -Path $file -Value ("`$ErrorActionPreference = 'Stop'`n& {`n$ScriptBlock`n} | ConvertTo-Json -Depth 5 -Compress")
    try {
        $start = [System.Diagnostics.ProcessStartInfo]::new('dotnet')
        foreach ($argument in (Join-Path $PSHOME 'pwsh.dll'), '-NoProfile', '-NonInteractive', '-File', $file) { $start.ArgumentList.Add($argument) }
        $start.RedirectStandardOutput = $true
        $start.RedirectStandardError = $true
        $start.Environment['MLCONNECTOR_MODULE'] = $env:MLCONNECTOR_MODULE
        # Plain text: colour escapes in a child's error text break Pester's NUnit report.
        $start.Environment['NO_COLOR'] = '1'
        # A $null value removes the variable from the child's environment.
        foreach ($key in $Environment.Keys) {
            if ($null -eq $Environment[$key]) { [void] $start.Environment.Remove($key) } else { $start.Environment[$key] = $Environment[$key] }
        }
        $process = [System.Diagnostics.Process]::Start($start)
        $stderr = $process.StandardError.ReadToEndAsync()
        $stdout = $process.StandardOutput.ReadToEnd()
        $process.WaitForExit()
        if ($process.ExitCode -ne 0) { throw "Child pwsh failed ($($process.ExitCode)): $($stderr.Result) $stdout" }
        return $stdout | ConvertFrom-Json
    }
    finally {
        Remove-Item $file -ErrorAction SilentlyContinue
    }
}

<#
    Puts the test double of Microsoft.PowerShell.SecretManagement (TestModules/) first on PSModulePath, with its
    vault file under -Folder and the named vaults registered; Disable-TestVault undoes it.
#>
function Enable-TestVault {
    param([Parameter(Mandatory)] [string] $Folder, [string[]] $Vaults = @('TestVault'))
    $script:ModulePathBeforeTestVault = $env:PSModulePath
    $env:PSModulePath = (Join-Path $PSScriptRoot 'TestModules') + [IO.Path]::PathSeparator + $env:PSModulePath
    $env:MLCONNECTOR_TEST_VAULT_FILE = Join-Path $Folder 'vault.json'
    $env:MLCONNECTOR_TEST_VAULTS = $Vaults -join ','
}

function Disable-TestVault {
    if ($script:ModulePathBeforeTestVault) { $env:PSModulePath = $script:ModulePathBeforeTestVault }
    Remove-Item Env:MLCONNECTOR_TEST_VAULT_FILE, Env:MLCONNECTOR_TEST_VAULTS -ErrorAction SilentlyContinue
}

<#
    Starts a script in a child pwsh (no profile, plain-text output) with extra environment variables ($null removes
    one) and returns the process, its stdout and stderr read in the background as .Output and .Errors.
#>
function Start-ChildPwsh {
    param([Parameter(Mandatory)] [string] $File, [object[]] $Arguments = @(), [hashtable] $Environment = @{})
    $start = [System.Diagnostics.ProcessStartInfo]::new('dotnet')
    foreach ($argument in @((Join-Path $PSHOME 'pwsh.dll'), '-NoProfile', '-NonInteractive', '-File', $File) + $Arguments) { $start.ArgumentList.Add([string] $argument) }
    $start.RedirectStandardOutput = $true
    $start.RedirectStandardError = $true
    $start.Environment['MLCONNECTOR_MODULE'] = $env:MLCONNECTOR_MODULE
    $start.Environment['NO_COLOR'] = '1'
    foreach ($key in $Environment.Keys) {
        if ($null -eq $Environment[$key]) { [void] $start.Environment.Remove($key) } else { $start.Environment[$key] = [string] $Environment[$key] }
    }
    $process = [System.Diagnostics.Process]::Start($start)
    $process | Add-Member -NotePropertyName Output -NotePropertyValue $process.StandardOutput.ReadToEndAsync()
    $process | Add-Member -NotePropertyName Errors -NotePropertyValue $process.StandardError.ReadToEndAsync()
    return $process
}

<#
    The azurite-table the suite started for this run (HTTPS with a pinned certificate, bearer tokens checked, Shared
    Key too): TableEndpoint, Thumbprint, ConnectionString (the emulator's published development account), and
    StateStore(): a -StateStore reference to it through a test vault secret, with tables of the caller's own.
#>
function Get-TestAzurite {
    if (-not $env:MLCONNECTOR_TEST_AZURITE) { throw 'MLCONNECTOR_TEST_AZURITE is not set: run the suite through build.ps1 Test (Invoke-PesterSuite.ps1 starts azurite-table).' }
    $azurite = $env:MLCONNECTOR_TEST_AZURITE | ConvertFrom-Json
    # -StateStore for a table store whose connection string is the vault secret $SecretName, with its own tables.
    $azurite | Add-Member -MemberType ScriptMethod -Name VaultReference -Value {
        param([string] $Vault, [string] $SecretName, [string] $TablePrefix)
        "vault:$Vault/$SecretName`?tablePrefix=$TablePrefix&tlsThumbprint=$($this.Thumbprint)"
    }
    # -StateStore for the Automation managed identity, with its own tables.
    $azurite | Add-Member -MemberType ScriptMethod -Name IdentityReference -Value {
        param([string] $TablePrefix)
        "$($this.TableEndpoint)?tablePrefix=$TablePrefix&tlsThumbprint=$($this.Thumbprint)"
    }
    return $azurite
}

# A table prefix no other test of this run uses.
function New-TestTablePrefix([string] $Name) { $Name + [guid]::NewGuid().ToString('N').Substring(0, 10) }

<#
    Every row of every table of a SQLite state database, read-only, as text: an ordered dictionary of table name to
    sorted row lines (each row's columns as compact JSON). Reads through the Microsoft.Data.Sqlite the imported module
    loaded into its own load context, so the test needs no SQLite of its own. Returns $null when the file does not exist.
#>
function Get-StateTables {
    param([Parameter(Mandatory)] [string] $Path)
    if (-not (Test-Path $Path)) { return $null }
    $sqlite = [AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -eq 'Microsoft.Data.Sqlite' } | Select-Object -First 1
    if (-not $sqlite) {
        # Get-MlModuleInfo reads the SQLite version, which loads the module's SQLite.
        $null = Get-MlModuleInfo
        $sqlite = [AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -eq 'Microsoft.Data.Sqlite' } | Select-Object -First 1
    }
    $connection = [Activator]::CreateInstance($sqlite.GetType('Microsoft.Data.Sqlite.SqliteConnection'), @("Data Source=$Path;Mode=ReadOnly;Pooling=False"))
    try {
        $connection.Open()
        $tables = [ordered]@{}
        $names = [System.Collections.Generic.List[string]]::new()
        $command = $connection.CreateCommand()
        $command.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name;"
        $reader = $command.ExecuteReader()
        while ($reader.Read()) { $names.Add($reader.GetString(0)) }
        $reader.Dispose()
        foreach ($name in $names) {
            $command = $connection.CreateCommand()
            $command.CommandText = "SELECT * FROM `"$name`";"
            $reader = $command.ExecuteReader()
            $rows = [System.Collections.Generic.List[string]]::new()
            while ($reader.Read()) {
                $row = [ordered]@{}
                for ($i = 0; $i -lt $reader.FieldCount; $i++) { $row[$reader.GetName($i)] = if ($reader.IsDBNull($i)) { $null } else { "$($reader.GetValue($i))" } }
                $rows.Add(($row | ConvertTo-Json -Compress))
            }
            $reader.Dispose()
            $tables[$name] = @($rows | Sort-Object)
        }
        return $tables
    }
    finally { $connection.Dispose() }
}

<# Every file under a folder (recursively) with its content, as sorted "path: content" text; empty when the folder is absent. #>
function Get-FolderText {
    param([Parameter(Mandatory)] [string] $Path, [string[]] $Exclude = @())
    if (-not (Test-Path $Path)) { return @() }
    @(Get-ChildItem $Path -Recurse -File | Where-Object { $file = $_; -not ($Exclude | Where-Object { $file.Name -like $_ }) } | Sort-Object FullName |
        ForEach-Object { "$([IO.Path]::GetRelativePath($Path, $_.FullName)): $(Get-Content -Raw $_.FullName)" })
}

Export-ModuleMember -Function Get-MlModulePath, Get-RepositoryRoot, Invoke-InFreshPwsh, Start-ChildPwsh, Enable-TestVault, Disable-TestVault, Get-TestAzurite, New-TestTablePrefix,
    Get-StateTables, Get-FolderText
