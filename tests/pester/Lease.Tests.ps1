# Issue 9: one run per sync pair. Runs of one pair from several processes (pwsh children sharing one home) and from
# ForEach-Object -Parallel runspaces: one sends, the others wait or stop with SyncPairBusy; nothing is sent twice. A
# run killed with SIGKILL while holding the pair blocks the next run only until its lease expires.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'SandboxHelpers.psm1') -Force
    Import-Module (Get-MlModulePath) -Force
    $script:HelpersModule = Join-Path $PSScriptRoot 'SandboxHelpers.psm1'

    # One child pwsh: connects to the sandbox and runs Invoke-MlSync; prints one JSON line with the outcome.
    $script:ChildScript = Join-Path $TestDrive 'run-sync.ps1'
    Set-Content -Path $ChildScript -Value @'
param([string] $SandboxFile, [string] $HelpersModule, [int] $LeaseTimeout, [string] $Gate)
$ErrorActionPreference = 'Stop'
Import-Module (Join-Path $env:MLCONNECTOR_MODULE 'MlConnector.psd1')
Import-Module $HelpersModule
Connect-MlSandbox (Get-Content $SandboxFile -Raw | ConvertFrom-Json)
if ($Gate) {
    # Connected: say so, then wait for the test to open the gate, so the sync starts at the moment the test chooses.
    Set-Content -Path "$Gate.ready" -Value $PID
    while (-not (Test-Path $Gate)) { Start-Sleep -Milliseconds 20 }
}
try {
    $out = @(Invoke-MlSync -LeaseTimeout $LeaseTimeout -RefreshFinancials Never -Verbose 4>&1)
    $summary = $out | Where-Object { $_ -isnot [System.Management.Automation.VerboseRecord] } | Select-Object -Last 1
    $waited = [bool]($out | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] -and $_.Message -match 'is busy' })
    [pscustomobject]@{ Outcome = 'Done'; Sent = $summary.Created + $summary.Updated; Waited = $waited; CorrelationId = $summary.CorrelationId; ProcessId = $PID } | ConvertTo-Json -Compress
}
catch {
    [pscustomobject]@{ Outcome = 'Error'; ErrorId = $_.FullyQualifiedErrorId; Message = $_.Exception.Message; ProcessId = $PID } | ConvertTo-Json -Compress
}
'@

    # A sandbox whose Marketo answers every REST call 300 ms late, so a run lasts long enough to overlap another.
    function script:Start-SlowSandbox([string] $Name) {
        $home_ = Join-Path $TestDrive $Name
        $sandbox = Start-MlSandbox -Customers 25
        Invoke-SandboxAdmin $sandbox 'faults' @{ service = 2; latencyMs = 300 } | Out-Null
        # Lead writes come last in a run and take 4 s more: a run that got that far holds the pair for a while yet.
        Invoke-SandboxAdmin $sandbox 'faults' @{ service = 2; method = 'POST'; pathContains = '/rest/v1/leads.json'; latencyMs = 4000 } | Out-Null
        $file = Join-Path $TestDrive "$Name-sandbox.json"
        $sandbox | Select-Object * -ExcludeProperty Process | ConvertTo-Json -Depth 5 | Set-Content $file
        $sandbox | Add-Member -NotePropertyName File -NotePropertyValue $file
        $sandbox | Add-Member -NotePropertyName Home -NotePropertyValue $home_
        $sandbox | Add-Member -NotePropertyName StatePath -NotePropertyValue (Join-Path $home_ 'state/mlconnector.db')
        return $sandbox
    }

    # With -Gated the child connects, then waits for Open-Gate before it syncs (a child pwsh takes seconds to start).
    function script:Start-SyncProcess($Sandbox, [int] $LeaseTimeout, [int] $LeaseSeconds = 0, [switch] $Gated) {
        $gate = if ($Gated) { Join-Path $TestDrive ("gate-{0}" -f [guid]::NewGuid().ToString('N')) } else { '' }
        $environment = @{ MLCONNECTOR_HOME = $Sandbox.Home }
        if ($LeaseSeconds -gt 0) { $environment.MLCONNECTOR_LEASE_SECONDS = $LeaseSeconds }
        $process = Start-ChildPwsh -File $ChildScript -Environment $environment `
            -Arguments @('-SandboxFile', $Sandbox.File, '-HelpersModule', $HelpersModule, '-LeaseTimeout', $LeaseTimeout, '-Gate', $gate)
        $process | Add-Member -NotePropertyName Gate -NotePropertyValue $gate
        if ($Gated) {
            $deadline = [datetime]::UtcNow.AddSeconds(90)
            while (-not (Test-Path "$gate.ready")) {
                if ($process.HasExited -or [datetime]::UtcNow -gt $deadline) { throw "The child sync never got ready: $($process.Errors.Result)" }
                Start-Sleep -Milliseconds 50
            }
        }
        return $process
    }

    function script:Open-Gate($Process) { Set-Content -Path $Process.Gate -Value 'go' }

    function script:Receive-SyncProcess($Process) {
        if (-not $Process.WaitForExit(180000)) { $Process.Kill($true); throw 'A child sync did not end within 3 minutes.' }
        $line = @($Process.Output.Result -split "`n" | Where-Object { $_.Trim().StartsWith('{') }) | Select-Object -Last 1
        if (-not $line) { throw "The child sync printed no outcome: $($Process.Output.Result) $($Process.Errors.Result)" }
        return $line | ConvertFrom-Json
    }

    # Waits (on the state database, not on a clock) until the given process holds the pair's lease; returns its row.
    function script:Wait-LeaseHolder($Sandbox, [int] $ProcessId) {
        $deadline = [datetime]::UtcNow.AddSeconds(90)
        while ([datetime]::UtcNow -lt $deadline) {
            if (Test-Path $Sandbox.StatePath) {
                $row = Get-MlSyncState -StatePath $Sandbox.StatePath | Where-Object LeaseProcessId -EQ $ProcessId
                if ($row) { return $row }
            }
            Start-Sleep -Milliseconds 100
        }
        throw "Process $ProcessId never held the sync pair's lease."
    }

    # Each record goes to Marketo once: the records of every lead write, and of every company write but the
    # one-record writability probes, add up to what Marketo holds; no company key or email is there twice.
    function script:Assert-SentOnce($Sandbox) {
        $admin = $Sandbox.adminUrl.TrimEnd('/')
        $journal = @((Invoke-RestMethod "$admin/journal") | ForEach-Object { $_ } | Where-Object { $_.service -in 2, 'Marketo' -and $_.method -eq 'POST' -and $_.path -notmatch '_method=GET' })
        $companies = @((Invoke-RestMethod "$admin/marketo/companies?take=100000") | ForEach-Object { $_ })
        $leads = @((Invoke-RestMethod "$admin/marketo/leads?take=100000") | ForEach-Object { $_ })
        # Every customer but those blocked for all transactions (Skipped, CustomerBlocked) is a company.
        $companies.Count | Should -BeIn (20..25)
        @($companies.externalCompanyId | Sort-Object -Unique).Count | Should -Be $companies.Count
        @($leads | ForEach-Object { $_.fields.email.ToLowerInvariant() } | Sort-Object -Unique).Count | Should -Be $leads.Count
        ($journal | Where-Object path -Match '^/rest/v1/leads\.json' | Measure-Object recordCount -Sum).Sum | Should -Be $leads.Count
        ($journal | Where-Object { $_.path -match '^/rest/v1/companies\.json' -and $_.recordCount -gt 1 } | Measure-Object recordCount -Sum).Sum | Should -Be $companies.Count
    }
}

AfterAll {
    Remove-Module MlConnector -Force -ErrorAction SilentlyContinue
}

Describe 'One run per sync pair across processes' {
    It 'stops a second process with SyncPairBusy naming the holder while the first completes; nothing is sent twice' {
        $sandbox = Start-SlowSandbox 'busy'
        try {
            $second = Start-SyncProcess $sandbox -LeaseTimeout 0 -Gated
            $first = Start-SyncProcess $sandbox -LeaseTimeout 0
            $held = Wait-LeaseHolder $sandbox $first.Id
            $held.LeaseHost | Should -Be ([Environment]::MachineName)
            Open-Gate $second

            $refused = Receive-SyncProcess $second
            $done = Receive-SyncProcess $first

            $done.Outcome | Should -Be 'Done'
            $done.Sent | Should -BeGreaterThan 25
            $refused.Outcome | Should -Be 'Error'
            $refused.ErrorId | Should -BeLike 'InvokeMlSyncSyncPairBusy*'
            $refused.Message | Should -Match "process $($first.Id) on "
            $refused.Message | Should -Match 'expires'
            Assert-SentOnce $sandbox
            (Get-MlSyncState -StatePath $sandbox.StatePath).LeaseHolder | Should -BeNullOrEmpty
        }
        finally { Stop-MlSandbox $sandbox }
    }

    It 'lets two processes started together with -LeaseTimeout both finish, one after the other, sending each record once' {
        $sandbox = Start-SlowSandbox 'wait'
        try {
            $runs = @((Start-SyncProcess $sandbox -LeaseTimeout 120), (Start-SyncProcess $sandbox -LeaseTimeout 120))
            $outcomes = @($runs | ForEach-Object { Receive-SyncProcess $_ })

            $outcomes.Outcome | Should -Be @('Done', 'Done')
            @($outcomes | Where-Object Sent -GT 0).Count | Should -Be 1
            @($outcomes | Where-Object Sent -EQ 0).Count | Should -Be 1 -Because 'the later run finds everything already sent'
            Assert-SentOnce $sandbox
        }
        finally { Stop-MlSandbox $sandbox }
    }

    It 'lets the next run take a pair whose holder was killed with SIGKILL once its lease expires, and finish the work' {
        $sandbox = Start-SlowSandbox 'killed'
        try {
            $successor = Start-SyncProcess $sandbox -LeaseTimeout 60 -LeaseSeconds 6 -Gated
            $victim = Start-SyncProcess $sandbox -LeaseTimeout 0 -LeaseSeconds 6
            Wait-LeaseHolder $sandbox $victim.Id | Out-Null
            $victim.Kill($true)
            $victim.WaitForExit()
            $left = Get-MlSyncState -StatePath $sandbox.StatePath
            $left.LeaseProcessId | Should -Be $victim.Id -Because 'a killed run cannot release its lease'
            Open-Gate $successor

            $next = Receive-SyncProcess $successor

            $next.Outcome | Should -Be 'Done'
            $next.Waited | Should -BeTrue
            $sent = @(Get-MlAuditLog -AuditPath (Join-Path $sandbox.Home 'audit') -CorrelationId $next.CorrelationId)
            $sent.Count | Should -BeGreaterThan 0
            ($sent | Sort-Object Time | Select-Object -First 1).Time | Should -BeGreaterOrEqual $left.LeaseExpiresAt
            Assert-SentOnce $sandbox
            (Get-MlSyncState -StatePath $sandbox.StatePath).Pending | Should -Be 0
        }
        finally { Stop-MlSandbox $sandbox }
    }
}

Describe 'One run per sync pair across runspaces' {
    It 'never sends a record twice from two ForEach-Object -Parallel branches of one process' {
        $sandbox = Start-SlowSandbox 'parallel'
        $before = $env:MLCONNECTOR_HOME
        try {
            $env:MLCONNECTOR_HOME = $sandbox.Home
            $module = Get-MlModulePath
            $outcomes = @(1..2 | ForEach-Object -ThrottleLimit 2 -Parallel {
                    Import-Module $using:module
                    Import-Module $using:HelpersModule
                    Connect-MlSandbox $using:sandbox
                    try { $summary = Invoke-MlSync -RefreshFinancials Never -ErrorAction Stop; "Done $($summary.Created + $summary.Updated)" }
                    catch { "Error $($_.FullyQualifiedErrorId)" }
                })

            $outcomes.Count | Should -Be 2
            @($outcomes | Where-Object { $_ -match '^Done [1-9]' }).Count | Should -Be 1
            $outcomes | Where-Object { $_ -notmatch '^Done [1-9]' } | Should -Match '^(Done 0|Error InvokeMlSyncSyncPairBusy)'
            Assert-SentOnce $sandbox
        }
        finally {
            $env:MLCONNECTOR_HOME = $before
            Stop-MlSandbox $sandbox
        }
    }
}
