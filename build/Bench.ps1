#Requires -Version 7.4
<#
.SYNOPSIS
    The benchmark scenarios (build.ps1 Bench): each against a freshly started standalone sandbox, measured from the
    sandbox's own journal; writes <ResultsPath>/results.json and prints the table and the checks.

.DESCRIPTION
    Invoked by build.ps1 Bench after it has built the module and published the sandbox (out/sandbox) and the
    SyncRunner (out/syncrunner). Scenarios: initial-load, no-change and one-percent on 10,000 customers, crm-sync,
    large (100,000 customers), reverse-new-leads (1,000 Marketo leads into BC), notify-latency
    (build/Bench-NotifyLatency.ps1: 50 changes through a notification listener, from each notification's arrival to
    its Marketo write) and runbook-large (Invoke-MlSync in its own pwsh process against 100,000 customers with the
    table state store on Azurite over HTTPS, signed in with the sandbox's managed identity endpoint; the peak working
    set of that whole process is the figure to hold against Azure Automation's 400 MB). -Quick leaves out the two
    100,000-customer scenarios; -Scenario runs only the named ones (a group runs whole: initial-load, no-change and
    one-percent share one sandbox); -RunbookCustomers sizes runbook-large (for trying it out smaller).
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $OutRoot,
    [Parameter(Mandatory)] [string] $ResultsPath,
    [switch] $Quick,
    [string[]] $Scenario,
    [ValidateRange(1, 100000)]
    [int] $RunbookCustomers = 100000
)

Set-StrictMode -Version 3.0
$ErrorActionPreference = 'Stop'

$BenchCallsPer20s = 50          # the connector's default share of Marketo's 100 calls per 20 s
$BenchMarketoLatencyMs = 100    # added to every Marketo REST call (identity calls are not delayed)

function Start-BenchSandbox {
    param([int] $Customers, [switch] $CrmSync)
    $arguments = @((Join-Path $OutRoot 'sandbox/MlConnector.Sandbox.dll'), '--customers', $Customers, '--seed', 7, '--port', 0)
    if ($CrmSync) { $arguments += '--crm-sync' }
    $info = [System.Diagnostics.ProcessStartInfo]::new('dotnet')
    foreach ($a in $arguments) { $info.ArgumentList.Add([string] $a) }
    $info.RedirectStandardOutput = $true
    $info.UseShellExecute = $false
    $process = [System.Diagnostics.Process]::Start($info)
    $read = $process.StandardOutput.ReadLineAsync()
    if (-not $read.Wait([TimeSpan]::FromMinutes(5)) -or -not $read.Result) {
        if (-not $process.HasExited) { $process.Kill($true) }
        throw "The sandbox with $Customers customers did not print its ready line within 5 minutes."
    }
    $line = $read.Result
    $ready = $line | ConvertFrom-Json
    $file = Join-Path $script:BenchWork "sandbox-$($process.Id).json"
    Set-Content -Path $file -Value $line -NoNewline
    $admin = $ready.adminUrl
    # Marketo's real limits are the simulator's defaults (100 per 20 s, 10 concurrent); add the latency. Service 2 = Marketo.
    Invoke-RestMethod -Method Post -Uri "${admin}faults" -ContentType 'application/json' -Body (@{ service = 2; latencyMs = $BenchMarketoLatencyMs } | ConvertTo-Json) | Out-Null
    $bc = Invoke-RestMethod -Uri "${admin}bc"
    Write-Host ("  sandbox pid {0}: {1} customers, {2} contacts; Marketo +{3} ms per REST call" -f $process.Id, $bc.customers, $bc.contacts, $BenchMarketoLatencyMs)
    return [pscustomobject]@{ Process = $process; File = $file; Admin = $admin }
}

function Stop-BenchSandbox($Sandbox) {
    if (-not $Sandbox.Process.HasExited) { $Sandbox.Process.Kill($true); $Sandbox.Process.WaitForExit() }
    $Sandbox.Process.Dispose()
}

function Invoke-Runner {
    param([string[]] $Arguments)
    $output = & dotnet (Join-Path $OutRoot 'syncrunner/MlConnector.SyncRunner.dll') @Arguments
    if ($LASTEXITCODE -ne 0) { throw "SyncRunner $($Arguments -join ' ') failed with exit code $LASTEXITCODE." }
    return ($output | Select-Object -Last 1) | ConvertFrom-Json
}

# Calls the sandbox served since the journal was last cleared. Enum SandboxService: 1 BusinessCentral, 2 Marketo (REST), 3 MarketoIdentity.
function Get-JournalCounts($Sandbox) {
    $journal = @(Invoke-RestMethod -Uri "$($Sandbox.Admin)journal" | ForEach-Object { $_ })
    $marketo = @($journal | Where-Object service -EQ 2)
    $writes = @($marketo | Where-Object { $_.method -eq 'POST' -and $_.path -match '^/rest/v1/(leads|companies)\.json' -and $_.path -notmatch '_method=GET' })
    return [pscustomobject]@{
        MarketoCalls = $marketo.Count
        MarketoWrites = $writes.Count
        BcCalls = @($journal | Where-Object service -EQ 1).Count
    }
}

# A scenario's row: what the sandbox journal counted, what Marketo holds against BC (verify), and what the run reported.
function Measure-BenchScenario([string] $Name, $Sandbox, $Run, [int] $IdealCompanies, [int] $IdealLeads) {
    $counts = Get-JournalCounts $Sandbox
    $verify = Invoke-Runner @('verify', '--sandbox-json', $Sandbox.File)
    $ideal = [math]::Ceiling($IdealCompanies / 300) + [math]::Ceiling($IdealLeads / 300) + 1
    return [ordered]@{
        name = $Name
        customers = [int] $verify.customers
        contacts = [int] $verify.personContacts
        marketoCalls = $counts.MarketoCalls
        idealMarketoCalls = [int] $ideal
        bcCalls = $counts.BcCalls
        wallSeconds = [double] $Run.wallSeconds
        quotaBoundSeconds = [math]::Round($ideal / ($BenchCallsPer20s / 20.0), 1)
        peakWorkingSetMb = [double] $Run.peakWorkingSetMb
        lost = [int] $verify.lost
        duplicates = [int] $verify.duplicates
        marketoWrites = $counts.MarketoWrites
        companiesToWrite = $IdealCompanies
        leadsToWrite = $IdealLeads
        created = [int] $Run.created; updated = [int] $Run.updated; unchanged = [int] $Run.unchanged; skipped = [int] $Run.skipped; failed = [int] $Run.failed
    }
}

function Invoke-BenchScenario {
    param([string] $Name, $Sandbox, [string] $State, [int] $IdealCompanies, [int] $IdealLeads)
    Invoke-RestMethod -Method Delete -Uri "$($Sandbox.Admin)journal" | Out-Null
    Write-Host "  $Name`: syncing..."
    $run = Invoke-Runner @('sync', '--sandbox-json', $Sandbox.File, '--state', $State, '--audit', (Join-Path $script:BenchWork 'audit'),
        '--calls-per-20s', $BenchCallsPer20s, '--max-concurrency', 5)
    $result = Measure-BenchScenario $Name $Sandbox $run $IdealCompanies $IdealLeads
    $result.planningEndsAt = $run.planningEndsAt
    $result.connectorMarketoCalls = [int] $run.marketoCalls
    $result.connectorBcCalls = [int] $run.bcCalls
    Write-Host ("  {0}: {1} Marketo calls (ideal {2}), {3} BC calls, {4} s (quota bound {5} s), {6} MB, lost {7}, duplicates {8}" -f $Name,
        $result.marketoCalls, $result.idealMarketoCalls, $result.bcCalls, $result.wallSeconds, $result.quotaBoundSeconds, $result.peakWorkingSetMb, $result.lost, $result.duplicates)
    return $result
}

function Test-BenchScenario([string[]] $Names) { -not $Scenario -or @($Names | Where-Object { $_ -in $Scenario }).Count -gt 0 }

# reverse-new-leads: 1,000 qualified leads marketing created (30 % name an existing BC customer in externalCompanyId, the
# rest new companies of one to three leads) read from the change feed and written into BC in one Marketo → BC pass.
# idealBcCalls = the reads the pass made (every BC call but the $batch calls that carried writes) + ceil(writes / 100).
function Get-RunCount($Run, [string] $Name) { if ($Run.PSObject.Properties[$Name]) { [int] $Run.$Name } else { 0 } }

function Invoke-ReverseScenario($Sandbox) {
    $leadsFile = Join-Path $script:BenchWork 'reverse-leads.json'
    $since = [DateTimeOffset]::UtcNow.AddMinutes(-1).ToString('o')
    $seeded = Invoke-Runner @('marketing-leads', '--sandbox-json', $Sandbox.File, '--count', 1000, '--matching-percent', 30, '--seed', 7, '--out', $leadsFile)
    Invoke-RestMethod -Method Delete -Uri "$($Sandbox.Admin)journal" | Out-Null
    Write-Host '  reverse-new-leads: syncing...'
    $run = Invoke-Runner @('reverse', '--sandbox-json', $Sandbox.File, '--state', (Join-Path $script:BenchWork 'state-reverse.db'), '--audit', (Join-Path $script:BenchWork 'audit'),
        '--since', $since, '--calls-per-20s', $BenchCallsPer20s, '--max-concurrency', 5)
    $counts = Get-JournalCounts $Sandbox
    $verify = Invoke-Runner @('verify-reverse', '--sandbox-json', $Sandbox.File, '--leads', $leadsFile)
    $writes = [int] $run.bcWriteOperations
    $reads = $counts.BcCalls - [int] $run.bcWriteCalls
    $load = Get-LoadAverage
    $result = [ordered]@{
        name = 'reverse-new-leads'
        leads = [int] $seeded.leads
        matchingExisting = [int] $seeded.matchingExisting
        newCompanies = [int] $seeded.newCompanies
        bcCalls = $counts.BcCalls
        idealBcCalls = [int] ($reads + [math]::Ceiling($writes / 100))
        bcReadCalls = $reads
        bcWriteCalls = [int] $run.bcWriteCalls
        bcWriteOperations = $writes
        marketoCalls = $counts.MarketoCalls
        marketoWrites = $counts.MarketoWrites
        wallSeconds = [double] $run.wallSeconds
        loadAverage = $load
        peakWorkingSetMb = [double] $run.peakWorkingSetMb
        customersCreated = Get-RunCount $run 'customerCreated'
        contactsCreated = Get-RunCount $run 'contactCreated'
        failed = (Get-RunCount $run 'contactFailed') + (Get-RunCount $run 'customerFailed')
        lost = [int] $verify.lost
        duplicates = [int] $verify.duplicates
        misplaced = [int] $verify.misplaced
    }
    Write-Host ("  reverse-new-leads: {0} BC calls (ideal {1}: {2} reads + ceil({3} writes / 100)), {4} Marketo calls, {5} s (load {6}), lost {7}, duplicates {8}" -f
        $result.bcCalls, $result.idealBcCalls, $reads, $writes, $result.marketoCalls, $result.wallSeconds, $load, $result.lost, $result.duplicates)
    return $result
}

function Get-BenchChecks($Scenarios) {
    $checks = [System.Collections.Generic.List[object]]::new()
    function Add-Check([string] $Scenario, [string] $Target, [bool] $Met, [string] $Measured) {
        $checks.Add([pscustomobject]@{ scenario = $Scenario; target = $Target; met = $Met; measured = $Measured })
    }
    foreach ($s in $Scenarios) {
        Add-Check $s.name 'lost = 0 and duplicates = 0' ($s.lost -eq 0 -and $s.duplicates -eq 0) "lost $($s.lost), duplicates $($s.duplicates)"
        switch ($s.name) {
            'initial-load' {
                Add-Check $s.name 'marketoCalls <= 1.05 x ideal' ($s.marketoCalls -le 1.05 * $s.idealMarketoCalls) "$($s.marketoCalls) vs $($s.idealMarketoCalls)"
                Add-Check $s.name 'wallSeconds <= 1.15 x quotaBoundSeconds' ($s.wallSeconds -le 1.15 * $s.quotaBoundSeconds) "$($s.wallSeconds) s vs $($s.quotaBoundSeconds) s"
                Add-Check $s.name 'peakWorkingSetMb <= 300' ($s.peakWorkingSetMb -le 300) "$($s.peakWorkingSetMb) MB"
            }
            'no-change' {
                Add-Check $s.name '0 Marketo writes' ($s.marketoWrites -eq 0) "$($s.marketoWrites) write calls of $($s.marketoCalls) Marketo calls"
                Add-Check $s.name '<= 3 BC calls' ($s.bcCalls -le 3) "$($s.bcCalls) BC calls"
            }
            'one-percent' {
                Add-Check $s.name 'Marketo calls in proportion to the changes' ($s.marketoCalls -le $s.idealMarketoCalls + 2) "$($s.marketoCalls) calls ($($s.marketoWrites) writes) for $($s.companiesToWrite) companies and $($s.leadsToWrite) leads; ideal $($s.idealMarketoCalls)"
            }
            'large' { Add-Check $s.name 'peakWorkingSetMb <= 300' ($s.peakWorkingSetMb -le 300) "$($s.peakWorkingSetMb) MB" }
            'runbook-large' { Add-Check $s.name 'peakWorkingSetMb <= 400 (the whole pwsh process)' ($s.peakWorkingSetMb -le 400) "$($s.peakWorkingSetMb) MB" }
            'reverse-new-leads' {
                Add-Check $s.name 'bcCalls <= 1.10 x idealBcCalls' ($s.bcCalls -le 1.10 * $s.idealBcCalls) "$($s.bcCalls) vs $($s.idealBcCalls)"
                Add-Check $s.name 'every lead one contact, every new company one customer, none misplaced' ($s.misplaced -eq 0 -and $s.contactsCreated -eq $s.leads) "$($s.contactsCreated) contacts for $($s.leads) leads, $($s.customersCreated) customers for $($s.newCompanies) new companies, misplaced $($s.misplaced)"
            }
            'notify-latency' { Add-Check $s.name 'median from notification arrival to Marketo write < 2000 ms' ($s.medianMs -lt 2000) "median $($s.medianMs) ms, p95 $($s.p95Ms) ms over $($s.measured) changes (load average $($s.loadAverage))" }
        }
    }
    return $checks
}

# runbook-large: one Invoke-MlSync in a pwsh process of its own, as an Automation job runs it, with the table store
# on Azurite (HTTPS, --oauth basic) reached through the sandbox's managed-identity endpoint. Returns the scenario row.
function Invoke-RunbookScenario($Sandbox, [int] $IdealCompanies, [int] $IdealLeads) {
    Import-Module (Join-Path $PSScriptRoot 'Azurite.psm1')
    # Azurite keeps every row in its Node heap: give it room for a few hundred thousand.
    $nodeOptions = $env:NODE_OPTIONS
    $env:NODE_OPTIONS = '--max-old-space-size=8192'
    try { $azurite = Start-Azurite -Https }
    finally { $env:NODE_OPTIONS = $nodeOptions }
    try {
        $ready = Get-Content -Raw $Sandbox.File | ConvertFrom-Json
        $job = Join-Path $script:BenchWork 'runbook-large.ps1'
        Set-Content -Path $job -Value @'
param([string] $ModulePath, [string] $SandboxFile, [string] $StateStore)
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
$s = Get-Content -Raw $SandboxFile | ConvertFrom-Json
$http = ([uri] $s.adminUrl).GetLeftPart([UriPartial]::Authority) + '/'
Import-Module $ModulePath
Connect-MlBusinessCentral -TenantId $s.tenantId -Environment $s.environment -Company $s.companyName -BaseUri $http `
    -AuthorityHost (([uri] $s.entraAuthority).GetLeftPart([UriPartial]::Authority) + '/') -SandboxTlsThumbprint $s.certificateThumbprint `
    -ClientId $s.bcClientId -ClientSecret (ConvertTo-SecureString $s.bcClientSecret -AsPlainText -Force)
Connect-MlMarketo -MunchkinId $s.munchkinId -BaseUri $http -CallsPer20Seconds 50 -MaxConcurrency 5 `
    -ClientId $s.marketoClientId -ClientSecret (ConvertTo-SecureString $s.marketoClientSecret -AsPlainText -Force)
$clock = [Diagnostics.Stopwatch]::StartNew()
$summary = Invoke-MlSync -StateStore $StateStore -RefreshFinancials Never
$peak = if (Test-Path /proc/self/status) { [double] ((Get-Content /proc/self/status | Where-Object { $_ -like 'VmHWM:*' }) -split '\s+')[1] / 1024 }
        else { [Diagnostics.Process]::GetCurrentProcess().PeakWorkingSet64 / 1MB }
[ordered]@{
    created = $summary.Created; updated = $summary.Updated; unchanged = $summary.Unchanged; skipped = $summary.Skipped; failed = $summary.Failed
    marketoCalls = $summary.MarketoCalls; bcCalls = $summary.BusinessCentralCalls
    wallSeconds = [math]::Round($clock.Elapsed.TotalSeconds, 1); peakWorkingSetMb = [math]::Round($peak, 1)
} | ConvertTo-Json -Compress
'@
        $start = [System.Diagnostics.ProcessStartInfo]::new('dotnet')
        $store = "$($azurite.TableEndpoint)?tablePrefix=Bench&tlsThumbprint=$($azurite.Thumbprint)"
        foreach ($a in (Join-Path $PSHOME 'pwsh.dll'), '-NoProfile', '-NonInteractive', '-File', $job, '-ModulePath', (Join-Path $OutRoot 'MlConnector/MlConnector.psd1'),
            '-SandboxFile', $Sandbox.File, '-StateStore', $store) { $start.ArgumentList.Add([string] $a) }
        $start.RedirectStandardOutput = $true
        $start.RedirectStandardError = $true
        $start.UseShellExecute = $false
        $start.Environment['IDENTITY_ENDPOINT'] = $ready.identityEndpoint
        $start.Environment['IDENTITY_HEADER'] = $ready.identityHeader
        $start.Environment['MLCONNECTOR_HOME'] = Join-Path $script:BenchWork 'runbook-home'
        Invoke-RestMethod -Method Delete -Uri "$($Sandbox.Admin)journal" | Out-Null
        Write-Host '  runbook-large: Invoke-MlSync in a pwsh process, table store on Azurite...'
        $process = [System.Diagnostics.Process]::Start($start)
        $errors = $process.StandardError.ReadToEndAsync()
        $output = $process.StandardOutput.ReadToEnd()
        $process.WaitForExit()
        if ($process.ExitCode -ne 0) { throw "runbook-large failed ($($process.ExitCode)): $($errors.Result) $output" }
        $run = ($output -split "`n" | Where-Object { $_.Trim().StartsWith('{') } | Select-Object -Last 1) | ConvertFrom-Json
        $result = Measure-BenchScenario 'runbook-large' $Sandbox $run $IdealCompanies $IdealLeads
        $result.loadAverage = Get-LoadAverage
        Write-Host ("  runbook-large: {0} Marketo calls (ideal {1}), {2} s (quota bound {3} s), peak working set of the pwsh process {4} MB, lost {5}, duplicates {6}, load {7}" -f
            $result.marketoCalls, $result.idealMarketoCalls, $result.wallSeconds, $result.quotaBoundSeconds, $result.peakWorkingSetMb, $result.lost, $result.duplicates, $result.loadAverage)
        return $result
    }
    finally { Stop-Azurite $azurite }
}

# The machine is shared: the 1-, 5- and 15-minute load averages when a scenario ends, to read its times by.
function Get-LoadAverage {
    if (Test-Path /proc/loadavg) { return ((Get-Content /proc/loadavg) -split ' ')[0..2] -join ' ' }
    return 'n/a'
}

# ---- The run ----

$benchOut = $ResultsPath
$script:BenchWork = Join-Path $benchOut 'work'
if (Test-Path $script:BenchWork) { Remove-Item $script:BenchWork -Recurse -Force }
New-Item -ItemType Directory -Force -Path $script:BenchWork | Out-Null
$scenarios = [System.Collections.Generic.List[object]]::new()

if (Test-BenchScenario 'initial-load', 'no-change', 'one-percent') {
Write-Host 'Bench: initial-load, no-change, one-percent (10,000 customers)'
$sandbox = Start-BenchSandbox -Customers 10000
try {
    $state = Join-Path $script:BenchWork 'state-10k.db'
    $expected = Invoke-Runner @('verify', '--sandbox-json', $sandbox.File)
    $scenarios.Add((Invoke-BenchScenario 'initial-load' $sandbox $state $expected.expectedCompanies $expected.expectedLeads))
    $scenarios.Add((Invoke-BenchScenario 'no-change' $sandbox $state 0 0))
    $touched = Invoke-Runner @('touch', '--sandbox-json', $sandbox.File, '--percent', 1, '--seed', 7)
    $scenarios.Add((Invoke-BenchScenario 'one-percent' $sandbox $state $touched.changedCustomers $touched.changedContacts))
}
finally { Stop-BenchSandbox $sandbox }
}

if (Test-BenchScenario 'crm-sync') {
Write-Host 'Bench: crm-sync (10,000 customers, Marketo companies read-only)'
$sandbox = Start-BenchSandbox -Customers 10000 -CrmSync
try {
    $expected = Invoke-Runner @('verify', '--sandbox-json', $sandbox.File)
    $scenarios.Add((Invoke-BenchScenario 'crm-sync' $sandbox (Join-Path $script:BenchWork 'state-crm.db') 0 $expected.expectedLeads))
}
finally { Stop-BenchSandbox $sandbox }
}

if (Test-BenchScenario 'reverse-new-leads') {
Write-Host 'Bench: reverse-new-leads (1,000 qualified new Marketo leads into Business Central, 2,000 customers)'
$sandbox = Start-BenchSandbox -Customers 2000
try { $scenarios.Add((Invoke-ReverseScenario $sandbox)) }
finally { Stop-BenchSandbox $sandbox }
}

if (-not (Test-BenchScenario 'large')) { }
elseif ($Quick) { Write-Host 'Bench: large skipped (-Quick)' }
else {
    Write-Host 'Bench: large (100,000 customers)'
    $sandbox = Start-BenchSandbox -Customers 100000
    try {
        $expected = Invoke-Runner @('verify', '--sandbox-json', $sandbox.File)
        $scenarios.Add((Invoke-BenchScenario 'large' $sandbox (Join-Path $script:BenchWork 'state-100k.db') $expected.expectedCompanies $expected.expectedLeads))
    }
    finally { Stop-BenchSandbox $sandbox }
}

if (-not (Test-BenchScenario 'runbook-large')) { }
elseif ($Quick) { Write-Host 'Bench: runbook-large skipped (-Quick)' }
else {
    Write-Host ("Bench: runbook-large ({0:N0} customers, table store on Azurite, one pwsh process)" -f $RunbookCustomers)
    $sandbox = Start-BenchSandbox -Customers $RunbookCustomers
    try {
        $expected = Invoke-Runner @('verify', '--sandbox-json', $sandbox.File)
        $scenarios.Add((Invoke-RunbookScenario $sandbox $expected.expectedCompanies $expected.expectedLeads))
    }
    finally { Stop-BenchSandbox $sandbox }
}

$null = & (Join-Path $PSScriptRoot 'Measure-SandboxScale.ps1') -SandboxPath (Join-Path $OutRoot 'sandbox') -OutFile (Join-Path $benchOut 'sandbox-scale.json')
if (Test-BenchScenario 'notify-latency') {
    Write-Host 'Bench: notify-latency (50 changes, one at a time, through Start-MlNotificationListener)'
    $notify = & dotnet (Join-Path $PSHOME 'pwsh.dll') -NoProfile -NonInteractive -File (Join-Path $PSScriptRoot 'Bench-NotifyLatency.ps1') `
        -ModulePath (Join-Path $OutRoot 'MlConnector') -WorkPath $script:BenchWork -MarketoLatencyMs $BenchMarketoLatencyMs
    if ($LASTEXITCODE -ne 0) { throw "The notify-latency scenario failed with exit code $LASTEXITCODE." }
    $scenarios.Add(($notify | Select-Object -Last 1 | ConvertFrom-Json -AsHashtable))
}

$checks = Get-BenchChecks $scenarios
$results = [ordered]@{
    scenarios = $scenarios
    checks = $checks
    notes = [ordered]@{
        marketoCalls = 'REST calls in the sandbox journal (service Marketo); identity (token) calls excluded; retries included.'
        bcCalls = 'Business Central API calls in the sandbox journal; Entra token calls excluded.'
        contacts = 'Person contacts in BC (company contacts, one per customer, are not counted).'
        idealMarketoCalls = 'ceil(companies/300) + ceil(leads/300) + 1, companies and leads being those that must be written (the changed ones for one-percent; no companies under CRM sync).'
        quotaBoundSeconds = "idealMarketoCalls / ($BenchCallsPer20s / 20 s)"
        limits = "Marketo simulator at 100 calls per 20 s and 10 concurrent, +$BenchMarketoLatencyMs ms per REST call; connector at $BenchCallsPer20s per 20 s and 5 concurrent."
        lostAndDuplicates = 'Marketo state (admin API) against BC (BC API): one company per customer by externalCompanyId (not under CRM sync), one lead per distinct normalized usable person email.'
        runbookLarge = 'Invoke-MlSync in its own pwsh process (the module imported, both connections, the table state store on Azurite over HTTPS, tokens from the sandbox identity endpoint); peakWorkingSetMb is that process''s VmHWM (peak resident set).'
        idealBcCalls = 'reverse-new-leads: the pass''s read calls (every BC call in the journal but the $batch calls that carried writes, as the engine counts them) + ceil(write operations / 100).'
        loadAverage = 'The 1, 5 and 15 minute load average when the scenario ended: the machine is shared, so wall times are noisy; call counts are not.'
        notifyLatency = 'From the sandbox delivery''s start (the notification''s arrival at the listener) to the completion of the Marketo company write, per change, both on the sandbox clock; the sandbox''s notification delay is set to 0 and not measured. 200 customers, Marketo +latency as above. listenerMedianMs: the listener''s own view (enqueue to end of its batch). loadAverage: /proc/loadavg at the end.'
    }
}
$file = Join-Path $benchOut 'results.json'
$results | ConvertTo-Json -Depth 6 | Set-Content -Path $file
$scenarios | ForEach-Object { [pscustomobject] $_ } |
    Format-Table name, customers, contacts, marketoCalls, idealMarketoCalls, bcCalls, idealBcCalls, wallSeconds, quotaBoundSeconds, peakWorkingSetMb, lost, duplicates -AutoSize |
    Out-String -Width 200 | Write-Host
$checks | Format-Table scenario, target, met, measured -AutoSize | Out-String -Width 200 | Write-Host
Write-Host "Bench results: $file"
