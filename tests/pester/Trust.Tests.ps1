# Issue 11 (trust at the console), the shell half: privacy in the offline preview, BC's export headers binding to
# Sync-MlCustomerToMarketo, the -WhatIf plan exported to CSV, and parked records listed, replayed from BC with a fixed
# mapping, and cleared — against the standalone sandbox, with MLCONNECTOR_HOME under $TestDrive.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'SandboxHelpers.psm1') -Force
    $env:MLCONNECTOR_HOME = Join-Path $TestDrive 'home'
    Import-Module (Get-MlModulePath) -Force
    $script:Sandbox = Start-MlSandbox -Customers 12
    Connect-MlSandbox $Sandbox

    function script:Invoke-Admin([string] $Path, [string] $Method = 'Get', $Body) {
        $uri = $Sandbox.adminUrl.TrimEnd('/') + '/' + $Path
        $response = if ($null -eq $Body) { Invoke-RestMethod -Method $Method -Uri $uri }
        else { Invoke-RestMethod -Method $Method -Uri $uri -ContentType 'application/json' -Body ($Body | ConvertTo-Json -Compress -Depth 5) }
        # Invoke-RestMethod writes a JSON array as one object; return its items one by one.
        return $response
    }

    function script:Get-MarketoWriteCount {
        @(Invoke-Admin 'journal' | Where-Object {
                $_.service -in 2, 'Marketo' -and $_.method -eq 'POST' -and $_.path -match '^/rest/v1/(leads|companies)\.json' -and $_.path -notmatch '_method=GET'
            }).Count
    }
}

AfterAll {
    Disconnect-MlConnection -ErrorAction SilentlyContinue
    Stop-MlSandbox $Sandbox
    Remove-Module MlConnector -Force -ErrorAction SilentlyContinue
    Remove-Item Env:MLCONNECTOR_HOME -ErrorAction SilentlyContinue
}

Describe 'Privacy in the offline preview' {
    It 'gives every privacy-blocked contact the SkipReason PrivacyBlocked and no lead values' {
        $person = Get-BcContact | Where-Object { $_.Type -eq 'Person' -and $_.Email -and -not $_.PrivacyBlocked } | Select-Object -First 1
        Invoke-Admin "bc/contacts/$($person.Id)/modify" Post @{ privacyBlocked = $true } | Out-Null

        $blocked = @(Get-BcContact | Where-Object PrivacyBlocked)
        $rows = @($blocked | ConvertTo-MlMarketoLead)

        $blocked.Number | Should -Contain $person.Number
        $rows.Count | Should -Be $blocked.Count
        $rows | ForEach-Object { $_.SkipReason | Should -Be 'PrivacyBlocked' }
        ($rows | Where-Object SourceNumber -EQ $person.Number).email | Should -BeNullOrEmpty
        ($rows | Where-Object SourceNumber -EQ $person.Number).lastName | Should -BeNullOrEmpty
    }
}

Describe 'Sync-MlCustomerToMarketo and rows exported from Business Central' {
    It 'binds the number of a row with BC''s export header <Header>' -ForEach @(@{ Header = 'Customer No.' }, @{ Header = 'No.' }) {
        $number = (Get-BcCustomer | Where-Object Blocked -NE 'All' | Select-Object -First 1).Number
        $row = [pscustomobject]@{ $Header = $number; 'Name' = 'As exported' }

        $results = @($row | Sync-MlCustomerToMarketo -ErrorVariable refused -ErrorAction SilentlyContinue)

        $refused.Count | Should -Be 0
        @($results | Where-Object TargetType -EQ 'Company').SourceNumber | Should -Be $number
    }

    It 'still refuses a row whose number column holds an object rather than a number' {
        $row = [pscustomobject]@{ 'No.' = [pscustomobject]@{ Nested = 'C00001' } }
        { $row | Sync-MlCustomerToMarketo -ErrorAction Stop } | Should -Throw -ErrorId 'SyncMlCustomerToMarketoNoCustomerNumber*'
    }
}

Describe 'The -WhatIf plan exported to CSV' {
    It 'has a readable Changes column, the diff against what Marketo holds now' {
        Invoke-MlSync -RefreshFinancials Never | Out-Null
        $customer = Get-BcCustomer | Where-Object { $_.Blocked -ne 'All' -and $_.City } | Select-Object -First 1
        Invoke-Admin "bc/customers/$($customer.Id)/modify" Post @{ city = 'Planned City' } | Out-Null
        $csv = Join-Path $TestDrive 'plan.csv'

        Sync-MlCustomerToMarketo -Number $customer.Number -WhatIf | Export-Csv $csv
        $rows = @(Import-Csv $csv)

        (Get-Content $csv -Raw) | Should -Not -Match 'System\.Collections|FieldChange'
        $company = $rows | Where-Object { $_.TargetType -eq 'Company' }
        $company.Action | Should -Be 'Update'
        $company.Changes | Should -Be "billingCity: $($customer.City) -> Planned City"
        ($rows | Where-Object TargetType -EQ 'Lead').Changes | ForEach-Object { $_ | Should -Not -Match 'System\.' }
    }
}

Describe 'Parked records you can finish' {
    BeforeAll {
        $script:Bad = Join-Path $TestDrive 'bad.psd1'
        # A date field filled from a city: Marketo refuses each such lead with 1001 and the sync parks it.
        "@{ lead = @{ fields = @{ dateOfBirth = 'City' } } }" | Set-Content $Bad
        $contacts = Get-BcContact | Where-Object { $_.Type -eq 'Person' -and -not $_.PrivacyBlocked -and $_.City -and $_.Email -match '@' } | Select-Object -First 3
        foreach ($contact in $contacts) { Invoke-Admin "bc/contacts/$($contact.Id)/modify" Post @{ jobTitle = 'Parked Once' } | Out-Null }
        $script:Run = @(Invoke-MlSync -MappingPath $Bad -RefreshFinancials Never -PassThru)
        $script:Failed = @($Run | Where-Object { $_.GetType().Name -eq 'SyncResult' -and "$($_.Action)" -eq 'Failed' })
    }

    It 'lists each parked record with why, since when and how often (Get-MlParkedRecord)' {
        $Failed.Count | Should -BeGreaterThan 0
        $parked = @(Get-MlParkedRecord)

        $parked.Count | Should -Be $Failed.Count
        ($parked.SourceNumber | Sort-Object) -join ',' | Should -Be (($Failed.SourceNumber | Sort-Object) -join ',')
        foreach ($record in $parked) {
            $record.GetType().FullName | Should -Be 'MlConnector.Engine.Sync.ParkedRecord'
            $record.Reason | Should -Match '1001'
            $record.Attempts | Should -Be 1
            $record.QueuedAt | Should -BeLessOrEqual $record.LastFailedAt
            "$($record.Direction)" | Should -Be 'BcToMarketo'
        }
        @(Get-MlParkedRecord -Number $parked[0].SourceNumber).Count | Should -Be 1
        @(Get-MlParkedRecord -Number 'NO-SUCH*').Count | Should -Be 0
        # Flat for CSV, and a default table view.
        ($parked | ConvertTo-Csv | Select-Object -First 1) | Should -Match '"Reason"'
        (Get-FormatData -TypeName MlConnector.Engine.Sync.ParkedRecord) | Should -Not -BeNullOrEmpty
        ($parked | Out-String -Width 250) | Should -Match 'LastFailedAt'
    }

    It 'lets them through when replayed after the mapping was fixed (Invoke-MlReplay plans them again from BC)' {
        $writes = Get-MarketoWriteCount
        # A sync with the fixed mapping does not touch them: nothing changed in BC since.
        (Invoke-MlSync -RefreshFinancials Never).Parked | Should -Be $Failed.Count
        $keep = $Failed[0].SourceNumber

        $replayed = @(Get-MlParkedRecord | Where-Object SourceNumber -NE $keep | Invoke-MlReplay)

        $replayed.Count | Should -Be ($Failed.Count - 1)
        $replayed | ForEach-Object { "$($_.Action)" | Should -BeIn @('Created', 'Updated') }
        (Get-MarketoWriteCount) | Should -BeGreaterThan $writes
        @(Get-MlParkedRecord).SourceNumber | Should -Be $keep
    }

    It 'clears one only past ShouldProcess, with an audit line (Clear-MlParkedRecord)' {
        $record = Get-MlParkedRecord | Select-Object -First 1
        $record | Clear-MlParkedRecord -WhatIf
        @(Get-MlParkedRecord).Count | Should -Be 1

        $cleared = @($record | Clear-MlParkedRecord -Confirm:$false -PassThru)

        $cleared.SourceNumber | Should -Be $record.SourceNumber
        @(Get-MlParkedRecord).Count | Should -Be 0
        $line = @(Get-MlAuditLog -SourceNumber $record.SourceNumber -Action Cleared)
        $line.Count | Should -Be 1
        $line[0].Reason | Should -Match '1001'
        @(Invoke-MlReplay -WhatIf).Count | Should -Be 0
    }
}
