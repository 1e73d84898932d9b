# Starts the published sandbox (out/sandbox, published by build.ps1) as a child process, reads its one
# JSON readiness line, and gives the caller the parameters to connect to it. Used by build.ps1 Sandbox and
# by the Pester tests (through tests/pester/SandboxHelpers.psm1).

function Start-MlSandbox {
    # -Switches passes further program arguments, for example @('--commit-lag', 30, '--upsert-duplicates') (docs/sandbox.md).
    param([int] $Customers = 30, [int] $Seed = 7, [int] $MarketoLeads = 0, [switch] $CrmSync, [object[]] $Switches = @())
    $root = (Resolve-Path (Join-Path $PSScriptRoot '..')).Path
    $dll = Join-Path $root 'out/sandbox/MlConnector.Sandbox.dll'
    if (-not (Test-Path $dll)) { throw "The sandbox is not published at ${dll}: run build.ps1 Build first." }
    $start = [System.Diagnostics.ProcessStartInfo]::new('dotnet')
    foreach ($argument in @($dll, '--customers', $Customers, '--seed', $Seed, '--marketo-leads', $MarketoLeads, '--port', 0, '--https-port', 0)) { $start.ArgumentList.Add([string] $argument) }
    if ($CrmSync) { $start.ArgumentList.Add('--crm-sync') }
    foreach ($argument in $Switches) { $start.ArgumentList.Add([string] $argument) }
    $start.RedirectStandardOutput = $true
    $start.RedirectStandardError = $true
    $process = [System.Diagnostics.Process]::Start($start)
    $read = $process.StandardOutput.ReadLineAsync()
    if (-not $read.Wait([TimeSpan]::FromSeconds(30)) -or -not $read.Result) {
        $process.Kill($true)
        throw "The sandbox did not report ready: $($process.StandardError.ReadToEnd())"
    }
    $info = $read.Result | ConvertFrom-Json
    $info | Add-Member -NotePropertyName Process -NotePropertyValue $process
    $info | Add-Member -NotePropertyName HttpBase -NotePropertyValue ([uri] $info.adminUrl).GetLeftPart([UriPartial]::Authority)
    return $info
}

function Stop-MlSandbox {
    param($Sandbox)
    if ($Sandbox -and -not $Sandbox.Process.HasExited) {
        $Sandbox.Process.Kill($true)
        $Sandbox.Process.WaitForExit(5000) | Out-Null
    }
}

# Splat for Connect-MlBusinessCentral against the sandbox (without the secret part).
function Get-SandboxBcParameters {
    param($Sandbox)
    @{
        TenantId              = $Sandbox.tenantId
        Environment           = $Sandbox.environment
        Company               = $Sandbox.companyName
        BaseUri               = $Sandbox.HttpBase + '/'
        AuthorityHost         = ([uri] $Sandbox.entraAuthority).GetLeftPart([UriPartial]::Authority) + '/'
        SandboxTlsThumbprint  = $Sandbox.certificateThumbprint
    }
}

function Get-SandboxMarketoParameters {
    param($Sandbox)
    @{
        MunchkinId = $Sandbox.munchkinId
        BaseUri    = $Sandbox.HttpBase + '/'
    }
}

function ConvertTo-SecureText([string] $Text) { ConvertTo-SecureString -String $Text -AsPlainText -Force }

# Connects the imported MlConnector module to both simulators of a started sandbox with the secrets it accepts.
function Connect-MlSandbox {
    param($Sandbox)
    $bc = Get-SandboxBcParameters $Sandbox
    Connect-MlBusinessCentral @bc -ClientId $Sandbox.bcClientId -ClientSecret (ConvertTo-SecureText $Sandbox.bcClientSecret)
    $marketo = Get-SandboxMarketoParameters $Sandbox
    Connect-MlMarketo @marketo -ClientId $Sandbox.marketoClientId -ClientSecret (ConvertTo-SecureText $Sandbox.marketoClientSecret)
}

# Switches the running sandbox through its admin API.
function Invoke-SandboxAdmin {
    param($Sandbox, [string] $Path, $Body)
    Invoke-RestMethod -Method Post -Uri ($Sandbox.adminUrl.TrimEnd('/') + '/' + $Path) -ContentType 'application/json' -Body ($Body | ConvertTo-Json -Compress)
}

Export-ModuleMember -Function Start-MlSandbox, Stop-MlSandbox, Get-SandboxBcParameters, Get-SandboxMarketoParameters, ConvertTo-SecureText, Connect-MlSandbox, Invoke-SandboxAdmin
