# The sample Azure Automation runbook (examples/Invoke-MlSyncRunbook.ps1). It parses and calls only cmdlets the module
# exports, with parameters those cmdlets have (a rename in the module breaks this test, not a customer's job). And it
# runs as a job would: in a child pwsh that finds MlConnector by name, with the TEST STAND-IN of Automation's asset
# commands (TestModules/Orchestrator.AssetManagement.Cmdlets), against the sandbox, its state in the run's
# azurite-table reached with the Automation managed identity (the sandbox's identity endpoint in IDENTITY_ENDPOINT and
# IDENTITY_HEADER; Azurite over HTTPS with --oauth basic checks each token's shape, issuer, audience and lifetime).
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'SandboxHelpers.psm1') -Force
    $script:Runbook = Join-Path (Get-RepositoryRoot) 'examples/Invoke-MlSyncRunbook.ps1'
    $tokens = $null
    $script:ParseErrors = $null
    $script:Ast = [System.Management.Automation.Language.Parser]::ParseFile($Runbook, [ref] $tokens, [ref] $script:ParseErrors)
    $script:Module = Import-Module (Get-MlModulePath) -PassThru -Force
    $script:Azurite = Get-TestAzurite

    # What the job's runtime does: run the runbook with its parameters (a JSON file, as a schedule passes them) and
    # keep its output; the summary comes back as one JSON line.
    $script:JobScript = Join-Path $TestDrive 'job.ps1'
    Set-Content -Path $JobScript -Value @'
param([string] $Runbook, [string] $ParameterFile)
$parameters = Get-Content -Raw $ParameterFile | ConvertFrom-Json -AsHashtable
$summary = & $Runbook @parameters
$summary | Select-Object CorrelationId, PairId, Created, Updated, Unchanged, Skipped, Failed, Parked, StateCreated, AuditPath | ConvertTo-Json -Compress
'@

    # A job of the runbook against a sandbox: its assets (credentials, the state store variable) in the stand-in's file.
    # $MarketoBatches: Marketo calls (so batches) in flight at once; 0 keeps Connect-MlMarketo's default.
    function script:Start-RunbookJob($Sandbox, [string] $StateStore, [hashtable] $Extra = @{}, [int] $LeaseSeconds = 0, [int] $MarketoBatches = 0) {
        $work = Join-Path $TestDrive ("job-" + [guid]::NewGuid().ToString('N'))
        New-Item -ItemType Directory -Path $work | Out-Null
        $assets = Join-Path $work 'assets.json'
        @{
            credentials = @{
                'bc-app'      = @{ userName = $Sandbox.bcClientId; password = $Sandbox.bcClientSecret }
                'marketo-app' = @{ userName = $Sandbox.marketoClientId; password = $Sandbox.marketoClientSecret }
            }
            variables   = @{ MlConnectorStateStore = $StateStore }
        } | ConvertTo-Json -Depth 5 | Set-Content $assets
        $bc = Get-SandboxBcParameters $Sandbox
        $marketo = Get-SandboxMarketoParameters $Sandbox
        $marketo.Remove('MunchkinId')
        if ($MarketoBatches -gt 0) { $marketo.MaxConcurrency = $MarketoBatches }
        $parameters = @{
            BcTenantId = $bc.TenantId; BcEnvironment = $bc.Environment; BcCompany = $bc.Company; MunchkinId = $Sandbox.munchkinId
            BcConnectParameters = @{ BaseUri = $bc.BaseUri; AuthorityHost = $bc.AuthorityHost; SandboxTlsThumbprint = $bc.SandboxTlsThumbprint }
            MarketoConnectParameters = $marketo
            RefreshFinancials = 'Never'
            StateHome = Join-Path $work 'home'
        } + $Extra
        $parameterFile = Join-Path $work 'parameters.json'
        $parameters | ConvertTo-Json -Depth 5 | Set-Content $parameterFile

        $environment = @{
            PSModulePath                       = (Split-Path $env:MLCONNECTOR_MODULE) + [IO.Path]::PathSeparator + (Join-Path $PSScriptRoot 'TestModules')
            MLCONNECTOR_TEST_AUTOMATION_ASSETS = $assets
            IDENTITY_ENDPOINT                  = $Sandbox.identityEndpoint
            IDENTITY_HEADER                    = $Sandbox.identityHeader
        }
        if ($LeaseSeconds -gt 0) { $environment.MLCONNECTOR_LEASE_SECONDS = $LeaseSeconds }
        return Start-ChildPwsh -File $JobScript -Arguments @('-Runbook', $Runbook, '-ParameterFile', $parameterFile) -Environment $environment
    }

    function script:Receive-RunbookJob($Process) {
        if (-not $Process.WaitForExit(300000)) { $Process.Kill($true); throw 'The runbook job did not end within 5 minutes.' }
        $line = @($Process.Output.Result -split "`n" | Where-Object { $_.Trim().StartsWith('{') }) | Select-Object -Last 1
        if ($Process.ExitCode -ne 0 -or -not $line) { throw "The runbook job failed ($($Process.ExitCode)): $($Process.Errors.Result) $($Process.Output.Result)" }
        return [pscustomobject]@{ Summary = $line | ConvertFrom-Json; Output = $Process.Output.Result; Errors = $Process.Errors.Result }
    }

    function script:Get-Journal($Sandbox) { @((Invoke-RestMethod ($Sandbox.adminUrl.TrimEnd('/') + '/journal')) | ForEach-Object { $_ }) }

    # Marketo's company and lead writes (not the one-record writability probes), in order.
    function script:Get-MarketoWrites($Sandbox) {
        @(Get-Journal $Sandbox | Where-Object { $_.service -in 2, 'Marketo' -and $_.method -eq 'POST' -and $_.path -match '^/rest/v1/(leads|companies)\.json' -and $_.path -notmatch '_method=GET' -and $_.recordCount -gt 1 })
    }

    # Each record in Marketo once: every BC customer one company (but those blocked for all transactions, which never
    # cross), every distinct usable email one lead, no key twice.
    function script:Assert-EveryRecordOnce($Sandbox) {
        Connect-MlSandbox $Sandbox
        try { $customers = @(Get-BcCustomer | Where-Object Blocked -NE 'All').Count }
        finally { Disconnect-MlConnection }
        $admin = $Sandbox.adminUrl.TrimEnd('/')
        $companies = @((Invoke-RestMethod "$admin/marketo/companies?take=100000") | ForEach-Object { $_ })
        $leads = @((Invoke-RestMethod "$admin/marketo/leads?take=100000") | ForEach-Object { $_ })
        $companies.Count | Should -Be $customers
        @($companies.externalCompanyId | Sort-Object -Unique).Count | Should -Be $companies.Count
        @($leads | ForEach-Object { $_.fields.email.ToLowerInvariant() } | Sort-Object -Unique).Count | Should -Be $leads.Count
        return [pscustomobject]@{ Companies = $companies.Count; Leads = $leads.Count }
    }
}

AfterAll {
    Remove-Module MlConnector -ErrorAction SilentlyContinue
}

Describe 'The sample runbook' {
    It 'parses without errors and has comment-based help' {
        $ParseErrors | Should -BeNullOrEmpty
        (Get-Help $Runbook).Synopsis | Should -Match 'Azure Automation runbook'
    }

    It 'calls MlConnector cmdlets that exist, with parameters they have' {
        $calls = @($Ast.FindAll({ param($node) $node -is [System.Management.Automation.Language.CommandAst] }, $true) |
            Where-Object { $_.GetCommandName() -match '-(Ml|Bc)' })
        $calls.Count | Should -BeGreaterThan 3
        foreach ($call in $calls) {
            $name = $call.GetCommandName()
            $Module.ExportedCmdlets.Keys | Should -Contain $name
            $parameters = (Get-Command $name).Parameters.Keys
            foreach ($parameter in $call.CommandElements | Where-Object { $_ -is [System.Management.Automation.Language.CommandParameterAst] }) {
                $parameters | Should -Contain $parameter.ParameterName -Because "$name is called with -$($parameter.ParameterName)"
            }
        }
    }

    It 'uses the Automation stand-in only from the test module that says it is one' {
        $standIn = Test-ModuleManifest (Join-Path $PSScriptRoot 'TestModules/Orchestrator.AssetManagement.Cmdlets/Orchestrator.AssetManagement.Cmdlets.psd1')
        $standIn.Description | Should -Match 'TEST STAND-IN'
        $standIn.ExportedFunctions.Keys | Should -Be @('Get-AutomationPSCredential', 'Get-AutomationVariable')
    }
}

Describe 'The sample runbook as a job, its state in Table Storage with the managed identity' {
    BeforeAll {
        $script:Sandbox = Start-MlSandbox -Customers 30
        $script:Store = $Azurite.IdentityReference((New-TestTablePrefix 'Runbook'))
        $script:FirstJob = Receive-RunbookJob (Start-RunbookJob $Sandbox $Store)
        $script:WritesAfterFirst = @(Get-MarketoWrites $Sandbox).Count
        $script:SecondJob = Receive-RunbookJob (Start-RunbookJob $Sandbox $Store)
    }
    AfterAll { Stop-MlSandbox $Sandbox }

    It 'sends everything on its first run, signing in to the tables through the identity endpoint' {
        $FirstJob.Summary.Created | Should -BeGreaterThan 30
        $FirstJob.Summary.StateCreated | Should -BeTrue
        $FirstJob.Summary.AuditPath | Should -BeLike "$($Azurite.TableEndpoint)/Runbook*Audit"
        $identity = @(Get-Journal $Sandbox | Where-Object { $_.service -in 5, 'ManagedIdentity' })
        $identity.Count | Should -BeGreaterOrEqual 2 -Because 'each job asks the identity endpoint for its own token'
        $identity | ForEach-Object { $_.status | Should -Be 200; $_.path | Should -Match 'resource=https%3A%2F%2Fstorage\.azure\.com%2F' }
        Assert-EveryRecordOnce $Sandbox | Out-Null
    }

    It 'sends nothing new on its second run' {
        $SecondJob.Summary.PairId | Should -Be $FirstJob.Summary.PairId
        $SecondJob.Summary.Created + $SecondJob.Summary.Updated | Should -Be 0
        $SecondJob.Summary.StateCreated | Should -BeFalse
        @(Get-MarketoWrites $Sandbox).Count | Should -Be $WritesAfterFirst
    }

    It 'leaves its audit in the table, readable with Get-MlAuditLog, and no secret in its streams' {
        $env:IDENTITY_ENDPOINT = $Sandbox.identityEndpoint
        $env:IDENTITY_HEADER = $Sandbox.identityHeader
        try {
            $lines = @(Get-MlAuditLog -StateStore $Store -CorrelationId $FirstJob.Summary.CorrelationId)
            @($lines | Where-Object Action -EQ 'Created').Count | Should -Be $FirstJob.Summary.Created
            (Get-MlSyncState -StateStore $Store).Records | Should -Be $FirstJob.Summary.Created
        }
        finally { Remove-Item Env:IDENTITY_ENDPOINT, Env:IDENTITY_HEADER }
        foreach ($secret in $Sandbox.bcClientSecret, $Sandbox.marketoClientSecret, $Sandbox.identityHeader) {
            "$($FirstJob.Output)$($FirstJob.Errors)$($SecondJob.Output)$($SecondJob.Errors)" | Should -Not -Match ([regex]::Escape($secret))
        }
    }
}

Describe 'A runbook job killed halfway and started again' {
    BeforeAll {
        $script:Customers = 400
        $script:Sandbox = Start-MlSandbox -Customers $Customers
        # Lead writes take a while, so the kill lands between batches of a run that is well under way.
        Invoke-SandboxAdmin $Sandbox 'faults' @{ service = 2; method = 'POST'; pathContains = '/rest/v1/leads.json'; latencyMs = 1500 } | Out-Null
        $script:Store = $Azurite.IdentityReference((New-TestTablePrefix 'Killed'))
    }
    AfterAll { Stop-MlSandbox $Sandbox }

    It 'finishes with every record in Marketo once, without sending again what the killed run had finished' {
        # Two lead batches in flight at most (sending is pipelined): what the kill can cut off on the way.
        $victim = Start-RunbookJob $Sandbox $Store -LeaseSeconds 6 -MarketoBatches 2
        # Killed (SIGKILL, the whole process) once two lead batches have been written: companies and some leads are done.
        $deadline = [datetime]::UtcNow.AddMinutes(4)
        while (@(Get-MarketoWrites $Sandbox | Where-Object path -Match 'leads\.json' | Where-Object status -EQ 200).Count -lt 2) {
            if ($victim.HasExited) { throw "The first job ended before it could be killed: $($victim.Errors.Result)" }
            if ([datetime]::UtcNow -gt $deadline) { throw 'The first job never wrote two lead batches.' }
            Start-Sleep -Milliseconds 100
        }
        $victim.Kill($true)
        $victim.WaitForExit()
        $beforeRestart = @(Get-MarketoWrites $Sandbox)
        $sentBefore = ($beforeRestart | Measure-Object recordCount -Sum).Sum

        $restarted = Receive-RunbookJob (Start-RunbookJob $Sandbox $Store -Extra @{ LeaseTimeout = 120 } -LeaseSeconds 6 -MarketoBatches 2)

        $held = Assert-EveryRecordOnce $Sandbox
        $allWrites = @(Get-MarketoWrites $Sandbox)
        $sentTotal = ($allWrites | Measure-Object recordCount -Sum).Sum
        # The batches on their way when the job was killed (two at most, of at most 300 records) are sent again. Nothing else.
        $sentTotal | Should -BeLessOrEqual ($held.Companies + $held.Leads + 2 * 300)
        $sentTotal | Should -BeGreaterOrEqual ($held.Companies + $held.Leads)
        $restarted.Summary.Created + $restarted.Summary.Updated | Should -BeLessThan ($held.Companies + $held.Leads) -Because 'the restarted job continues; it does not start over'
        ($sentTotal - $sentBefore) | Should -Be ($restarted.Summary.Created + $restarted.Summary.Updated)
        $env:IDENTITY_ENDPOINT = $Sandbox.identityEndpoint
        $env:IDENTITY_HEADER = $Sandbox.identityHeader
        try { (Get-MlSyncState -StateStore $Store).Pending | Should -Be 0 }
        finally { Remove-Item Env:IDENTITY_ENDPOINT, Env:IDENTITY_HEADER }
    }
}
