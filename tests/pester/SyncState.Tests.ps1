# Issue 9 at the console: Get-MlSyncState, a state database deleted or damaged, the CRM-sync warning keyed on its code,
# and the company key prefix. MLCONNECTOR_HOME is under $TestDrive, one home per sandbox.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'SandboxHelpers.psm1') -Force
    $env:MLCONNECTOR_HOME = Join-Path $TestDrive 'home'
    Import-Module (Get-MlModulePath) -Force

    function script:Start-SyncSandbox([string] $Name, [int] $Customers = 20, [string] $CompanyKeyPrefix) {
        $env:MLCONNECTOR_HOME = Join-Path $TestDrive $Name
        $sandbox = Start-MlSandbox -Customers $Customers
        Connect-MlSandbox $sandbox -CompanyKeyPrefix $CompanyKeyPrefix
        return $sandbox
    }

    function script:Get-MarketoCompany($Sandbox) { @((Invoke-RestMethod ($Sandbox.adminUrl.TrimEnd('/') + '/marketo/companies?take=100000')) | ForEach-Object { $_ }) }
}

AfterAll {
    Disconnect-MlConnection -ErrorAction SilentlyContinue
    Remove-Module MlConnector -Force -ErrorAction SilentlyContinue
    Remove-Item Env:MLCONNECTOR_HOME -ErrorAction SilentlyContinue
}

Describe 'Get-MlSyncState and a state database that went missing' {
    BeforeAll {
        $script:Sandbox = Start-SyncSandbox 'state'
        $script:First = Invoke-MlSync
        $script:StatePath = Join-Path $env:MLCONNECTOR_HOME 'state/mlconnector.db'
    }
    AfterAll { Disconnect-MlConnection; Stop-MlSandbox $Sandbox }

    It 'shows one flat row for the pair with where its reads stand and what waits' {
        $rows = @(Get-MlSyncState)
        $rows.Count | Should -Be 1
        $row = $rows[0]
        $row.GetType().FullName | Should -Be 'MlConnector.Engine.Sync.SyncPairStatus'
        $row.PairId | Should -Match '^pair-[0-9a-f]{16}$'
        $row.PairId | Should -Be $First.PairId
        $row.BcCompanyName | Should -Be $Sandbox.companyName
        $row.BcCompanyId | Should -Be ([guid] $Sandbox.companyId)
        $row.MunchkinId | Should -Be $Sandbox.munchkinId
        $row.CustomersReadUntil | Should -Not -BeNullOrEmpty
        $row.ContactsReadUntil | Should -Not -BeNullOrEmpty
        $row.LastRunAt | Should -Not -BeNullOrEmpty
        $row.Records | Should -BeGreaterThan 20
        $row.Pending + $row.Parked | Should -Be 0
        $row.LeaseHolder | Should -BeNullOrEmpty
        $table = ($rows | Format-Table | Out-String)
        $table | Should -Match 'PairId\s+BcCompanyName\s+MunchkinId'
        $csv = Join-Path $TestDrive 'state.csv'
        $rows | Export-Csv $csv
        (Import-Csv $csv).PairId | Should -Be $row.PairId
        @(Get-MlSyncState -StatePath (Join-Path $TestDrive 'none.db')).Count | Should -Be 0
    }

    It 'warns when the state database was deleted, says so in the summary, and makes no duplicate in Marketo' {
        Get-ChildItem (Split-Path $StatePath) -Filter 'mlconnector.db*' | Remove-Item
        $again = Invoke-MlSync -WarningVariable warnings -WarningAction SilentlyContinue
        $again.StateCreated | Should -BeTrue
        @($warnings | Where-Object { "$_" -match 'created again' -and "$_" -match 'sent to Marketo again' }).Count | Should -Be 1
        $again.Created | Should -Be 0 -Because 'every record is sent again as an update of what Marketo holds'
        $again.Updated | Should -Be $First.Created
        $companies = Get-MarketoCompany $Sandbox
        @($companies.externalCompanyId | Sort-Object -Unique).Count | Should -Be $companies.Count

        $next = Invoke-MlSync -WarningVariable quiet
        $next.StateCreated | Should -BeFalse
        @($quiet | Where-Object { "$_" -match 'created again' }).Count | Should -Be 0
    }

    It 'stops with StateStoreUnavailable on a damaged state database, and Get-MlSyncState reports it too' {
        $damaged = Join-Path $TestDrive 'damaged.db'
        Set-Content -Path $damaged -Value ('not a database ' * 400)
        { Invoke-MlSync -StatePath $damaged -ErrorAction Stop } | Should -Throw -ErrorId 'InvokeMlSyncStateStoreUnavailable*'
        { Sync-MlCustomerToMarketo -StatePath $damaged -ErrorAction Stop } | Should -Throw -ErrorId 'SyncMlCustomerToMarketoStateStoreUnavailable*'
        { Get-MlSyncState -StatePath $damaged -ErrorAction Stop } | Should -Throw -ErrorId 'GetMlSyncStateStateStoreUnavailable*'
    }
}

Describe 'CRM sync at the console' {
    BeforeAll {
        $script:Sandbox = Start-SyncSandbox 'crm' -Customers 10
        Invoke-SandboxAdmin $Sandbox 'marketo/crm-sync' @{ enabled = $true } | Out-Null
    }
    AfterAll { Disconnect-MlConnection; Stop-MlSandbox $Sandbox }

    It 'writes one CRM-sync warning per run, the engine''s, and none of the cmdlet''s own' {
        $summary = Invoke-MlSync -WarningVariable warnings -WarningAction SilentlyContinue
        $summary.Skipped | Should -BeGreaterOrEqual 10
        @($warnings | Where-Object { "$_" -match 'read-only' }).Count | Should -Be 1
    }

    It 'writes companies again in the next run once CRM sync is switched off' {
        Invoke-SandboxAdmin $Sandbox 'marketo/crm-sync' @{ enabled = $false } | Out-Null
        $summary = Invoke-MlSync -RefreshFinancials Always -WarningVariable warnings
        $summary.Created | Should -BeGreaterOrEqual 10
        @($warnings | Where-Object { "$_" -match 'read-only' }).Count | Should -Be 0
        @(Get-MarketoCompany $Sandbox).Count | Should -Be 10
    }
}

Describe 'A company key prefix at the console' {
    BeforeAll { $script:Sandbox = Start-SyncSandbox 'prefix' -Customers 10 -CompanyKeyPrefix 'US-' }
    AfterAll { Disconnect-MlConnection; Stop-MlSandbox $Sandbox }

    It 'puts the prefix before every Marketo company key and shows it in Get-MlSyncState' {
        Invoke-MlSync | Out-Null
        $companies = Get-MarketoCompany $Sandbox
        $companies.Count | Should -Be 10
        $companies.externalCompanyId | ForEach-Object { $_ | Should -BeLike 'US-C*' }
        (Get-MlSyncState).CompanyKeyPrefix | Should -Be 'US-'
    }
}
