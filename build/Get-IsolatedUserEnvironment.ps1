<#
    The environment variables that give a child pwsh a home of its own under Root, so that PowerShell
    and PSResourceGet there read and write their user settings (PSResourceGet's repository list) and
    their user module path under Root instead of the real user's. The XDG variables and PSModulePath are
    removed (value $null): PSResourceGet installs under HOME while pwsh looks under XDG_DATA_HOME when it
    is set, so both must derive from the one HOME, and the child computes its module path afresh.
    On Windows, .NET asks the shell for the application-data folders and ignores these variables:
    callers also undo what they register (see build/Publish-ModulePackage.ps1).
#>
param([Parameter(Mandatory)] [string] $Root)
$userHome = (New-Item -ItemType Directory -Force -Path (Join-Path $Root 'home')).FullName
# .NET reports a special folder on Unix only once it exists; an empty answer sends NuGet (inside
# PSResourceGet) to write NuGet/NuGet.Config into the current directory.
foreach ($folder in '.config', '.local/share', '.cache') { New-Item -ItemType Directory -Force -Path (Join-Path $userHome $folder) | Out-Null }
return @{
    HOME                        = $userHome
    USERPROFILE                 = $userHome
    LOCALAPPDATA                = (New-Item -ItemType Directory -Force -Path (Join-Path $Root 'localappdata')).FullName
    APPDATA                     = (New-Item -ItemType Directory -Force -Path (Join-Path $Root 'appdata')).FullName
    XDG_DATA_HOME               = $null
    XDG_CONFIG_HOME             = $null
    XDG_CACHE_HOME              = $null
    PSModulePath                = $null
    POWERSHELL_TELEMETRY_OPTOUT = '1'
}
