# Issue 13, cmdlet half: the reverse flow (Marketo leads into Business Central) through Receive-MlMarketoLeads,
# Sync-MlLeadToBusinessCentral and Invoke-MlSync -Direction, against the standalone sandbox (out/sandbox) over real
# HTTP. MLCONNECTOR_HOME is under $TestDrive; the vault is the test double in TestModules/.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'SandboxHelpers.psm1') -Force
    $script:OriginalModulePath = $env:PSModulePath
    $env:PSModulePath = (Join-Path $PSScriptRoot 'TestModules') + [IO.Path]::PathSeparator + $env:PSModulePath
    $env:MLCONNECTOR_TEST_VAULT_FILE = Join-Path $TestDrive 'vault.json'
    $env:MLCONNECTOR_TEST_VAULTS = 'TestVault'
    # The sandbox finishes a bulk export in about a second: poll it every 200 ms, not from 30 s.
    $env:MLCONNECTOR_BULK_POLL_SECONDS = '0.2'
    Import-Module (Get-MlModulePath) -Force

    function script:Start-ReverseSandbox([string] $Name, [string[]] $Switches = @()) {
        $env:MLCONNECTOR_HOME = Join-Path $TestDrive $Name
        $sandbox = Start-MlSandbox -Customers 30 -Switches $Switches
        Connect-MlSandbox $sandbox
        return $sandbox
    }

    function script:Invoke-Admin($Sandbox, [string] $Path, [string] $Method = 'Get', $Body) {
        $uri = $Sandbox.adminUrl.TrimEnd('/') + '/' + $Path
        if ($null -eq $Body) { Invoke-RestMethod -Method $Method -Uri $uri }
        else { Invoke-RestMethod -Method $Method -Uri $uri -ContentType 'application/json' -Body ($Body | ConvertTo-Json -Compress -Depth 5) }
    }

    # Leads created the way marketing creates them: in the Marketo UI, not through the connector.
    function script:New-MarketingLead($Sandbox, [hashtable[]] $Leads) { (Invoke-Admin $Sandbox 'marketo/leads' Post @{ leads = $Leads }).ids }

    function script:Get-Journal($Sandbox) { @(Invoke-Admin $Sandbox 'journal') }

    # Writes in the journal: Marketo Sync Leads / Sync Companies (not reads sent as POST ?_method=GET), and any BC POST or PATCH.
    function script:Get-Write($Sandbox) {
        @(Get-Journal $Sandbox | Where-Object {
                ($_.service -in 2, 'Marketo' -and $_.method -eq 'POST' -and $_.path -match '^/rest/v1/(leads|companies)\.json' -and $_.path -notmatch '_method=GET') -or
                ($_.service -in 1, 'BusinessCentral' -and $_.method -in 'POST', 'PATCH')
            })
    }
}

AfterAll {
    Disconnect-MlConnection -ErrorAction SilentlyContinue
    Remove-Module MlConnector -Force -ErrorAction SilentlyContinue
    $env:PSModulePath = $OriginalModulePath
    Remove-Item Env:MLCONNECTOR_HOME, Env:MLCONNECTOR_TEST_VAULT_FILE, Env:MLCONNECTOR_TEST_VAULTS, Env:MLCONNECTOR_BULK_POLL_SECONDS -ErrorAction SilentlyContinue
}

Describe 'Invoke-MlSync -Direction' {
    BeforeAll { $script:Sandbox = Start-ReverseSandbox 'direction' @('--marketo-leads', 40) }
    AfterAll { Disconnect-MlConnection; Stop-MlSandbox $Sandbox }

    It 'stays BC to Marketo without -Direction: one summary, and no lead watermark' {
        $summaries = @(Invoke-MlSync -RefreshFinancials Never)
        $summaries.Count | Should -Be 1
        $summaries[0].Direction | Should -Be 'BcToMarketo'
        (Get-MlSyncState).LeadChangesReadUntil | Should -BeNullOrEmpty
    }

    It 'starts a first reverse pass now, and says so, when no watermark and no -Since are given' {
        $customers = @(Get-BcCustomer).Count
        $summary = Invoke-MlSync -Direction MarketoToBc -WarningVariable warned -WarningAction SilentlyContinue
        $summary.Direction | Should -Be 'MarketoToBc'
        ($warned -join "`n") | Should -Match 'reading starts now'
        (Get-MlSyncState).LeadChangesReadUntil | Should -Not -BeNullOrEmpty
        @(Get-BcCustomer).Count | Should -Be $customers
    }

    It 'after a full two-way pass over the seeded data, writes nothing in either direction on the next pass' {
        # -Since a month back: the reverse pass reads the seeded marketing leads (and the connector's own writes) by bulk extract.
        $first = @(Invoke-MlSync -Direction Both -Since (Get-Date).AddDays(-31) -RefreshFinancials Never)
        $first.Direction | Should -Be @('BcToMarketo', 'MarketoToBc')
        $first[1].Failed | Should -Be 0
        Invoke-Admin $Sandbox 'journal' Delete | Out-Null

        $second = @(Invoke-MlSync -Direction Both -RefreshFinancials Never)

        $second.Direction | Should -Be @('BcToMarketo', 'MarketoToBc')
        (Get-Write $Sandbox) | Should -BeNullOrEmpty -Because 'the journal shows no Marketo write call and no BC POST or PATCH'
        ($second | Measure-Object Created, Updated -Sum).Sum | Should -Be @(0, 0)
    }

    It 'plans the reverse pass with -WhatIf and writes nothing' {
        $ids = New-MarketingLead $Sandbox @(@{ email = 'plan.me@whatif-pester.example'; firstName = 'Plan'; lastName = 'Me'; company = 'Planned Co' })
        Invoke-Admin $Sandbox 'journal' Delete | Out-Null
        $rows = @(Invoke-MlSync -Direction MarketoToBc -WhatIf)
        ($rows | Where-Object { $_.MarketoId -eq $ids[0] }).Action | Should -Be @('Create', 'Create')
        ($rows | Where-Object TargetType -EQ 'Customer').Changes | Should -Match 'displayName: \(empty\) -> Planned Co'
        (Get-Write $Sandbox | Where-Object path -NotMatch '\$batch') | Should -BeNullOrEmpty
        @(Get-BcCustomer | Where-Object DisplayName -EQ 'Planned Co').Count | Should -Be 0
    }
}

Describe 'Leads Business Central refuses' {
    BeforeAll { $script:Sandbox = Start-ReverseSandbox 'refused' }
    AfterAll { Disconnect-MlConnection; Stop-MlSandbox $Sandbox }

    It 'are Failed with its reason, parked, listed and replayed by Invoke-MlReplay' {
        # Marketo takes an address that starts with a dot; Business Central's mail check does not.
        $id = (New-MarketingLead $Sandbox @(@{ email = '.dot.first@refused-pester.example'; firstName = 'Dot'; lastName = 'First'; company = 'Dotted Co' }))[0]
        $summary = @(Invoke-MlSync -Direction MarketoToBc -Since (Get-Date).AddMinutes(-5) -PassThru)
        $failed = @($summary | Where-Object { $_.GetType().Name -eq 'SyncResult' -and $_.Action -eq 'Failed' })
        $failed.Count | Should -BeGreaterThan 0
        $failed[0].Reason | Should -Match 'is not valid'
        $summary[-1].Parked | Should -Be 1

        $parked = @(Invoke-MlReplay -WhatIf)
        ($parked.SourceType, $parked.SourceNumber) | Should -Be @('Lead', "$id")

        $replayed = @(Invoke-MlReplay -Number $id)
        ($replayed | Where-Object TargetType -EQ 'Contact').Action | Should -Be 'Failed' -Because 'Business Central still refuses the address'
        (Get-MlSyncState).Parked | Should -Be 1
    }
}

Describe 'Receive-MlMarketoLeads | Sync-MlLeadToBusinessCentral' {
    BeforeAll {
        $script:Sandbox = Start-ReverseSandbox 'pipeline'
        $script:Since = (Get-Date).AddMinutes(-5)
        $script:Ids = New-MarketingLead $Sandbox @(
            @{ email = 'ada.pipe@pipe-pester.example'; firstName = 'Ada'; lastName = 'Pipe'; company = 'Pipe Works'; city = 'Leeds' },
            @{ email = 'bo.pipe@pipe-pester.example'; firstName = 'Bo'; lastName = 'Pipe'; company = 'Pipe Works' },
            @{ email = 'no.company@pipe-pester.example'; firstName = 'Nobody' })
    }
    AfterAll { Disconnect-MlConnection; Stop-MlSandbox $Sandbox }

    It 'reads without consuming under -WhatIf, as flat objects' {
        $leads = @(Receive-MlMarketoLeads -Since $Since -Fields leadSource -WhatIf)
        @($leads.MarketoId | Sort-Object) | Should -Be @($Ids | Sort-Object)
        $leads[0].GetType().FullName | Should -Be 'MlConnector.Output.MarketoLeadRow'
        $leads[0].PSObject.Properties.Name | Should -Contain 'leadSource'
        $leads[0].ReadBy | Should -Be 'ChangeFeed'
        (Get-MlSyncState).LeadChangesReadUntil | Should -BeNullOrEmpty
    }

    It 'plans with -WhatIf, then writes from a CSV round trip, one result per record touched' {
        $csv = Join-Path $TestDrive 'leads.csv'
        Receive-MlMarketoLeads -Since $Since | Export-Csv $csv
        $plan = @(Import-Csv $csv | Sync-MlLeadToBusinessCentral -WhatIf)
        ($plan | Where-Object Action -EQ 'Create').Count | Should -Be 3 -Because 'one customer for Pipe Works, two contacts'
        @(Get-BcCustomer | Where-Object DisplayName -EQ 'Pipe Works').Count | Should -Be 0

        $results = @(Import-Csv $csv | Sync-MlLeadToBusinessCentral)

        $customer = @(Get-BcCustomer | Where-Object DisplayName -EQ 'Pipe Works')
        $customer.Count | Should -Be 1
        ($results | Where-Object TargetType -EQ 'Customer').TargetKey | Should -Be $customer[0].Number
        ($results | Where-Object { $_.TargetType -eq 'Contact' -and $_.Action -eq 'Created' }).Count | Should -Be 2
        ($results | Where-Object Action -EQ 'Skipped').Reason | Should -Match '^NotQualified: the lead has no company'
        $results[0].GetType().FullName | Should -Be 'MlConnector.Engine.Sync.SyncResult'
        (Invoke-Admin $Sandbox "marketo/leads/$($Ids[0])").fields.externalCompanyId | Should -Be $customer[0].Number
        $audit = @($results[0] | Get-MlAuditLog)
        $audit.Direction | Select-Object -Unique | Should -Be 'MarketoToBc'
    }

    It 'consumes: the next read returns nothing until something changes' {
        @(Receive-MlMarketoLeads) | Should -BeNullOrEmpty
    }
}

Describe 'SyncDirection in a connection profile' {
    BeforeAll {
        $script:Sandbox = Start-ReverseSandbox 'profile'
        $script:Bc = Get-SandboxBcParameters $Sandbox
    }
    AfterAll { Disconnect-MlConnection; Stop-MlSandbox $Sandbox }

    It 'is saved with -SaveProfile and makes Invoke-MlSync run both ways after reconnecting' {
        Connect-MlBusinessCentral @Bc -ClientId $Sandbox.bcClientId -ClientSecret (ConvertTo-SecureText $Sandbox.bcClientSecret) -Vault TestVault -SecretName bc-both `
            -SyncDirection Both -SaveProfile both
        (Get-Content -Raw (Join-Path $env:MLCONNECTOR_HOME 'profiles/both.json') | ConvertFrom-Json).BusinessCentral.SyncDirection | Should -Be 'Both'
        Disconnect-MlConnection
        Connect-MlBusinessCentral -Profile both
        $marketo = Get-SandboxMarketoParameters $Sandbox
        Connect-MlMarketo @marketo -ClientId $Sandbox.marketoClientId -ClientSecret (ConvertTo-SecureText $Sandbox.marketoClientSecret)

        $summaries = @(Invoke-MlSync -RefreshFinancials Never -WarningAction SilentlyContinue)

        $summaries.Direction | Should -Be @('BcToMarketo', 'MarketoToBc')
        @(Invoke-MlSync -Direction BcToMarketo -RefreshFinancials Never).Direction | Should -Be 'BcToMarketo' -Because '-Direction overrides the profile'
    }
}
