# Issue 5, cmdlet half: Invoke-MlSync, Sync-MlCustomerToMarketo, Invoke-MlReplay, Get-MlAuditLog and the offline
# ConvertTo-MlMarketo* previews against the standalone sandbox (out/sandbox) over real HTTP. MLCONNECTOR_HOME is
# always under $TestDrive, so the state database and the audit trail never touch the user's profile.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'SandboxHelpers.psm1') -Force
    $env:MLCONNECTOR_HOME = Join-Path $TestDrive 'home'
    Import-Module (Get-MlModulePath) -Force

    # Every sandbox gets its own home folder: a fresh state database and audit trail.
    function script:Start-SyncSandbox([string] $Name, [int] $Customers = 30) {
        $env:MLCONNECTOR_HOME = Join-Path $TestDrive $Name
        $sandbox = Start-MlSandbox -Customers $Customers
        Connect-MlSandbox $sandbox
        return $sandbox
    }

    function script:Invoke-Admin($Sandbox, [string] $Path, [string] $Method = 'Get', $Body) {
        $uri = $Sandbox.adminUrl.TrimEnd('/') + '/' + $Path
        $response = if ($null -eq $Body) { Invoke-RestMethod -Method $Method -Uri $uri }
        else { Invoke-RestMethod -Method $Method -Uri $uri -ContentType 'application/json' -Body ($Body | ConvertTo-Json -Compress -Depth 5) }
        # Invoke-RestMethod writes a JSON array as one object; return its items one by one.
        return $response
    }

    # Marketo writes in the sandbox journal: POSTs that sync leads or companies (not reads sent as POST ?_method=GET).
    function script:Get-MarketoWrite($Sandbox) {
        @(Invoke-Admin $Sandbox 'journal' | Where-Object {
                $_.service -in 2, 'Marketo' -and $_.method -eq 'POST' -and $_.path -match '^/rest/v1/(leads|companies)\.json' -and $_.path -notmatch '_method=GET'
            })
    }

    function script:Get-MarketoCompany($Sandbox) { @(Invoke-Admin $Sandbox 'marketo/companies?take=100000') }

    function script:Get-MarketoLead($Sandbox) { @(Invoke-Admin $Sandbox 'marketo/leads?take=100000') }

    # What may be a Marketo lead key, written from the seeded data's shapes (blank, no '@', two '@', a space, no dot
    # in the domain, '..'), not copied from the engine's EmailRules: a change to those rules fails this suite.
    function script:Test-UsableEmail([string] $Email) {
        if ([string]::IsNullOrWhiteSpace($Email)) { return $false }
        $trimmed = $Email.Trim()
        $parts = $trimmed.Split('@')
        return $parts.Count -eq 2 -and $parts[0].Length -gt 0 -and $trimmed.Length -le 255 -and $trimmed -notmatch '\s' -and
            -not $trimmed.Contains('..') -and $parts[1].Contains('.') -and -not $parts[1].StartsWith('.') -and -not $parts[1].EndsWith('.')
    }

    $script:Invariant = [cultureinfo]::InvariantCulture
}

AfterAll {
    Disconnect-MlConnection -ErrorAction SilentlyContinue
    Remove-Module MlConnector -Force -ErrorAction SilentlyContinue
    Remove-Item Env:MLCONNECTOR_HOME -ErrorAction SilentlyContinue
}

Describe 'Invoke-MlSync and Sync-MlCustomerToMarketo end to end' {
    BeforeAll {
        $script:Sandbox = Start-SyncSandbox 'e2e'
        Invoke-Admin $Sandbox 'journal' Delete | Out-Null
        $script:Output = @(Invoke-MlSync -PassThru)
        $script:Summary = $Output[-1]
        $script:Results = @($Output | Select-Object -SkipLast 1)
        # What the sandbox saw of that first run, taken before any test changes anything.
        $journal = @(Invoke-Admin $Sandbox 'journal')
        $script:FirstRun = @{
            MarketoCalls = @($journal | Where-Object service -In 2, 'Marketo').Count
            BcCalls      = @($journal | Where-Object service -In 1, 'BusinessCentral').Count
            Companies    = (Get-MarketoCompany $Sandbox).Count
            Leads        = (Get-MarketoLead $Sandbox).Count
            Persons      = @(Get-BcContact | Where-Object Type -EQ 'Person').Count
            Customers    = @(Get-BcCustomer).Count
        }
    }
    AfterAll { Disconnect-MlConnection; Stop-MlSandbox $Sandbox }

    It 'leaves one company per BC customer and one lead per distinct valid person email, except what must not cross' {
        # Customers blocked for all transactions and Privacy Blocked contacts are not sent (docs/mapping.md).
        $customers = @(Get-BcCustomer | Where-Object Blocked -NE 'All')
        $companies = Get-MarketoCompany $Sandbox
        ($companies.externalCompanyId | Sort-Object) -join ',' | Should -Be (($customers.Number | Sort-Object) -join ',')

        $expected = @(Get-BcContact | Where-Object { $_.Type -eq 'Person' -and -not $_.PrivacyBlocked -and (Test-UsableEmail $_.Email) } |
                ForEach-Object { $_.Email.Trim().ToLowerInvariant() } | Sort-Object -Unique)
        $leads = @((Get-MarketoLead $Sandbox).fields.email | ForEach-Object { $_.ToLowerInvariant() })
        $leads.Count | Should -Be (@($leads | Sort-Object -Unique).Count) -Because 'no email is two leads'
        ($leads | Sort-Object) -join ',' | Should -Be ($expected -join ',')
        $Results.Action | Should -Not -Contain 'Failed'
        (Get-MarketoWrite $Sandbox).Count | Should -BeGreaterThan 0 -Because 'the journal shows the writes the idempotency checks count'
    }

    It 'ends with one SyncSummary whose counts match what Marketo, BC and the sandbox journal show' {
        $Summary.GetType().FullName | Should -Be 'MlConnector.Engine.Sync.SyncSummary'
        $FirstRun.Leads | Should -BeGreaterThan 0
        $Summary.Created | Should -Be ($FirstRun.Companies + $FirstRun.Leads) -Because 'Marketo started empty'
        $Summary.Skipped | Should -Be (($FirstRun.Persons - $FirstRun.Leads) + ($FirstRun.Customers - $FirstRun.Companies)) -Because 'every person contact became a lead and every customer a company, or was skipped (blocked customers do not cross)'
        $Summary.Skipped | Should -BeGreaterThan 0
        $Summary.FinancialsRefreshed | Should -BeTrue -Because 'no refresh had been made yet'
        $Summary.MarketoCalls | Should -Be $FirstRun.MarketoCalls
        $Summary.BusinessCentralCalls | Should -Be $FirstRun.BcCalls
        $Summary.AuditPath | Should -Be (Join-Path $env:MLCONNECTOR_HOME 'audit')
        Join-Path $env:MLCONNECTOR_HOME 'state/mlconnector.db' | Should -Exist
    }

    It 'has the reason of every skipped record in Get-MlAuditLog' {
        $skipped = @($Results | Where-Object Action -EQ 'Skipped')
        $skipped.Count | Should -BeGreaterThan 0 -Because 'the seeded data has contacts without a usable email'
        $audit = @($Summary | Get-MlAuditLog -Action Skipped)
        foreach ($result in $skipped) {
            $line = @($audit | Where-Object { $_.SourceNumber -eq $result.SourceNumber -and $_.SourceType -eq $result.SourceType })
            $line.Count | Should -Be 1
            $line[0].Reason | Should -Be $result.Reason
            $line[0].Reason | Should -Not -BeNullOrEmpty
        }
        @($Summary | Get-MlAuditLog).Count | Should -Be $Results.Count
    }

    It 'makes no Marketo write on a second run or through Get-BcCustomer | Sync-MlCustomerToMarketo, and reports Unchanged' {
        $writes = (Get-MarketoWrite $Sandbox).Count
        $again = Invoke-MlSync
        $piped = @(Get-BcCustomer | Sync-MlCustomerToMarketo)

        (Get-MarketoWrite $Sandbox).Count | Should -Be $writes
        $again.Created + $again.Updated + $again.Failed | Should -Be 0
        $again.FinancialsRefreshed | Should -BeFalse -Because 'the daily refresh ran minutes ago'
        $piped.Count | Should -BeGreaterThan 0
        @($piped | Where-Object Action -NE 'Skipped').Action | Sort-Object -Unique | Should -Be 'Unchanged'
        @($piped | Where-Object { $_.TargetType -eq 'Company' -and "$($_.Action)" -eq 'Unchanged' }).Count | Should -Be (Get-MarketoCompany $Sandbox).Count
    }

    It '-WhatIf makes no write and shows the field diff of a change made in the BC UI' {
        $customer = Get-BcCustomer | Select-Object -First 1
        Invoke-Admin $Sandbox "bc/customers/$($customer.Id)/modify" Post @{ city = 'Zürich' } | Out-Null
        $writes = (Get-MarketoWrite $Sandbox).Count

        $plan = @(Sync-MlCustomerToMarketo -WhatIf)

        (Get-MarketoWrite $Sandbox).Count | Should -Be $writes
        $plan.Count | Should -BeGreaterThan 0
        $plan | ForEach-Object { $_.GetType().FullName | Should -Be 'MlConnector.Engine.Sync.SyncPlanRow' }
        $row = @($plan | Where-Object { $_.SourceNumber -eq $customer.Number -and $_.TargetType -eq 'Company' })
        $row.Count | Should -Be 1
        "$($row[0].Action)" | Should -Be 'Update'
        $row[0].Changes | Should -Be "billingCity: $($customer.City) -> Zürich"
        ($row[0] | ConvertTo-Csv | Select-Object -Last 1) | Should -Match 'billingCity: .* -> Zürich'

        # The plan wrote nothing and moved no checkpoint: the next incremental run (not one by number, which reads
        # the customer whatever the checkpoint says) still finds and sends the change.
        $sent = @(Sync-MlCustomerToMarketo | Where-Object { $_.TargetType -eq 'Company' -and $_.SourceNumber -eq $customer.Number })
        $sent.Count | Should -Be 1
        "$($sent[0].Action)" | Should -Be 'Updated'
        # Its audit line names the one field that changed, not every mapped field.
        @($sent | Get-MlAuditLog | Where-Object TargetType -EQ 'Company').ChangedFields | Should -Be 'billingCity'
        (Get-MarketoCompany $Sandbox | Where-Object externalCompanyId -EQ $customer.Number).fields.billingCity | Should -Be 'Zürich'
    }

    It 'refuses a finance document piped in with NotPeopleOrAccount and writes nothing for it, while the rest continues' {
        $writes = (Get-MarketoWrite $Sandbox).Count
        $invoice = [pscustomobject]@{ '@odata.context' = 'https://api.businesscentral.dynamics.com/v2.0/x/api/v2.0/$metadata#companies(1)/salesInvoices/$entity'; number = 'S-INV-1'; invoiceDate = '2026-01-01' }
        $customer = Get-BcCustomer | Select-Object -Last 1
        $results = @($invoice, [pscustomobject]@{ No = $customer.Number } | Sync-MlCustomerToMarketo -ErrorVariable refused -ErrorAction SilentlyContinue)

        $refused.Count | Should -Be 1
        $refused[0].FullyQualifiedErrorId | Should -BeLike 'SyncMlCustomerToMarketoNotPeopleOrAccount*'
        $refused[0].CategoryInfo.Category | Should -Be 'InvalidData'
        $refused[0].TargetObject.number | Should -Be 'S-INV-1'
        $refused[0].Exception.Message | Should -Match 'sales invoice'
        $results.SourceNumber | Should -Not -Contain 'S-INV-1'
        $results.SourceNumber | Should -Contain $customer.Number
        (Get-MarketoWrite $Sandbox).Count | Should -Be $writes
        @(Get-MlAuditLog -SourceNumber 'S-INV-1').Count | Should -Be 0
    }

    It 'stops with a terminating error naming a mapped field Marketo does not have (JSON and .psd1)' {
        $json = Join-Path $TestDrive 'unknown-field.json'
        '{ "company": { "fields": { "bcNoSuchField": "City" } } }' | Set-Content $json
        $psd1 = Join-Path $TestDrive 'unknown-field.psd1'
        "@{ lead = @{ fields = @{ leadNoSuchField = 'JobTitle' } } }" | Set-Content $psd1
        # Nothing changed in BC since the last run: the mapping is checked against Marketo describe before anything
        # else, not only once a record is read, so a bad mapping stops even a run with nothing to send.
        Sync-MlCustomerToMarketo | Out-Null
        # Marketo's records as they are; a company-writability probe (after a reconnect) changes none of them.
        $state = { @(Get-MarketoCompany $Sandbox) + @(Get-MarketoLead $Sandbox) | ForEach-Object { "$($_.id) $($_.updatedAt)" } | Sort-Object }
        $before = & $state
        Invoke-Admin $Sandbox 'journal' Delete | Out-Null
        try {
            { Invoke-MlSync -MappingPath $json -RefreshFinancials Never -ErrorAction SilentlyContinue } |
                Should -Throw -ErrorId 'InvokeMlSyncMappingTargetFieldUnknown*' -ExpectedMessage '*bcNoSuchField*'
            { Invoke-MlSync -MappingPath $json -WhatIf -ErrorAction SilentlyContinue } |
                Should -Throw -ErrorId 'InvokeMlSyncMappingTargetFieldUnknown*' -ExpectedMessage '*bcNoSuchField*'
            $err = $null
            try { Sync-MlCustomerToMarketo -MappingPath $psd1 } catch { $err = $_ }
            $err.FullyQualifiedErrorId | Should -BeLike 'SyncMlCustomerToMarketoMappingTargetFieldUnknown*'
            $err.TargetObject | Should -Be 'leadNoSuchField'
            $err.Exception.Message | Should -Match 'leadNoSuchField'
            @(Invoke-Admin $Sandbox 'journal' | Where-Object service -In 1, 'BusinessCentral').Count | Should -Be 0 -Because 'the mapping is checked before Business Central is read'
            (& $state) -join "`n" | Should -Be ($before -join "`n") -Because 'a mapping error must stop the run before any record is written'
        }
        finally {
            # Leave the pair in step for the tests that follow, whatever their order.
            Sync-MlCustomerToMarketo | Out-Null
        }
    }

    It 'exports ConvertTo-MlMarketoCompany and ConvertTo-MlMarketoLead rows to CSV and back without a connection' {
        $customers = @(Get-BcCustomer -IncludeFinancialDetails)
        $contacts = @(Get-BcContact)
        Disconnect-MlConnection
        try {
            $csv = Join-Path $TestDrive 'companies.csv'
            $customers | ConvertTo-MlMarketoCompany | Export-Csv $csv
            $rows = @(Import-Csv $csv)
            $rows.Count | Should -Be $customers.Count
            $first = $rows | Where-Object SourceNumber -EQ $customers[0].Number
            $first.externalCompanyId | Should -Be $customers[0].Number
            $first.company | Should -Be $customers[0].DisplayName
            $first.bcAccountBalance | Should -Be $customers[0].Balance.ToString($Invariant)

            # The exported rows map again to the same values (Import-Csv | ConvertTo-MlMarketoCompany).
            $customers | Export-Csv (Join-Path $TestDrive 'customers.csv')
            $again = @(Import-Csv (Join-Path $TestDrive 'customers.csv') | ConvertTo-MlMarketoCompany)
            ($again | Where-Object SourceNumber -EQ $customers[0].Number).bcAccountBalance | Should -Be $customers[0].Balance

            $leads = @($contacts | ConvertTo-MlMarketoLead)
            $leads.Count | Should -Be $contacts.Count -Because 'contacts without a usable email stay as rows with a SkipReason'
            $noEmail = @($leads | Where-Object SkipReason -EQ 'NoEmail')
            $noEmail.Count | Should -BeGreaterThan 0
            $noEmail[0].email | Should -BeNullOrEmpty
            $leadCsv = Join-Path $TestDrive 'leads.csv'
            $leads | Export-Csv $leadCsv
            (Get-Content $leadCsv -First 1) | Should -Match '"SkipReason"'

            { $contacts[0] | ConvertTo-MlMarketoCompany -ErrorAction Stop } | Should -Throw -ErrorId 'ConvertToMlMarketoCompanyWrongRecordType*'
        }
        finally {
            $bc = Get-SandboxBcParameters $Sandbox
            $marketo = Get-SandboxMarketoParameters $Sandbox
            Connect-MlBusinessCentral @bc -ClientId $Sandbox.bcClientId -ClientSecret (ConvertTo-SecureText $Sandbox.bcClientSecret)
            Connect-MlMarketo @marketo -ClientId $Sandbox.marketoClientId -ClientSecret (ConvertTo-SecureText $Sandbox.marketoClientSecret)
        }
    }
}

Describe 'Invoke-MlSync -Resync' {
    BeforeAll {
        $script:Sandbox = Start-SyncSandbox 'resync' -Customers 15
        $script:First = Invoke-MlSync
    }
    AfterAll { Disconnect-MlConnection; Stop-MlSandbox $Sandbox }

    It 're-sends every mapped record once, and the following plain run sends nothing' {
        Invoke-Admin $Sandbox 'journal' 'Delete' | Out-Null
        $resync = Invoke-MlSync -Resync
        $resync.Created | Should -Be 0
        $resync.Unchanged | Should -Be 0
        $resync.Updated | Should -Be $First.Created
        $resync.FinancialsRefreshed | Should -BeTrue
        $leadRecords = (Get-MarketoWrite $Sandbox | Where-Object path -Match '^/rest/v1/leads\.json' | Measure-Object recordCount -Sum).Sum
        $leadRecords | Should -Be @(Get-MarketoLead $Sandbox).Count -Because 'each lead is sent once'

        $plain = Invoke-MlSync
        $plain.Created + $plain.Updated | Should -Be 0
    }
}

Describe 'Invoke-MlReplay' {
    BeforeAll {
        $script:Sandbox = Start-SyncSandbox 'replay' -Customers 10
        Invoke-MlSync | Out-Null
    }
    AfterAll { Disconnect-MlConnection; Stop-MlSandbox $Sandbox }

    It 'lists a parked record under -WhatIf without sending, then re-sends it' {
        # Marketing makes a second lead with contact A's email: Marketo answers 1007 for A's next write.
        $leads = Get-MarketoLead $Sandbox | Where-Object { $_.fields.bcContactNumber }
        $a, $b = $leads[0], $leads[1]
        Invoke-Admin $Sandbox "marketo/leads/$($b.id)/marketing-edit" Post @{ fields = @{ email = $a.fields.email } } | Out-Null
        $contact = Get-BcContact | Where-Object Number -EQ $a.fields.bcContactNumber
        Invoke-Admin $Sandbox "bc/contacts/$($contact.Id)/modify" Post @{ jobTitle = 'Head of Replays' } | Out-Null

        $run = @(Invoke-MlSync -PassThru -RefreshFinancials Never)
        $failed = @($run | Where-Object { $_.GetType().Name -eq 'SyncResult' -and "$($_.Action)" -eq 'Failed' })
        $failed.SourceNumber | Should -Be $contact.Number
        $failed[0].Reason | Should -Match '1007'
        $run[-1].Parked | Should -Be 1

        $writes = (Get-MarketoWrite $Sandbox).Count
        $leadWrites = @(Get-MarketoWrite $Sandbox | Where-Object path -Match '^/rest/v1/leads\.json').Count
        $parked = @(Invoke-MlReplay -WhatIf)
        $parked.Count | Should -Be 1
        $parked[0].SourceType | Should -Be 'Contact'
        $parked[0].SourceNumber | Should -Be $contact.Number
        $parked[0].TargetType | Should -Be 'Lead'
        $parked[0].Attempts | Should -Be 1
        $parked[0].Reason | Should -Match '1007'
        @(Invoke-MlReplay -Number 'NO-SUCH*' -WhatIf).Count | Should -Be 0
        (Get-MarketoWrite $Sandbox).Count | Should -Be $writes

        # Marketing fixes the duplicate; the replay plans the record again from BC and succeeds.
        Invoke-Admin $Sandbox "marketo/leads/$($b.id)/marketing-edit" Post @{ fields = @{ email = $b.fields.email } } | Out-Null
        $replayed = @($parked | Invoke-MlReplay)
        $replayed.Count | Should -Be 1
        "$($replayed[0].Action)" | Should -Be 'Updated'
        # One lead write (the replay also probes whether companies are writable, an updateOnly company call that changes nothing).
        @(Get-MarketoWrite $Sandbox | Where-Object path -Match '^/rest/v1/leads\.json').Count | Should -Be ($leadWrites + 1)
        (Invoke-Admin $Sandbox "marketo/leads/$($a.id)").fields.title | Should -Be 'Head of Replays'
        @(Invoke-MlReplay -WhatIf).Count | Should -Be 0
        @(Get-MlAuditLog -SourceNumber $contact.Number -Action Failed, Updated).Action | Should -Be @('Failed', 'Updated')
    }
}

Describe 'The same Marketo values under de-DE and tr-TR' {
    BeforeAll {
        $script:Original = [cultureinfo]::CurrentCulture
        $script:Values = @{}
        foreach ($culture in 'de-DE', 'tr-TR') {
            $sandbox = Start-SyncSandbox "culture-$culture" -Customers 10
            try {
                [cultureinfo]::CurrentCulture = $culture
                Invoke-MlSync | Out-Null
                [cultureinfo]::CurrentCulture = $Original
                $script:Values[$culture] = @{
                    Companies = Get-MarketoCompany $sandbox | Sort-Object externalCompanyId
                    Leads     = Get-MarketoLead $sandbox | Sort-Object { $_.fields.email }
                    Customers = @(Get-BcCustomer -IncludeFinancialDetails)
                }
            }
            finally {
                [cultureinfo]::CurrentCulture = $Original
                Disconnect-MlConnection
                Stop-MlSandbox $sandbox
            }
        }
    }
    AfterAll { [cultureinfo]::CurrentCulture = $Original }

    It 'writes culture-invariant decimals equal to BC''s under tr-TR' {
        $tr = $Values['tr-TR']
        $tr.Customers.Count | Should -BeGreaterThan 0
        $tr.Companies.Count | Should -Be $tr.Customers.Count
        foreach ($customer in $tr.Customers) {
            $company = $tr.Companies | Where-Object externalCompanyId -EQ $customer.Number
            [decimal]::Parse($company.fields.bcAccountBalance, $Invariant) | Should -Be $customer.Balance
            [decimal]::Parse($company.fields.bcAccountTotalSales, $Invariant) | Should -Be $customer.TotalSalesExcludingTax
            [decimal]::Parse($company.fields.bcAccountCreditLimit, $Invariant) | Should -Be $customer.CreditLimit
        }
    }

    It 'gives identical company and lead values under de-DE and tr-TR' {
        $de = $Values['de-DE']; $tr = $Values['tr-TR']
        ($tr.Companies | ForEach-Object { $_.fields | ConvertTo-Json -Compress }) -join "`n" |
            Should -Be (($de.Companies | ForEach-Object { $_.fields | ConvertTo-Json -Compress }) -join "`n")
        $strip = { $_.fields | Select-Object -ExcludeProperty id, createdAt, updatedAt | ConvertTo-Json -Compress }
        ($tr.Leads | ForEach-Object $strip) -join "`n" | Should -Be (($de.Leads | ForEach-Object $strip) -join "`n")
        $tr.Leads.Count | Should -BeGreaterThan 0
    }
}
