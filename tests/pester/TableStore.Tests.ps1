# Issue 15 at the console: -StateStore on the state-using cmdlets with Azure Table Storage (the run's azurite-table,
# reached with a connection string kept in the test vault), Connect-MlStateStore and profiles, Copy-MlState between
# SQLite and the table store in both directions, and no secret anywhere the module writes.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'SandboxHelpers.psm1') -Force
    $env:MLCONNECTOR_HOME = Join-Path $TestDrive 'home'
    Enable-TestVault -Folder $TestDrive
    Import-Module (Get-MlModulePath) -Force
    $script:Azurite = Get-TestAzurite
    $script:AccountKey = ($Azurite.ConnectionString -split ';' | Where-Object { $_ -like 'AccountKey=*' }).Substring('AccountKey='.Length)
    Set-Secret -Name mlc-tables -Vault TestVault -Secret $Azurite.ConnectionString

    function script:Start-TableSandbox([string] $Name, [int] $Customers = 20) {
        $env:MLCONNECTOR_HOME = Join-Path $TestDrive $Name
        $sandbox = Start-MlSandbox -Customers $Customers
        Connect-MlSandbox $sandbox
        return $sandbox
    }

    # Company and lead write calls Marketo has served so far.
    function script:Get-MarketoWriteCount($Sandbox) {
        @((Invoke-RestMethod ($Sandbox.adminUrl.TrimEnd('/') + '/journal')) | ForEach-Object { $_ } |
            Where-Object { $_.service -in 2, 'Marketo' -and $_.method -eq 'POST' -and $_.path -match '^/rest/v1/(leads|companies)\.json' -and $_.path -notmatch '_method=GET' }).Count
    }

    function script:Set-CustomerPhone($Sandbox, [string] $Number, [string] $Phone) {
        $customer = Get-BcCustomer -Number $Number
        Invoke-SandboxAdmin $Sandbox "bc/customers/$($customer.Id)/modify" @{ phoneNumber = $Phone } | Out-Null
    }
}

AfterAll {
    Disconnect-MlConnection -ErrorAction SilentlyContinue
    Remove-Module MlConnector -Force -ErrorAction SilentlyContinue
    Disable-TestVault
    Remove-Item Env:MLCONNECTOR_HOME -ErrorAction SilentlyContinue
}

Describe 'The state-using cmdlets on a table store named with -StateStore' {
    BeforeAll {
        $script:Sandbox = Start-TableSandbox 'tables'
        $script:Store = $Azurite.VaultReference('TestVault', 'mlc-tables', (New-TestTablePrefix 'Console'))
        $script:First = Invoke-MlSync -StateStore $Store
    }
    AfterAll { Disconnect-MlConnection; Stop-MlSandbox $Sandbox }

    It 'syncs with its state and audit in the tables, nothing in the home, and a second run sends nothing' {
        $First.Created | Should -BeGreaterThan 20
        $First.StateCreated | Should -BeTrue
        $First.AuditPath | Should -Match 'Audit$'
        $First.AuditPath | Should -BeLike "$($Azurite.TableEndpoint)*"
        Test-Path (Join-Path $env:MLCONNECTOR_HOME 'state') | Should -BeFalse
        Test-Path (Join-Path $env:MLCONNECTOR_HOME 'audit') | Should -BeFalse
        $writes = Get-MarketoWriteCount $Sandbox

        $second = Invoke-MlSync -StateStore $Store

        $second.Created + $second.Updated | Should -Be 0
        $second.StateCreated | Should -BeFalse
        Get-MarketoWriteCount $Sandbox | Should -Be $writes
    }

    It 'shows the pair with Get-MlSyncState and the run with Get-MlAuditLog, read from the tables' {
        $row = Get-MlSyncState -StateStore $Store
        $row.PairId | Should -Be $First.PairId
        $row.Records | Should -Be $First.Created
        $row.Pending + $row.Parked | Should -Be 0
        $row.LastRunAt | Should -Not -BeNullOrEmpty
        $lines = @(Get-MlAuditLog -StateStore $Store -CorrelationId $First.CorrelationId)
        $lines.Count | Should -Be ($First.Created + $First.Skipped)
        @($lines | Where-Object Action -EQ 'Created').Count | Should -Be $First.Created
        @($First | Get-MlAuditLog -StateStore $Store -Action Created).Count | Should -Be $First.Created
    }

    It 'takes -StateStore on Sync-MlCustomerToMarketo and Invoke-MlReplay too' {
        $number = (Get-BcCustomer | Select-Object -First 1).Number
        $resent = @(Sync-MlCustomerToMarketo -Number $number -Resync -StateStore $Store)
        @($resent | Where-Object { $_.TargetType -eq 'Company' -and $_.Action -eq 'Updated' }).SourceNumber | Should -Be $number
        @(Invoke-MlReplay -StateStore $Store -WhatIf).Count | Should -Be 0
        (Get-MlSyncState -StateStore $Store).Pending | Should -Be 0
    }

    It 'lists, plans to replay and clears a parked record in the tables, its audit line in the audit table' {
        $admin = $Sandbox.adminUrl.TrimEnd('/')
        # Marketing gives a second lead the first one's email: Marketo refuses the first contact's next write (1007).
        $leads = @((Invoke-RestMethod "$admin/marketo/leads?take=1000") | ForEach-Object { $_ } | Where-Object { $_.fields.bcContactNumber })
        Invoke-SandboxAdmin $Sandbox "marketo/leads/$($leads[1].id)/marketing-edit" @{ fields = @{ email = $leads[0].fields.email } } | Out-Null
        $contact = Get-BcContact | Where-Object Number -EQ $leads[0].fields.bcContactNumber
        Invoke-SandboxAdmin $Sandbox "bc/contacts/$($contact.Id)/modify" @{ jobTitle = 'Parked in the tables' } | Out-Null
        try {
            (Invoke-MlSync -StateStore $Store -RefreshFinancials Never).Parked | Should -Be 1
            $parked = @(Get-MlParkedRecord -StateStore $Store)
            $parked.SourceNumber | Should -Be $contact.Number
            $parked.Reason | Should -Match '1007'
            @(Invoke-MlReplay -StateStore $Store -WhatIf).SourceNumber | Should -Be $contact.Number
            $parked | Clear-MlParkedRecord -StateStore $Store -Confirm:$false
            @(Get-MlParkedRecord -StateStore $Store).Count | Should -Be 0
            @(Get-MlAuditLog -StateStore $Store -Action Cleared).SourceNumber | Should -Be $contact.Number
            Test-Path (Join-Path $env:MLCONNECTOR_HOME 'audit') | Should -BeFalse
        }
        finally { Invoke-SandboxAdmin $Sandbox "marketo/leads/$($leads[1].id)/marketing-edit" @{ fields = @{ email = $leads[1].fields.email } } | Out-Null }
    }

    It 'plans under -WhatIf on tables that do not exist yet without creating the store' {
        $fresh = $Azurite.VaultReference('TestVault', 'mlc-tables', (New-TestTablePrefix 'Fresh'))
        @(Invoke-MlSync -StateStore $fresh -WhatIf).Count | Should -BeGreaterThan 20 -Because 'a first run plans every customer and contact'
        @(Get-MlSyncState -StateStore $fresh).Count | Should -Be 0
        @(Get-MlParkedRecord -StateStore $fresh).Count | Should -Be 0
        (Invoke-MlSync -StateStore $fresh -RefreshFinancials Never).StateCreated | Should -BeTrue -Because 'the plan left no trace of a store: the first real run creates it'
    }

    It 'refuses a -StateStore that carries a secret, and shows the secret nowhere' {
        $all = Invoke-MlSync -StateStore $Store -Verbose *>&1 | Out-String
        { Invoke-MlSync -StateStore $Azurite.ConnectionString -ErrorAction Stop } | Should -Throw -ErrorId 'InvokeMlSyncStateStoreReferenceInvalid*'
        $refused = $Error[0] | Out-String
        { Get-MlSyncState -StateStore "vault:TestVault/no-such-secret?tlsThumbprint=$($Azurite.Thumbprint)" -ErrorAction Stop } | Should -Throw -ErrorId 'GetMlSyncStateSecretNotFound*'
        foreach ($text in $all, $refused, ($Error | Out-String)) {
            $text | Should -Not -Match ([regex]::Escape($AccountKey))
        }
        $all | Should -Match ([regex]::Escape("State store: $($Azurite.TableEndpoint)"))
    }

    It 'saves the store in a profile with Connect-MlStateStore, and a connection from the profile syncs on it' {
        $connection = Connect-MlStateStore $Store -SaveProfile tables -PassThru
        $connection.StateStore | Should -Be $Store
        $profileText = Get-Content -Raw (Join-Path $env:MLCONNECTOR_HOME 'profiles/tables.json')
        ($profileText | ConvertFrom-Json).StateStore | Should -Be $Store
        $profileText | Should -Not -Match ([regex]::Escape($AccountKey))
        Disconnect-MlConnection StateStore
        (Get-MlConnection).Service | Should -Not -Contain 'StateStore'

        Connect-MlStateStore -Profile tables
        (Get-MlConnection | Where-Object Service -EQ 'StateStore').BaseUri | Should -Be $Store
        $number = (Get-BcCustomer | Select-Object -Last 1).Number
        Set-CustomerPhone $Sandbox $number '+1 555 0199'
        $run = Invoke-MlSync
        $run.PairId | Should -Be $First.PairId
        $run.Updated | Should -Be 1
        Test-Path (Join-Path $env:MLCONNECTOR_HOME 'state') | Should -BeFalse
        (Get-MlSyncState).Records | Should -Be $First.Created
        { Connect-MlStateStore -Profile none-such -ErrorAction Stop } | Should -Throw -ErrorId 'ConnectMlStateStoreProfileNotFound*'
    }
}

Describe 'Copy-MlState between the SQLite database and a table store' {
    BeforeAll {
        Disconnect-MlConnection -ErrorAction SilentlyContinue
        $script:Sandbox = Start-TableSandbox 'copy'
        $script:Sqlite = Join-Path $env:MLCONNECTOR_HOME 'state/mlconnector.db'
        $script:Store = $Azurite.VaultReference('TestVault', 'mlc-tables', (New-TestTablePrefix 'Copy'))
        $script:First = Invoke-MlSync
        $script:Customers = @(Get-BcCustomer | Sort-Object Number)
    }
    AfterAll { Disconnect-MlConnection; Stop-MlSandbox $Sandbox }

    It 'copies nothing under -WhatIf, then moves the pair to the tables, where the next run sends only what changed since' {
        Copy-MlState -From $Sqlite -To $Store -WhatIf | Should -BeNullOrEmpty
        @(Get-MlSyncState -StateStore $Store).Count | Should -Be 0

        $copy = Copy-MlState -From $Sqlite -To $Store
        $copy.GetType().FullName | Should -Be 'MlConnector.Engine.State.StateCopyResult'
        $copy.PairId | Should -Be $First.PairId
        $copy.Records | Should -Be $First.Created
        $copy.Links | Should -Be $First.Created
        $copy.Checkpoints | Should -BeGreaterOrEqual 3
        $copy.Replaced | Should -BeFalse
        $copy.To | Should -Not -Match ([regex]::Escape($AccountKey))
        ($copy | Format-Table | Out-String) | Should -Match 'PairId\s+BcCompanyName'
        $writes = Get-MarketoWriteCount $Sandbox

        $unchanged = Invoke-MlSync -StateStore $Store
        $unchanged.Created + $unchanged.Updated | Should -Be 0
        Get-MarketoWriteCount $Sandbox | Should -Be $writes
        Set-CustomerPhone $Sandbox $Customers[2].Number '+1 555 0102'
        $changed = Invoke-MlSync -StateStore $Store -PassThru
        @($changed | Where-Object { $_.PSObject.TypeNames[0] -eq 'MlConnector.Engine.Sync.SyncResult' -and $_.Action -eq 'Updated' }).SourceNumber | Should -Be $Customers[2].Number

        { Copy-MlState -From $Sqlite -To $Store -ErrorAction Stop } | Should -Throw -ErrorId 'CopyMlStateStateCopyTargetHoldsPair*'
    }

    It 'moves it back with -Force, piped from Get-MlSyncState, and the console continues where the tables stopped' {
        $back = Get-MlSyncState -StateStore $Store | Copy-MlState -From $Store -To $Sqlite -Force -Confirm:$false
        $back.Replaced | Should -BeTrue
        $back.PairId | Should -Be $First.PairId
        $writes = Get-MarketoWriteCount $Sandbox

        $unchanged = Invoke-MlSync
        $unchanged.Created + $unchanged.Updated | Should -Be 0 -Because 'the change made on the tables came back with the copy'
        Get-MarketoWriteCount $Sandbox | Should -Be $writes
        (Get-MlSyncState -StatePath $Sqlite).Records | Should -Be $First.Created
        { Copy-MlState -From $Sqlite -To $Sqlite -PairId $First.PairId -ErrorAction Stop } | Should -Throw -ErrorId 'CopyMlStateStateCopySameStore*'
        Copy-MlState -From $Sqlite -To $Store -PairId 'pair-0000000000000000' -ErrorAction SilentlyContinue -ErrorVariable missing | Should -BeNullOrEmpty
        $missing[0].FullyQualifiedErrorId | Should -BeLike 'CopyMlStatePairNotFound*'
    }
}
