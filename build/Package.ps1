#Requires -Version 7.4
<#
.SYNOPSIS
    Packages a built module folder two ways: the zip Azure Automation imports, and a .nupkg in a local
    file repository (what a private gallery serves).

.DESCRIPTION
    - <OutputPath>/MlConnector.zip: one top folder named after the module (MlConnector/) holding the
      manifest, MlConnector.dll, the format file, en-US help and Dependencies/ exactly as Build lays them
      out. Automation wants the zip, its top folder and the manifest to share the module's name, and no
      version folder in between; a module zip must stay under 100 MB.
    - <OutputPath>/MlConnector.<version>.nupkg: published with PSResourceGet's Publish-PSResource to
      <OutputPath> registered as a file repository. The registration is made in a child pwsh whose
      per-user settings folders point into a temporary folder, and unregistered afterwards, so the
      caller's own PSResourceGet repositories are never read or changed.

    Everything the module ships on the console also ships to Automation (native SQLite for win, linux
    and osx on x64 and arm64): the whole package is a few MB, far below the limit, and one layout
    everywhere means one thing to test.

    Writes one object: the paths and the sizes.
#>
[CmdletBinding()]
param(
    # The built module folder (out/MlConnector); its name is the module's name.
    [Parameter(Mandatory)] [string] $ModulePath,
    # Where the zip and the .nupkg go; emptied first.
    [Parameter(Mandatory)] [string] $OutputPath
)
Set-StrictMode -Version 3.0
$ErrorActionPreference = 'Stop'

$AutomationModuleLimitBytes = 100MB

$module = Get-Item -LiteralPath $ModulePath
$name = $module.Name
$manifestPath = Join-Path $module.FullName "$name.psd1"
if (-not (Test-Path $manifestPath)) { throw "No module manifest at ${manifestPath}: build the module first." }
$version = (Import-PowerShellDataFile $manifestPath).ModuleVersion

if (Test-Path $OutputPath) { Remove-Item $OutputPath -Recurse -Force }
$output = (New-Item -ItemType Directory -Force -Path $OutputPath).FullName

# The Automation zip: CreateFromDirectory with the base directory gives "MlConnector/..." entries with '/' separators.
$zip = Join-Path $output "$name.zip"
[System.IO.Compression.ZipFile]::CreateFromDirectory($module.FullName, $zip, [System.IO.Compression.CompressionLevel]::Optimal, $true)
$zipBytes = (Get-Item $zip).Length
if ($zipBytes -ge $AutomationModuleLimitBytes) {
    throw ("{0} is {1:N1} MB; Azure Automation refuses modules of 100 MB or more." -f $zip, ($zipBytes / 1MB))
}

# The .nupkg: Publish-PSResource in a child pwsh with its own settings folders.
$settings = Join-Path ([IO.Path]::GetTempPath()) ("mlc-psresourceget-" + [guid]::NewGuid().ToString('N'))
$start = [System.Diagnostics.ProcessStartInfo]::new('dotnet')
foreach ($argument in (Join-Path $PSHOME 'pwsh.dll'), '-NoProfile', '-NonInteractive', '-File', (Join-Path $PSScriptRoot 'Publish-ModulePackage.ps1'),
    '-ModulePath', $module.FullName, '-RepositoryPath', $output) { $start.ArgumentList.Add($argument) }
$start.UseShellExecute = $false
$start.WorkingDirectory = $output
foreach ($variable in (& (Join-Path $PSScriptRoot 'Get-IsolatedUserEnvironment.ps1') -Root $settings).GetEnumerator()) {
    if ($null -eq $variable.Value) { [void] $start.Environment.Remove($variable.Key) } else { $start.Environment[$variable.Key] = $variable.Value }
}
try {
    $process = [System.Diagnostics.Process]::Start($start)
    $process.WaitForExit()
    if ($process.ExitCode -ne 0) { throw "Publish-PSResource to $output failed (exit code $($process.ExitCode))." }
}
finally {
    Remove-Item $settings -Recurse -Force -ErrorAction SilentlyContinue
}

$nupkg = Join-Path $output "$name.$version.nupkg"
if (-not (Test-Path $nupkg)) { throw "Publish-PSResource did not write $nupkg." }
[pscustomobject]@{
    Zip          = $zip
    ZipBytes     = $zipBytes
    Nupkg        = $nupkg
    NupkgBytes   = (Get-Item $nupkg).Length
    Repository   = $output
    ModuleVersion = $version
}
