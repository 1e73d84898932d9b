#Requires -Version 7.4
<#
.SYNOPSIS
    The benchmark scenarios (build.ps1 Bench): each against a freshly started standalone sandbox, measured from the
    sandbox's own journal; writes <ResultsPath>/results.json and prints the table and the checks.

.DESCRIPTION
    Invoked by build.ps1 Bench after it has built the module and published the sandbox (out/sandbox) and the
    SyncRunner (out/syncrunner). Scenarios: initial-load, no-change and one-percent on 10,000 customers, crm-sync, budget
    (10,000 customers under -DailyCallBudget), reverse-new-leads (1,000 Marketo leads into BC), notify-latency
    (build/Bench-NotifyLatency.ps1: 50 changes through a notification listener, from each notification's arrival to its
    Marketo write), and — left out with -Quick — scale-30k, large (100,000 customers, engine runner), large-pwsh (the same
    through Invoke-MlSync in a pwsh process), large-bulk (the large load with leads by Bulk Lead Import; -BulkCustomers
    runs it at another size) and runbook-large (Invoke-MlSync in a pwsh process with the table state store on Azurite
    over HTTPS, signed in with the sandbox's managed identity endpoint; its peak working set is the figure to hold
    against Azure Automation's 400 MB; -RunbookCustomers sizes it, for trying it out smaller); the scaling check
    compares the connector's overhead at 10k, 30k and 100k. Every sync records the sandbox's CPU seconds and the load
    average beside its timing. -Scenario (alias -Only) runs only the named ones (a group runs whole: initial-load,
    no-change and one-percent share one sandbox).
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $OutRoot,
    [Parameter(Mandatory)] [string] $ResultsPath,
    [switch] $Quick,
    [Alias('Only')]
    [string[]] $Scenario,
    [int] $BulkCustomers = 100000,
    [ValidateRange(1, 100000)]
    [int] $RunbookCustomers = 100000
)

Set-StrictMode -Version 3.0
$ErrorActionPreference = 'Stop'

$BenchCallsPer20s = 50          # the connector's default share of Marketo's 100 calls per 20 s
$BenchMarketoLatencyMs = 100    # added to every Marketo REST call (identity calls are not delayed)
$BenchBudget = 40               # the budget scenario's -DailyCallBudget
$BenchBulkThreshold = 20000     # large-bulk: -BulkImportThreshold (the default)


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

# The sandbox process's CPU seconds so far (the simulators must not set the pace: see the sandboxCpuSeconds check).
function Get-SandboxCpu($Sandbox) {
    $Sandbox.Process.Refresh()
    return $Sandbox.Process.TotalProcessorTime.TotalSeconds
}

function Get-Load { if (Test-Path /proc/loadavg) { ((Get-Content /proc/loadavg) -split ' ')[0..2] -join ' ' } else { 'n/a' } }

# Calls the sandbox served since the journal was last cleared. Enum SandboxService: 1 BusinessCentral, 2 Marketo (REST), 3 MarketoIdentity.
function Get-JournalCounts($Sandbox) {
    $journal = @(Invoke-RestMethod -Uri "$($Sandbox.Admin)journal" | ForEach-Object { $_ })
    $marketo = @($journal | Where-Object service -EQ 2)
    $writes = @($marketo | Where-Object { $_.method -eq 'POST' -and $_.path -match '^/rest/v1/(leads|companies)\.json' -and $_.path -notmatch '_method=GET' })
    return [pscustomobject]@{
        MarketoCalls = $marketo.Count
        MarketoWrites = $writes.Count
        BulkCalls = @($marketo | Where-Object { $_.path -like '/bulk/*' }).Count
        Imports = @($marketo | Where-Object { $_.method -eq 'POST' -and $_.path -like '/bulk/v1/leads.json*' }).Count
        BcCalls = @($journal | Where-Object service -EQ 1).Count
    }
}

# One sync (the engine runner, or with -Pwsh Invoke-MlSync in a pwsh process — on -StateStore when given) measured
# against the sandbox's journal and CPU.
function Invoke-BenchSync {
    param($Sandbox, [string] $State, [string[]] $Extra = @(), [switch] $Pwsh, [string] $StateStore)
    Invoke-RestMethod -Method Delete -Uri "$($Sandbox.Admin)journal" | Out-Null
    $load = Get-Load
    $cpu = Get-SandboxCpu $Sandbox
    if ($Pwsh) {
        $store = if ($StateStore) { @('-StateStore', $StateStore) } else { @('-StatePath', $State, '-AuditPath', (Join-Path $script:BenchWork 'audit-pwsh')) }
        $output = & dotnet (Join-Path $PSHOME 'pwsh.dll') -NoProfile -NonInteractive -File (Join-Path $PSScriptRoot 'BenchPwsh.ps1') `
            -ModulePath (Join-Path $OutRoot 'MlConnector') -SandboxFile $Sandbox.File @store
        if ($LASTEXITCODE -ne 0) { throw "Invoke-MlSync in pwsh failed with exit code $LASTEXITCODE." }
        $run = ($output | Select-Object -Last 1) | ConvertFrom-Json
    }
    else {
        $run = Invoke-Runner (@('sync', '--sandbox-json', $Sandbox.File, '--state', $State, '--audit', (Join-Path $script:BenchWork 'audit'),
            '--calls-per-20s', $BenchCallsPer20s, '--max-concurrency', 5) + $Extra)
    }
    return [pscustomobject]@{
        Run = $run
        Counts = Get-JournalCounts $Sandbox
        SandboxCpu = [math]::Round((Get-SandboxCpu $Sandbox) - $cpu, 2)
        LoadBefore = $load
        LoadAfter = Get-Load
    }
}

function Invoke-BenchScenario {
    param([string] $Name, $Sandbox, [string] $State, [int] $IdealCompanies, [int] $IdealLeads, [switch] $Pwsh, [string[]] $Extra = @(), [string] $StateStore)
    Write-Host "  $Name`: syncing$(if ($Pwsh) { ' (Invoke-MlSync in pwsh)' })$(if ($StateStore) { ', table store on Azurite' })..."
    $sync = Invoke-BenchSync $Sandbox $State -Pwsh:$Pwsh -Extra $Extra -StateStore $StateStore
    $run = $sync.Run
    $counts = $sync.Counts
    $verify = Invoke-Runner @('verify', '--sandbox-json', $Sandbox.File)
    $ideal = [math]::Ceiling($IdealCompanies / 300) + [math]::Ceiling($IdealLeads / 300) + 1
    $quotaBound = [math]::Round($ideal / ($BenchCallsPer20s / 20.0), 1)
    $result = [ordered]@{
        name = $Name
        customers = [int] $verify.customers
        contacts = [int] $verify.personContacts
        marketoCalls = $counts.MarketoCalls
        idealMarketoCalls = [int] $ideal
        bcCalls = $counts.BcCalls
        wallSeconds = [double] $run.wallSeconds
        quotaBoundSeconds = $quotaBound
        overheadSeconds = [math]::Round([double] $run.wallSeconds - $quotaBound, 1)
        peakWorkingSetMb = [double] $run.peakWorkingSetMb
        connectorCpuSeconds = [double] $run.cpuSeconds
        sandboxCpuSeconds = $sync.SandboxCpu
        loadBefore = $sync.LoadBefore
        loadAfter = $sync.LoadAfter
        lost = [int] $verify.lost
        duplicates = [int] $verify.duplicates
        marketoWrites = $counts.MarketoWrites
        companiesToWrite = $IdealCompanies
        leadsToWrite = $IdealLeads
        created = [int] $run.created; updated = [int] $run.updated; unchanged = [int] $run.unchanged; skipped = [int] $run.skipped; failed = [int] $run.failed
        pending = [int] $run.pending
        planningEndsAt = if ($run.PSObject.Properties['planningEndsAt']) { $run.planningEndsAt } else { $null }
        connectorMarketoCalls = [int] $run.marketoCalls
        connectorBcCalls = [int] $run.bcCalls
        bulkCalls = $counts.BulkCalls
        imports = $counts.Imports
        parked = if ($run.PSObject.Properties['parked']) { [int] $run.parked } else { $null }
    }
    Write-Host ("  {0}: {1} Marketo calls (ideal {2}), {3} BC calls, {4} s (quota bound {5} s), {6} MB, connector CPU {7} s, sandbox CPU {8} s, load {9} -> {10}, lost {11}, duplicates {12}" -f $Name,
        $result.marketoCalls, $result.idealMarketoCalls, $result.bcCalls, $result.wallSeconds, $result.quotaBoundSeconds, $result.peakWorkingSetMb,
        $result.connectorCpuSeconds, $result.sandboxCpuSeconds, $result.loadBefore, $result.loadAfter, $result.lost, $result.duplicates)
    return $result
}

# A first load of every customer of a fresh sandbox (through Invoke-MlSync in pwsh with -Pwsh).
function Invoke-FirstLoadScenario {
    param([string] $Name, [int] $Customers, [switch] $Pwsh)
    Write-Host ("Bench: {0} ({1:N0} customers{2})" -f $Name, $Customers, $(if ($Pwsh) { ', Invoke-MlSync in a pwsh process' } else { ', engine runner' }))
    $sandbox = Start-BenchSandbox -Customers $Customers
    try {
        $expected = Invoke-Runner @('verify', '--sandbox-json', $sandbox.File)
        return Invoke-BenchScenario $Name $sandbox (Join-Path $script:BenchWork "state-$Name.db") $expected.expectedCompanies $expected.expectedLeads -Pwsh:$Pwsh
    }
    finally { Stop-BenchSandbox $sandbox }
}

# The large first load with leads by Bulk Lead Import (threshold $BenchBulkThreshold) in the engine runner, the sandbox
# importing at its default rate: Marketo calls against ceil(C/300) + 20 per 100,000 leads, the wall time beside the REST
# path's quota-bound time (and the large scenario's wall time when it ran too).
function Invoke-BulkScenario {
    param([string] $Name, [int] $Customers)
    Write-Host ("Bench: {0} ({1:N0} customers, leads by Bulk Lead Import, engine runner)" -f $Name, $Customers)
    $sandbox = Start-BenchSandbox -Customers $Customers
    try {
        $rate = (Invoke-RestMethod -Uri "$($sandbox.Admin)marketo/switches").bulkImportRowsPerSecond
        $expected = Invoke-Runner @('verify', '--sandbox-json', $sandbox.File)
        $state = Join-Path $script:BenchWork "state-$Name.db"
        $result = Invoke-BenchScenario $Name $sandbox $state $expected.expectedCompanies $expected.expectedLeads -Extra @('--bulk-import-threshold', $BenchBulkThreshold)
        $result.bulkCallCeiling = [int] ([math]::Ceiling($expected.expectedCompanies / 300) + [math]::Ceiling(20 * [math]::Max(1, $expected.expectedLeads / 100000)))
        $result.bulkImportRowsPerSecond = $rate
        Write-Host ("  {0}: {1} Marketo calls ({2} bulk) vs ceiling {3}; {4} s beside the REST path's quota bound {5} s; sandbox imports {6} rows/s per import" -f $Name,
            $result.marketoCalls, $result.bulkCalls, $result.bulkCallCeiling, $result.wallSeconds, $result.quotaBoundSeconds, $rate)
        return $result
    }
    finally { Stop-BenchSandbox $sandbox }
}

# A first load of 10,000 customers under a daily call budget of $BenchBudget: the first run stops after that many calls
# with the rest queued, a second run the same day makes no call, a third without a budget finishes. Every record written
# once (the sandbox's write log: no key in two write calls), none lost.
function Invoke-BudgetScenario {
    param($Sandbox, [string] $State)
    Write-Host "  budget: three runs under -DailyCallBudget $BenchBudget..."
    Invoke-RestMethod -Method Delete -Uri "$($Sandbox.Admin)marketo/writes" | Out-Null
    $first = Invoke-BenchSync $Sandbox $State -Extra @('--daily-call-budget', $BenchBudget)
    $second = Invoke-BenchSync $Sandbox $State -Extra @('--daily-call-budget', $BenchBudget)
    $third = Invoke-BenchSync $Sandbox $State
    $verify = Invoke-Runner @('verify', '--sandbox-json', $Sandbox.File)
    $keys = @(Invoke-RestMethod -Uri "$($Sandbox.Admin)marketo/writes" | ForEach-Object { $_ } |
        ForEach-Object { $call = $_; $call.keys | Where-Object { $_ -notlike 'mlconnector-probe-*' } | ForEach-Object { "$($call.object):$_" } })
    $twice = @($keys | Group-Object | Where-Object Count -GT 1).Count
    $result = [ordered]@{
        name = 'budget'
        customers = [int] $verify.customers
        dailyCallBudget = $BenchBudget
        firstRunMarketoCalls = $first.Counts.MarketoCalls
        firstRunPending = [int] $first.Run.pending
        firstRunBudgetReached = [bool] $first.Run.dailyCallBudgetReached
        secondRunMarketoCalls = $second.Counts.MarketoCalls
        thirdRunMarketoCalls = $third.Counts.MarketoCalls
        thirdRunPending = [int] $third.Run.pending
        wallSeconds = [double] $first.Run.wallSeconds + [double] $second.Run.wallSeconds + [double] $third.Run.wallSeconds
        sandboxCpuSeconds = $first.SandboxCpu + $second.SandboxCpu + $third.SandboxCpu
        loadBefore = $first.LoadBefore
        loadAfter = $third.LoadAfter
        recordsWritten = $keys.Count
        writtenTwice = $twice
        lost = [int] $verify.lost
        duplicates = [int] $verify.duplicates
    }
    Write-Host ("  budget: run 1 {0} Marketo calls, {1} left queued; run 2 {2} calls; run 3 {3} calls, {4} left; {5} records written, {6} twice, lost {7}, duplicates {8}" -f
        $result.firstRunMarketoCalls, $result.firstRunPending, $result.secondRunMarketoCalls, $result.thirdRunMarketoCalls, $result.thirdRunPending,
        $result.recordsWritten, $result.writtenTwice, $result.lost, $result.duplicates)
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
    $loadBefore = Get-Load
    $cpuBefore = Get-SandboxCpu $Sandbox
    $run = Invoke-Runner @('reverse', '--sandbox-json', $Sandbox.File, '--state', (Join-Path $script:BenchWork 'state-reverse.db'), '--audit', (Join-Path $script:BenchWork 'audit'),
        '--since', $since, '--calls-per-20s', $BenchCallsPer20s, '--max-concurrency', 5)
    $sandboxCpu = [math]::Round((Get-SandboxCpu $Sandbox) - $cpuBefore, 2)
    $load = Get-Load
    $counts = Get-JournalCounts $Sandbox
    $verify = Invoke-Runner @('verify-reverse', '--sandbox-json', $Sandbox.File, '--leads', $leadsFile)
    $writes = [int] $run.bcWriteOperations
    $reads = $counts.BcCalls - [int] $run.bcWriteCalls
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
        sandboxCpuSeconds = $sandboxCpu
        loadBefore = $loadBefore
        loadAfter = $load
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
    # Scenarios are dictionaries or objects, and not every scenario measures everything (notify-latency has no sync).
    function Test-Has($Scenario, [string] $Name) {
        if ($Scenario -is [System.Collections.IDictionary]) { return $Scenario.Contains($Name) }
        return $null -ne $Scenario.PSObject.Properties[$Name]
    }
    foreach ($s in $Scenarios) {
        if (Test-Has $s 'lost') { Add-Check $s.name 'lost = 0 and duplicates = 0' ($s.lost -eq 0 -and $s.duplicates -eq 0) "lost $($s.lost), duplicates $($s.duplicates)" }
        if (Test-Has $s 'sandboxCpuSeconds') {
            Add-Check $s.name 'sandboxCpuSeconds < 0.25 x wallSeconds' ($s.sandboxCpuSeconds -lt 0.25 * $s.wallSeconds) "$($s.sandboxCpuSeconds) s of $($s.wallSeconds) s (load $($s.loadBefore) -> $($s.loadAfter))"
        }
        switch ($s.name) {
            'initial-load' {
                Add-Check $s.name 'marketoCalls <= 1.05 x ideal' ($s.marketoCalls -le 1.05 * $s.idealMarketoCalls) "$($s.marketoCalls) vs $($s.idealMarketoCalls)"
                Add-Check $s.name 'wallSeconds <= 1.15 x quotaBoundSeconds' ($s.wallSeconds -le 1.15 * $s.quotaBoundSeconds) "$($s.wallSeconds) s vs $($s.quotaBoundSeconds) s (load $($s.loadBefore) -> $($s.loadAfter))"
                Add-Check $s.name 'peakWorkingSetMb <= 300' ($s.peakWorkingSetMb -le 300) "$($s.peakWorkingSetMb) MB"
            }
            'no-change' {
                Add-Check $s.name '0 Marketo writes' ($s.marketoWrites -eq 0) "$($s.marketoWrites) write calls of $($s.marketoCalls) Marketo calls"
                Add-Check $s.name '<= 3 BC calls' ($s.bcCalls -le 3) "$($s.bcCalls) BC calls"
            }
            'one-percent' {
                Add-Check $s.name 'Marketo calls in proportion to the changes' ($s.marketoCalls -le $s.idealMarketoCalls + 2) "$($s.marketoCalls) calls ($($s.marketoWrites) writes) for $($s.companiesToWrite) companies and $($s.leadsToWrite) leads; ideal $($s.idealMarketoCalls)"
            }
            'large' {
                Add-Check $s.name 'wallSeconds <= 1.10 x quotaBoundSeconds' ($s.wallSeconds -le 1.10 * $s.quotaBoundSeconds) "$($s.wallSeconds) s vs $($s.quotaBoundSeconds) s (load $($s.loadBefore) -> $($s.loadAfter))"
                Add-Check $s.name 'marketoCalls <= 1.02 x ideal' ($s.marketoCalls -le 1.02 * $s.idealMarketoCalls) "$($s.marketoCalls) vs $($s.idealMarketoCalls)"
                Add-Check $s.name 'peakWorkingSetMb <= 250 (engine runner)' ($s.peakWorkingSetMb -le 250) "$($s.peakWorkingSetMb) MB"
            }
            'large-pwsh' {
                Add-Check $s.name 'wallSeconds <= 1.15 x quotaBoundSeconds' ($s.wallSeconds -le 1.15 * $s.quotaBoundSeconds) "$($s.wallSeconds) s vs $($s.quotaBoundSeconds) s (load $($s.loadBefore) -> $($s.loadAfter))"
                Add-Check $s.name 'peakWorkingSetMb <= 400 (whole pwsh process)' ($s.peakWorkingSetMb -le 400) "$($s.peakWorkingSetMb) MB"
            }
            'large-bulk' {
                Add-Check $s.name 'marketoCalls <= ceil(C/300) + 20 per 100,000 leads' ($s.marketoCalls -le $s.bulkCallCeiling) "$($s.marketoCalls) calls ($($s.bulkCalls) bulk: $($s.imports) imports) vs $($s.bulkCallCeiling) for $($s.companiesToWrite) companies and $($s.leadsToWrite) leads"
                Add-Check $s.name 'failures parked, nothing pending' ($s.pending -eq 0 -and $s.parked -eq $s.failed) "$($s.failed) failed, $($s.parked) parked, $($s.pending) pending"
            }
            'budget' {
                Add-Check $s.name "run 1 stops after $($s.dailyCallBudget) Marketo calls with the rest queued" ($s.firstRunMarketoCalls -eq $s.dailyCallBudget -and $s.firstRunPending -gt 0 -and $s.firstRunBudgetReached) "$($s.firstRunMarketoCalls) calls, $($s.firstRunPending) queued"
                Add-Check $s.name 'run 2 (same day, same budget) makes no call' ($s.secondRunMarketoCalls -eq 0) "$($s.secondRunMarketoCalls) calls"
                Add-Check $s.name 'run 3 (room) finishes; nothing written twice' ($s.thirdRunPending -eq 0 -and $s.writtenTwice -eq 0) "$($s.thirdRunPending) left queued, $($s.writtenTwice) of $($s.recordsWritten) records written twice"
            }
            'runbook-large' { Add-Check $s.name 'peakWorkingSetMb <= 400 (the whole pwsh process, table store)' ($s.peakWorkingSetMb -le 400) "$($s.peakWorkingSetMb) MB" }
            'reverse-new-leads' {
                Add-Check $s.name 'bcCalls <= 1.10 x idealBcCalls' ($s.bcCalls -le 1.10 * $s.idealBcCalls) "$($s.bcCalls) vs $($s.idealBcCalls)"
                Add-Check $s.name 'every lead one contact, every new company one customer, none misplaced' ($s.misplaced -eq 0 -and $s.contactsCreated -eq $s.leads) "$($s.contactsCreated) contacts for $($s.leads) leads, $($s.customersCreated) customers for $($s.newCompanies) new companies, misplaced $($s.misplaced)"
            }
            'notify-latency' { Add-Check $s.name 'median from notification arrival to Marketo write < 2000 ms' ($s.medianMs -lt 2000) "median $($s.medianMs) ms, p95 $($s.p95Ms) ms over $($s.measured) changes (load average $($s.loadAverage))" }
        }
    }
    # Scaling: what the connector adds to the quota-bound time grows no faster than the load.
    $byName = @{}; foreach ($s in $Scenarios) { $byName[$s.name] = $s }
    if ($byName['initial-load'] -and $byName['scale-30k'] -and $byName['large']) {
        $base = [math]::Max($byName['initial-load'].overheadSeconds, 2.0)
        $o30 = $byName['scale-30k'].overheadSeconds; $o100 = $byName['large'].overheadSeconds
        Add-Check 'scaling' 'wall - quotaBound grows no faster than the load (10k -> 30k -> 100k)' ($o30 -le 3 * $base -and $o100 -le 10 * $base) `
            "$($byName['initial-load'].overheadSeconds) s, $o30 s, $o100 s (10k floor $base s)"
    }
    return $checks
}

# runbook-large: Invoke-MlSync in its own pwsh process (build/BenchPwsh.ps1) with the table state store on an Azurite of
# its own over HTTPS, signed in with the managed identity through the sandbox's identity endpoint, as a runbook job does.
function Invoke-RunbookScenario($Sandbox, [int] $IdealCompanies, [int] $IdealLeads) {
    Import-Module (Join-Path $PSScriptRoot 'Azurite.psm1')
    # Azurite keeps every row in its Node heap: give it room for a few hundred thousand.
    $saved = @{ NODE_OPTIONS = $env:NODE_OPTIONS; IDENTITY_ENDPOINT = $env:IDENTITY_ENDPOINT; IDENTITY_HEADER = $env:IDENTITY_HEADER }
    $env:NODE_OPTIONS = '--max-old-space-size=8192'
    try { $azurite = Start-Azurite -Https }
    finally { $env:NODE_OPTIONS = $saved.NODE_OPTIONS }
    try {
        $ready = Get-Content -Raw $Sandbox.File | ConvertFrom-Json
        # The pwsh process inherits them, as a job finds them in its environment.
        $env:IDENTITY_ENDPOINT = $ready.identityEndpoint
        $env:IDENTITY_HEADER = $ready.identityHeader
        $store = "$($azurite.TableEndpoint)?tablePrefix=Bench&tlsThumbprint=$($azurite.Thumbprint)"
        $cpu = $azurite.Process.TotalProcessorTime.TotalSeconds
        $result = Invoke-BenchScenario 'runbook-large' $Sandbox $null $IdealCompanies $IdealLeads -Pwsh -StateStore $store
        # The emulator is one Node process: when its CPU nears the wall time, it sets the pace, not the connector.
        $result.azuriteCpuSeconds = [math]::Round($azurite.Process.TotalProcessorTime.TotalSeconds - $cpu, 2)
        Write-Host ("  runbook-large: Azurite CPU {0} s of {1} s" -f $result.azuriteCpuSeconds, $result.wallSeconds)
        return $result
    }
    finally {
        $env:IDENTITY_ENDPOINT = $saved.IDENTITY_ENDPOINT
        $env:IDENTITY_HEADER = $saved.IDENTITY_HEADER
        Stop-Azurite $azurite
    }
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

if (Test-BenchScenario 'budget') {
Write-Host "Bench: budget (10,000 customers, -DailyCallBudget $BenchBudget)"
$sandbox = Start-BenchSandbox -Customers 10000
try { $scenarios.Add((Invoke-BudgetScenario $sandbox (Join-Path $script:BenchWork 'state-budget.db'))) }
finally { Stop-BenchSandbox $sandbox }
}

if (-not (Test-BenchScenario 'scale-30k', 'large', 'large-pwsh', 'large-bulk')) { }
elseif ($Quick) { Write-Host 'Bench: scale-30k, large, large-pwsh and large-bulk skipped (-Quick)' }
else {
    if (Test-BenchScenario 'scale-30k') { $scenarios.Add((Invoke-FirstLoadScenario 'scale-30k' 30000)) }
    if (Test-BenchScenario 'large') { $scenarios.Add((Invoke-FirstLoadScenario 'large' 100000)) }
    if (Test-BenchScenario 'large-pwsh') { $scenarios.Add((Invoke-FirstLoadScenario 'large-pwsh' 100000 -Pwsh)) }
    if (Test-BenchScenario 'large-bulk') { $scenarios.Add((Invoke-BulkScenario 'large-bulk' $BulkCustomers)) }
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
        overheadSeconds = 'wallSeconds - quotaBoundSeconds: what the connector (and the machine) add to the time the quota allows; the scaling check compares it at 10k, 30k and 100k customers.'
        sandboxCpuSeconds = "CPU seconds the sandbox process used during the sync (it must stay under a quarter of the wall time, so the figures measure the connector); connectorCpuSeconds is the runner's (or the pwsh process's) whole CPU time."
        load = 'loadBefore/loadAfter: /proc/loadavg (1, 5, 15 minutes) around each sync; wall times measured under a load above the 2 cores are not comparable.'
        budget = "A first load of 10,000 customers with -DailyCallBudget $BenchBudget, run three times: the budget, the same budget again the same day (a new process), then without a budget."
        largeBulk = "large-bulk: leads by Bulk Lead Import (-BulkImportThreshold $BenchBulkThreshold); bulkCallCeiling = ceil(companies/300) + 20 per 100,000 leads (imports, status polls, failures and warnings reads); quotaBoundSeconds is the REST path's; the sandbox imports at bulkImportRowsPerSecond per import (an assumption: docs/sandbox.md)."
        lostAndDuplicates = 'Marketo state (admin API) against BC (BC API): one company per customer not blocked for all transactions, by externalCompanyId (not under CRM sync), one lead per distinct normalized usable email of a person contact not Privacy Blocked (what the default mapping sends).'
        runbookLarge = 'Invoke-MlSync in its own pwsh process (the module imported, both connections, the table state store on Azurite over HTTPS, tokens from the sandbox identity endpoint); peakWorkingSetMb is that process''s VmHWM (peak resident set); azuriteCpuSeconds is the emulator''s CPU during the sync (one Node process: near wallSeconds, it sets the pace).'
        idealBcCalls = 'reverse-new-leads: the pass''s read calls (every BC call in the journal but the $batch calls that carried writes, as the engine counts them) + ceil(write operations / 100).'
        loadAverage = 'The 1, 5 and 15 minute load average when the scenario ended: the machine is shared, so wall times are noisy; call counts are not.'
        notifyLatency = 'From the sandbox delivery''s start (the notification''s arrival at the listener) to the completion of the Marketo company write, per change, both on the sandbox clock; the sandbox''s notification delay is set to 0 and not measured. 200 customers, Marketo +latency as above. listenerMedianMs: the listener''s own view (enqueue to end of its batch). loadAverage: /proc/loadavg at the end. wallSeconds and sandboxCpuSeconds cover the loop over the changes (the bench''s own polling of the sandbox''s admin API included).'
    }
}
$file = Join-Path $benchOut 'results.json'
$results | ConvertTo-Json -Depth 6 | Set-Content -Path $file
$scenarios | ForEach-Object { [pscustomobject] $_ } |
    Format-Table name, customers, contacts, marketoCalls, idealMarketoCalls, bcCalls, idealBcCalls, wallSeconds, quotaBoundSeconds, peakWorkingSetMb, sandboxCpuSeconds, loadBefore, lost, duplicates -AutoSize |
    Out-String -Width 200 | Write-Host
$checks | Format-Table scenario, target, met, measured -AutoSize | Out-String -Width 200 | Write-Host
Write-Host "Bench results: $file"
