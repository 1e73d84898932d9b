# Issue 8: -WhatIf is read-only for EVERY cmdlet that has it. The cmdlets are listed from the module itself, so a cmdlet
# added later with -WhatIf is covered as soon as it is exported: with the cases below when it has some, else called with
# -WhatIf alone, or — when it has mandatory parameters and no case — the coverage test fails and says to add one.
# Each call is checked directly: no Marketo write (the sandbox's write log and Marketo's records), no BC write (the
# journal), no audit line (the audit folder), no state row (every table of the state database), no checkpoint moved,
# no file written in the home folder and no secret in the vault.
BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-MlModulePath) -Force
    $script:WithWhatIf = @(Get-Command -Module MlConnector -CommandType Cmdlet | Where-Object { $_.Parameters.ContainsKey('WhatIf') } | Sort-Object Name)

    # Ways to call each cmdlet under -WhatIf against a pair with changes waiting in BC and a parked record.
    $script:Cases = @(
        @{ Cmdlet = 'Invoke-MlSync'; Case = 'incremental with the financial refresh due'; Plans = $true; Call = { Invoke-MlSync -WhatIf -RefreshFinancials Always } }
        @{ Cmdlet = 'Invoke-MlSync'; Case = '-Resync'; Plans = $true; Call = { Invoke-MlSync -WhatIf -Resync } }
        @{ Cmdlet = 'Invoke-MlSync'; Case = 'on a state file that does not exist yet'; Plans = $true; Call = { Invoke-MlSync -WhatIf -StatePath $FreshState -AuditPath $FreshAudit } }
        @{ Cmdlet = 'Sync-MlCustomerToMarketo'; Case = 'incremental'; Plans = $true; Call = { Sync-MlCustomerToMarketo -WhatIf } }
        @{ Cmdlet = 'Sync-MlCustomerToMarketo'; Case = 'piped customers'; Plans = $true; Call = { Get-BcCustomer | Select-Object -First 3 | Sync-MlCustomerToMarketo -WhatIf } }
        @{ Cmdlet = 'Sync-MlCustomerToMarketo'; Case = '-RefreshFinancials -Resync'; Plans = $true; Call = { Sync-MlCustomerToMarketo -WhatIf -RefreshFinancials -Resync } }
        @{ Cmdlet = 'Invoke-MlReplay'; Case = 'every parked record'; Plans = $true; Call = { Invoke-MlReplay -WhatIf } }
        @{ Cmdlet = 'Invoke-MlSync'; Case = '-Direction Both'; Plans = $true; Call = { Invoke-MlSync -WhatIf -Direction Both -Since $ReverseSince } }
        @{ Cmdlet = 'Receive-MlMarketoLeads'; Case = 'leads changed in the last hour'; Plans = $true; Call = { Receive-MlMarketoLeads -WhatIf -Since $ReverseSince } }
        @{ Cmdlet = 'Sync-MlLeadToBusinessCentral'; Case = 'leads piped from Receive-MlMarketoLeads'; Plans = $true
            Call = { Receive-MlMarketoLeads -WhatIf -Since $ReverseSince | Sync-MlLeadToBusinessCentral -WhatIf } }
        @{ Cmdlet = 'Clear-MlParkedRecord'; Case = 'the parked record'; Plans = $false; Call = { Get-MlParkedRecord | Clear-MlParkedRecord -WhatIf } }
        @{ Cmdlet = 'Register-BcSubscription'; Case = 'customers'; Plans = $false; Call = { Register-BcSubscription -NotificationUrl 'https://hooks.example/whatif/' -WhatIf } }
        @{ Cmdlet = 'Unregister-BcSubscription'; Case = '-All'; Plans = $false; Call = { Unregister-BcSubscription -All -WhatIf } }
        @{ Cmdlet = 'Start-MlNotificationListener'; Case = 'a loopback prefix'; Plans = $false
            Call = { Start-MlNotificationListener -Prefix "http://127.0.0.1:$(Get-Random -Minimum 20000 -Maximum 60000)/whatif/" -WhatIf } }
        @{ Cmdlet = 'Receive-BcNotification'; Case = 'a validation handshake'; Plans = $false; Call = { Receive-BcNotification -Method POST -Query '?validationToken=whatif' -WhatIf } }
        @{ Cmdlet = 'Initialize-MlStateStore'; Case = 'the existing state file'; Plans = $false; Call = { Initialize-MlStateStore -Path $StatePath -WhatIf } }
        @{ Cmdlet = 'Initialize-MlStateStore'; Case = 'a new state file'; Plans = $false; Call = { Initialize-MlStateStore -Path $FreshState -WhatIf } }
        @{ Cmdlet = 'Copy-MlState'; Case = 'to a state file that does not exist yet'; Plans = $false; Call = { Copy-MlState -From $StatePath -To $FreshState -WhatIf } }
        @{ Cmdlet = 'Copy-MlState'; Case = 'replacing the pair in an existing state file'; Plans = $false; Call = { Copy-MlState -From $FreshStateCopy -To $StatePath -Force -WhatIf } }
        @{ Cmdlet = 'Connect-MlStateStore'; Case = 'a new state file, saved in a profile'; Plans = $false; Call = { Connect-MlStateStore $FreshState -SaveProfile whatif -WhatIf } }
        @{ Cmdlet = 'Connect-MlBusinessCentral'; Case = 'saving a profile and a secret'; Plans = $false
            Call = { Connect-MlBusinessCentral @BcParameters -ClientId $Sandbox.bcClientId -ClientSecret $BcSecret -Vault TestVault -SecretName bc-whatif -SaveProfile whatif -WhatIf } }
        @{ Cmdlet = 'Connect-MlMarketo'; Case = 'saving a profile and a secret'; Plans = $false
            Call = { Connect-MlMarketo @MarketoParameters -ClientId $Sandbox.marketoClientId -ClientSecret $MarketoSecret -Vault TestVault -SecretName mkto-whatif -SaveProfile whatif -WhatIf } }
    )
    # A cmdlet with -WhatIf and no case above is called with -WhatIf alone when nothing is mandatory.
    foreach ($command in $WithWhatIf) {
        if ($Cases.Cmdlet -contains $command.Name) { continue }
        $mandatory = @($command.ParameterSets | ForEach-Object { $_.Parameters } | Where-Object IsMandatory)
        if ($mandatory.Count -eq 0) {
            $name = $command.Name
            $script:Cases += @{ Cmdlet = $name; Case = '-WhatIf alone'; Plans = $false; Call = [scriptblock]::Create("$name -WhatIf") }
        }
    }
    Remove-Module MlConnector -Force
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'SandboxHelpers.psm1') -Force
    $env:MLCONNECTOR_HOME = Join-Path $TestDrive 'home'
    Enable-TestVault -Folder $TestDrive
    Import-Module (Get-MlModulePath) -Force

    $script:Sandbox = Start-MlSandbox -Customers 12
    $script:BcParameters = Get-SandboxBcParameters $Sandbox
    $script:MarketoParameters = Get-SandboxMarketoParameters $Sandbox
    $script:BcSecret = ConvertTo-SecureText $Sandbox.bcClientSecret
    $script:MarketoSecret = ConvertTo-SecureText $Sandbox.marketoClientSecret
    $script:StatePath = Join-Path $env:MLCONNECTOR_HOME 'state/mlconnector.db'
    $script:AuditPath = Join-Path $env:MLCONNECTOR_HOME 'audit'
    $script:FreshState = Join-Path $TestDrive 'fresh/state.db'
    $script:FreshAudit = Join-Path $TestDrive 'fresh/audit'

    function script:Invoke-Admin([string] $Path, [string] $Method = 'Get', $Body) {
        $uri = $Sandbox.adminUrl.TrimEnd('/') + '/' + $Path
        $response = if ($null -eq $Body) { Invoke-RestMethod -Method $Method -Uri $uri }
        else { Invoke-RestMethod -Method $Method -Uri $uri -ContentType 'application/json' -Body ($Body | ConvertTo-Json -Compress -Depth 5) }
        # Invoke-RestMethod writes a JSON array as one object; returning it writes its items one by one.
        return $response
    }

    # Marketo's records (with their update times) and activity count: anything written changes them.
    function script:Get-MarketoText {
        $records = @(Invoke-Admin 'marketo/companies?take=100000') + @(Invoke-Admin 'marketo/leads?take=100000')
        @($records | ForEach-Object { $_ | ConvertTo-Json -Compress -Depth 5 } | Sort-Object) + "activities: $((Invoke-Admin 'marketo/state').activities)"
    }

    # Business Central's records with their modification stamps: anything written changes them. (A JSON $batch is a POST
    # that may carry only reads, so the journal alone cannot tell.)
    function script:Get-BcText {
        @(Get-BcCustomer | ForEach-Object { "customer $($_.Number) $($_.LastModifiedDateTime.ToString('o'))" }) +
        @(Get-BcContact | ForEach-Object { "contact $($_.Number) $($_.LastModifiedDateTime.ToString('o'))" })
    }

    # The pair's state: two runs' worth of checkpoints, record state, links and audit lines, and one parked record.
    Connect-MlSandbox $Sandbox
    Invoke-MlSync | Out-Null
    $leads = @(Invoke-Admin 'marketo/leads?take=1000' | Where-Object { $_.fields.bcContactNumber })
    Invoke-Admin "marketo/leads/$($leads[1].id)/marketing-edit" Post @{ fields = @{ email = $leads[0].fields.email } } | Out-Null
    $parkedContact = Get-BcContact | Where-Object Number -EQ $leads[0].fields.bcContactNumber
    Invoke-Admin "bc/contacts/$($parkedContact.Id)/modify" Post @{ jobTitle = 'Parked by a duplicate' } | Out-Null
    $run = Invoke-MlSync -RefreshFinancials Never
    if ($run.Parked -ne 1) { throw "Setup: expected one parked record, got $($run.Parked)." }
    # A second store holding the same pair, for a copy that would replace it.
    $script:FreshStateCopy = Join-Path $TestDrive 'copy/state.db'
    Copy-MlState -From $StatePath -To $FreshStateCopy | Out-Null

    # A lead marketing created in Marketo, for the reverse direction's plans.
    $script:ReverseSince = [DateTimeOffset]::UtcNow.AddHours(-1)
    Invoke-Admin 'marketo/leads' Post @{ leads = @(@{ email = 'new.lead@whatif-reverse.example'; firstName = 'Nia'; lastName = 'Reverse'; company = 'WhatIf Reverse Co' }) } | Out-Null

    # Changes waiting in BC for the next run: a customer, a contact and a posting (financial refresh).
    $script:Customers = @(Get-BcCustomer)
    Invoke-Admin "bc/customers/$($Customers[2].Id)/modify" Post @{ city = 'WhatIf City' } | Out-Null
    $contact = Get-BcContact | Where-Object { $_.Type -eq 'Person' -and $_.Number -ne $parkedContact.Number -and $_.Email } | Select-Object -First 1
    Invoke-Admin "bc/contacts/$($contact.Id)/modify" Post @{ jobTitle = 'WhatIf title' } | Out-Null
    Invoke-Admin "bc/customers/$($Customers[4].Id)/invoices" Post @{ amountExcludingTax = 1234.5 } | Out-Null
}

AfterAll {
    Disconnect-MlConnection -ErrorAction SilentlyContinue
    Remove-Module MlConnector -Force -ErrorAction SilentlyContinue
    Stop-MlSandbox $Sandbox
    Disable-TestVault
    Remove-Item Env:MLCONNECTOR_HOME -ErrorAction SilentlyContinue
}

Describe '-WhatIf is read-only' {
    It 'has a case for every cmdlet of the module that has -WhatIf (<_>)' -ForEach @($WithWhatIf.Name) {
        $Cases.Cmdlet | Should -Contain $_ -Because "$_ has -WhatIf and mandatory parameters: add a case for it to tests/pester/WhatIf.Tests.ps1"
    }

    It '<Cmdlet> -WhatIf (<Case>) writes nothing anywhere' -ForEach $Cases {
        $connectionsBefore = @(Get-MlConnection).Service
        $state = Get-StateTables $StatePath
        $checkpoints = @($state['checkpoints']) + @($state['checkpoint_boundary']) + @($state['watermarks'])
        $audit = Get-FolderText $AuditPath
        $homeFiles = Get-FolderText $env:MLCONNECTOR_HOME -Exclude 'mlconnector.db*'
        $vault = if (Test-Path $env:MLCONNECTOR_TEST_VAULT_FILE) { Get-Content -Raw $env:MLCONNECTOR_TEST_VAULT_FILE }
        $marketo = Get-MarketoText
        $bc = Get-BcText
        Invoke-Admin 'journal' Delete | Out-Null
        Invoke-Admin 'marketo/writes' Delete | Out-Null

        $output = @(& $Call)

        if ($Plans) { $output.Count | Should -BeGreaterThan 0 -Because 'the call had something to plan or list: what it did not write is proven only then' }
        $journal = @(Invoke-Admin 'journal')
        @($journal | Where-Object { $_.service -in 1, 'BusinessCentral' -and $_.method -ne 'GET' -and $_.path -notlike '*/$batch' } | ForEach-Object { "$($_.method) $($_.path)" }) |
            Should -BeNullOrEmpty -Because 'no BC write'
        # The only Marketo write call a plan may make is the company-writability probe: an updateOnly of a key that cannot exist.
        @(Invoke-Admin 'marketo/writes' | ForEach-Object { $_.keys } | Where-Object { $_ -notlike 'mlconnector-probe-*' }) | Should -BeNullOrEmpty -Because 'no Marketo write'
        (Get-MarketoText) -join "`n" | Should -Be ($marketo -join "`n") -Because "Marketo's records are as they were"
        if (@(Get-MlConnection).Count -gt 0) { (Get-BcText) -join "`n" | Should -Be ($bc -join "`n") -Because "Business Central's records are as they were" }
        $after = Get-StateTables $StatePath
        @(@($after['checkpoints']) + @($after['checkpoint_boundary']) + @($after['watermarks'])) -join "`n" | Should -Be ($checkpoints -join "`n") -Because 'no checkpoint moved'
        (Get-FolderText $AuditPath) -join "`n" | Should -Be ($audit -join "`n") -Because 'no audit line'
        foreach ($table in $state.Keys) { $after[$table] -join "`n" | Should -Be ($state[$table] -join "`n") -Because "no row of $table changed" }
        @($after.Keys) | Should -Be @($state.Keys)
        $FreshState | Should -Not -Exist -Because 'no state file is created'
        $FreshAudit | Should -Not -Exist -Because 'no audit folder is created'
        (Get-FolderText $env:MLCONNECTOR_HOME -Exclude 'mlconnector.db*') -join "`n" | Should -Be ($homeFiles -join "`n") -Because 'no profile or other file written'
        $vaultAfter = if (Test-Path $env:MLCONNECTOR_TEST_VAULT_FILE) { Get-Content -Raw $env:MLCONNECTOR_TEST_VAULT_FILE }
        $vaultAfter | Should -Be $vault -Because 'no secret saved'

        # A connect under -WhatIf connects this session (nothing saved); keep the session on the sandbox for the next case.
        if (-not ((@(Get-MlConnection).Service -join ',') -eq ($connectionsBefore -join ','))) { Connect-MlSandbox $Sandbox }
    }

    It 'left the waiting changes for a real run, which sends them' {
        $run = @(Invoke-MlSync -PassThru -RefreshFinancials Always)
        $updated = @($run | Where-Object { $_.GetType().Name -eq 'SyncResult' -and "$($_.Action)" -eq 'Updated' })
        $updated.SourceNumber | Should -Contain $Customers[2].Number
        $updated.SourceNumber | Should -Contain $Customers[4].Number
        @(Invoke-Admin 'marketo/companies?take=1000' | Where-Object externalCompanyId -EQ $Customers[2].Number).fields.billingCity | Should -Be 'WhatIf City'
    }
}
