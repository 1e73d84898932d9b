# Issue 8: no secret or token leaks, from any cmdlet, on good paths and bad. Every exported cmdlet is run (the list comes
# from the module, so a cmdlet added later fails the coverage test until the scan runs it), including syncs through
# injected faults, a permanent failure parked and replayed, a run that fails outright, and Get-MlAuditLog. The scan reads
# every stream (output, error, warning, verbose, debug, information), every error record (ErrorDetails, TargetObject,
# category, script stack) and exception (every property, Data, inner exceptions recursively), the audit files, every
# table of the state database and every file in the home folder, for both client secrets (bare and URL-encoded), every
# token the sandbox issued (Entra JWTs and Marketo tokens by value, bare and URL-encoded) and anything shaped like one.
BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-MlModulePath) -Force
    $script:Exported = @(Get-Command -Module MlConnector -CommandType Cmdlet).Name
    Remove-Module MlConnector -Force
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'SandboxHelpers.psm1') -Force
    $env:MLCONNECTOR_HOME = Join-Path $TestDrive 'home'
    Enable-TestVault -Folder $TestDrive
    Import-Module (Get-MlModulePath) -Force

    $script:Sandbox = Start-MlSandbox -Customers 15
    $script:BcParameters = Get-SandboxBcParameters $Sandbox
    $script:MarketoParameters = Get-SandboxMarketoParameters $Sandbox
    $script:BcSecret = ConvertTo-SecureText $Sandbox.bcClientSecret
    $script:MarketoSecret = ConvertTo-SecureText $Sandbox.marketoClientSecret
    $script:Log = [System.Collections.Generic.List[string]]::new()
    $script:Ran = [System.Collections.Generic.HashSet[string]]::new()

    function script:Invoke-Admin([string] $Path, [string] $Method = 'Get', $Body) {
        $uri = $Sandbox.adminUrl.TrimEnd('/') + '/' + $Path
        $response = if ($null -eq $Body) { Invoke-RestMethod -Method $Method -Uri $uri }
        else { Invoke-RestMethod -Method $Method -Uri $uri -ContentType 'application/json' -Body ($Body | ConvertTo-Json -Compress -Depth 5) }
        return $response
    }

    function script:Add-ExceptionText($Exception, [int] $Depth = 0) {
        if ($null -eq $Exception -or $Depth -gt 10) { return }
        $Log.Add($Exception.GetType().FullName)
        $Log.Add($Exception.ToString())
        foreach ($property in $Exception.GetType().GetProperties()) {
            if ($property.GetIndexParameters().Count -gt 0 -or $property.Name -in 'TargetSite', 'InnerException', 'InnerExceptions', 'ErrorRecord') { continue }
            $value = try { $property.GetValue($Exception) } catch { $null }
            if ($value -is [string] -or $value -is [ValueType] -or $value -is [uri]) { $Log.Add("$($property.Name)=$value") }
        }
        foreach ($key in $Exception.Data.Keys) { $Log.Add("Data[$key]=$($Exception.Data[$key])") }
        if ($Exception -is [System.Management.Automation.IContainsErrorRecord]) { Add-ErrorText $Exception.ErrorRecord ($Depth + 1) -NoException }
        if ($Exception -is [AggregateException]) { foreach ($inner in $Exception.InnerExceptions) { Add-ExceptionText $inner ($Depth + 1) } }
        Add-ExceptionText $Exception.InnerException ($Depth + 1)
    }

    function script:Add-ErrorText($Record, [int] $Depth = 0, [switch] $NoException) {
        if ($null -eq $Record) { return }
        $Log.Add(($Record | Out-String -Width 4096))
        $Log.Add("$($Record.FullyQualifiedErrorId) $($Record.CategoryInfo) $($Record.ScriptStackTrace)")
        if ($Record.ErrorDetails) { $Log.Add("$($Record.ErrorDetails.Message) $($Record.ErrorDetails.RecommendedAction)") }
        if ($null -ne $Record.TargetObject) {
            $Log.Add(($Record.TargetObject | Out-String -Width 4096))
            $Log.Add(($Record.TargetObject | ConvertTo-Json -Depth 3 -Compress -WarningAction Ignore))
        }
        if (-not $NoException) { Add-ExceptionText $Record.Exception $Depth }
    }

    # Runs one cmdlet call with -Verbose and -Debug, every stream merged into the log; a terminating error is logged too.
    function script:Invoke-Captured([string] $Cmdlet, [scriptblock] $Block) {
        [void] $Ran.Add($Cmdlet)
        Invoke-CapturedCore $Block
    }
    function script:Invoke-CapturedCore([scriptblock] $Block) {
        $VerbosePreference = 'Continue'; $DebugPreference = 'Continue'; $InformationPreference = 'Continue'
        try {
            foreach ($record in (& $Block *>&1)) {
                switch ($record) {
                    { $_ -is [System.Management.Automation.ErrorRecord] } { Add-ErrorText $_; break }
                    { $_ -is [System.Management.Automation.InformationRecord] } { $Log.Add("INFO $($_.MessageData) $($_.Tags)"); break }
                    { $_ -is [System.Management.Automation.InformationalRecord] } { $Log.Add("$($_.GetType().Name) $($_.Message)"); break }
                    default {
                        $Log.Add(($_ | Out-String -Width 4096))
                        if ($_.PSObject.Properties.Count -gt 0) { $Log.Add(($_ | ConvertTo-Json -Depth 3 -Compress -WarningAction Ignore)) }
                    }
                }
            }
        }
        catch { Add-ErrorText $_ }
    }

    function script:Add-Fault([hashtable] $Rule) { (Invoke-Admin 'faults' Post $Rule).id }
    function script:Connect-Session {
        Connect-MlBusinessCentral @BcParameters -ClientId $Sandbox.bcClientId -ClientSecret $BcSecret
        Connect-MlMarketo @MarketoParameters -ClientId $Sandbox.marketoClientId -ClientSecret $MarketoSecret
    }

    # --- Connecting, reading, previews, checks.
    Invoke-Captured Connect-MlBusinessCentral { Connect-MlBusinessCentral @BcParameters -ClientId $Sandbox.bcClientId -ClientSecret $BcSecret -Vault TestVault -SecretName bc-leak -SaveProfile leak -PassThru }
    Invoke-Captured Connect-MlMarketo { Connect-MlMarketo @MarketoParameters -ClientId $Sandbox.marketoClientId -ClientSecret $MarketoSecret -Vault TestVault -SecretName mkto-leak -SaveProfile leak -PassThru }
    Invoke-Captured Get-MlConnection { Get-MlConnection }
    Invoke-Captured Get-MlModuleInfo { Get-MlModuleInfo }
    Invoke-Captured Get-BcCustomer { Get-BcCustomer -IncludeFinancialDetails | Select-Object -First 3 }
    Invoke-Captured Get-BcContact { Get-BcContact -CustomerNumber C00001 }
    Invoke-Captured ConvertTo-MlMarketoCompany { Get-BcCustomer -IncludeFinancialDetails | Select-Object -First 3 | ConvertTo-MlMarketoCompany }
    Invoke-Captured ConvertTo-MlMarketoLead { Get-BcContact -CustomerNumber C00002 | ConvertTo-MlMarketoLead }
    Invoke-Captured Test-MlConnection { Test-MlConnection }
    Invoke-Captured Test-MlConnection { Test-MlConnection -Profile leak }
    Invoke-Captured Initialize-MlStateStore { Initialize-MlStateStore -Path (Join-Path $env:MLCONNECTOR_HOME 'other/other.db') }

    # --- A first sync through faults: a gateway 502 and a reset connection on writes, BC throttled once, and the
    # Marketo token expired mid-run (602, then a new token: the session holds two).
    $faults = @(
        Add-Fault @{ service = 2; pathContains = '/rest/v1/companies.json'; method = 'POST'; httpStatus = 502; times = 1 }
        Add-Fault @{ service = 2; pathContains = '/rest/v1/leads.json'; method = 'POST'; resetConnection = $true; times = 1 }
        Add-Fault @{ service = 1; pathContains = '/contacts'; httpStatus = 503; retryAfterSeconds = 1; times = 1 }
    )
    Invoke-Admin 'marketo/token/expire' Post | Out-Null
    Invoke-Captured Invoke-MlSync { Invoke-MlSync -PassThru }
    $faults | ForEach-Object { Invoke-Admin "faults/$_" Delete | Out-Null }

    # --- A permanent failure: marketing gives a second lead contact A's email, so Marketo answers 1007 for A's next
    # write, which is parked; replayed while the duplicate remains (fails again), then after it is fixed.
    $leads = @(Invoke-Admin 'marketo/leads?take=1000' | Where-Object { $_.fields.bcContactNumber })
    Invoke-Admin "marketo/leads/$($leads[1].id)/marketing-edit" Post @{ fields = @{ email = $leads[0].fields.email } } | Out-Null
    $contact = Get-BcContact | Where-Object Number -EQ $leads[0].fields.bcContactNumber
    Invoke-Admin "bc/contacts/$($contact.Id)/modify" Post @{ jobTitle = 'Leak scan' } | Out-Null
    Invoke-Captured Invoke-MlSync { Invoke-MlSync -PassThru -RefreshFinancials Never }
    Invoke-Captured Invoke-MlReplay { Invoke-MlReplay -WhatIf }
    Invoke-Captured Invoke-MlReplay { Invoke-MlReplay }
    Invoke-Admin "marketo/leads/$($leads[1].id)/marketing-edit" Post @{ fields = @{ email = $leads[1].fields.email } } | Out-Null
    Invoke-Captured Invoke-MlReplay { Get-MlSyncState | Out-Null; Invoke-MlReplay -Number $contact.Number }

    # --- Targeted syncs, plans, the trail and the state.
    $customer = Get-BcCustomer -Number C00003
    Invoke-Admin "bc/customers/$($customer.Id)/modify" Post @{ city = 'Leakton' } | Out-Null
    Invoke-Captured Sync-MlCustomerToMarketo { Sync-MlCustomerToMarketo -Number C00003 -WhatIf }
    Invoke-Captured Sync-MlCustomerToMarketo { Get-BcCustomer -Number C00003 | Sync-MlCustomerToMarketo }
    Invoke-Captured Invoke-MlSync { Invoke-MlSync -WhatIf -Resync }
    Invoke-Captured Get-MlAuditLog { Get-MlAuditLog }
    Invoke-Captured Get-MlAuditLog { Get-MlAuditLog -Action Failed, Updated -EscapeFormula }
    Invoke-Captured Get-MlSyncState { Get-MlSyncState }
    Invoke-Captured Get-MlParkedRecord { Get-MlParkedRecord }
    Invoke-Captured Clear-MlParkedRecord { Get-MlParkedRecord | Clear-MlParkedRecord -WhatIf }

    # --- The reverse flow: a lead marketing created comes back into BC.
    $since = [DateTimeOffset]::UtcNow.AddHours(-1)
    Invoke-Admin 'marketo/leads' Post @{ leads = @(@{ email = 'lea.reverse@reverse-leak.example'; firstName = 'Lea'; lastName = 'Reverse'; company = 'Leak Reverse Co' }) } | Out-Null
    Invoke-Captured Receive-MlMarketoLeads { Receive-MlMarketoLeads -Since $since -WhatIf }
    Invoke-Captured Sync-MlLeadToBusinessCentral { Receive-MlMarketoLeads -Since $since | Sync-MlLeadToBusinessCentral }
    Invoke-Captured Invoke-MlSync { Invoke-MlSync -Direction Both -Since $since -PassThru -RefreshFinancials Never }

    # --- Change notifications: a listener, a subscription (its clientState generated into the vault), a renewal, a
    # handshake and a forged notification, then everything taken down again.
    $url = "http://127.0.0.1:$(Get-Random -Minimum 20000 -Maximum 60000)/leak/notifications/"
    Invoke-Captured Start-MlNotificationListener { Start-MlNotificationListener -Prefix $url }
    Invoke-Captured Register-BcSubscription { Register-BcSubscription -NotificationUrl $url }
    Invoke-Captured Get-BcSubscription { Get-BcSubscription }
    Invoke-Captured Update-BcSubscription { Update-BcSubscription -ExpiringWithin 4d }
    Invoke-Captured Receive-BcNotification { Receive-BcNotification -Method POST -Query '?validationToken=leak-check' }
    Invoke-Captured Receive-BcNotification { Receive-BcNotification -Method POST -Body '{"value":[{"subscriptionId":"guessed","clientState":"guessed","resource":"x","changeType":"updated"}]}' }
    Invoke-Captured Stop-MlNotificationListener { Stop-MlNotificationListener -PassThru }
    $script:ClientStates = @((Get-Content -Raw $env:MLCONNECTOR_TEST_VAULT_FILE | ConvertFrom-Json -AsHashtable).TestVault.GetEnumerator() |
            Where-Object Key -Like 'MlConnector-BcClientState-*' | ForEach-Object Value)
    Invoke-Captured Unregister-BcSubscription { Get-BcSubscription | Unregister-BcSubscription -Confirm:$false }

    # --- The table state store (the run's azurite-table) through a vault secret that holds its connection string, account
    # key and all: the pair's state copied there and back, the store saved in a profile, a sync, its audit and state read
    # back, and the connection string itself refused as -StateStore.
    $azurite = Get-TestAzurite
    $script:AccountKey = ($azurite.ConnectionString -split ';' | Where-Object { $_ -like 'AccountKey=*' }).Substring('AccountKey='.Length)
    Set-Secret -Name leak-tables -Vault TestVault -Secret $azurite.ConnectionString
    $tables = $azurite.VaultReference('TestVault', 'leak-tables', (New-TestTablePrefix 'Leak'))
    Invoke-Captured Copy-MlState { Copy-MlState -From (Join-Path $env:MLCONNECTOR_HOME 'state/mlconnector.db') -To $tables }
    Invoke-Captured Copy-MlState { Copy-MlState -From $tables -To (Join-Path $env:MLCONNECTOR_HOME 'other/copied.db') }
    Invoke-Captured Connect-MlStateStore { Connect-MlStateStore $tables -SaveProfile leak -PassThru }
    Invoke-Admin "bc/customers/$($customer.Id)/modify" Post @{ city = 'Leakton tables' } | Out-Null
    Invoke-Captured Invoke-MlSync { Invoke-MlSync -PassThru -RefreshFinancials Never }
    Invoke-Captured Get-MlAuditLog { Get-MlAuditLog -StateStore $tables }
    Invoke-Captured Get-MlSyncState { Get-MlSyncState -StateStore $tables }
    Invoke-Captured Connect-MlStateStore { Connect-MlStateStore $azurite.ConnectionString -ErrorAction Stop }
    Invoke-Captured Disconnect-MlConnection { Disconnect-MlConnection StateStore }

    # --- Runs that fail outright: Marketo identity down when the token must be renewed; BC refusing the read.
    # As many failures as one token request tries (6 attempts): the run fails outright without waiting out every retry of every call.
    $identityDown = Add-Fault @{ service = 3; httpStatus = 500; times = 6 }
    Invoke-Admin 'marketo/token/expire' Post | Out-Null
    Invoke-Admin "bc/customers/$($customer.Id)/modify" Post @{ city = 'Leakton again' } | Out-Null
    Invoke-Captured Invoke-MlSync { Invoke-MlSync -ErrorAction Stop }
    Invoke-Admin "faults/$identityDown" Delete | Out-Null
    $bcRefuses = Add-Fault @{ service = 1; pathContains = '/customers'; httpStatus = 403; errorCode = 'Authorization_Failed' }
    Invoke-Captured Sync-MlCustomerToMarketo { Sync-MlCustomerToMarketo -ErrorAction Stop }
    Invoke-Admin "faults/$bcRefuses" Delete | Out-Null

    # --- Wrong secrets, a rotated vault secret, a profile, no connection.
    $wrong = ConvertTo-SecureText 'wrong-secret'
    Invoke-Captured Connect-MlBusinessCentral { Connect-MlBusinessCentral @BcParameters -ClientId $Sandbox.bcClientId -ClientSecret $wrong -ErrorAction Stop }
    Invoke-Captured Connect-MlMarketo { Connect-MlMarketo @MarketoParameters -ClientId $Sandbox.marketoClientId -ClientSecret $wrong -ErrorAction Stop }
    Invoke-Captured Connect-MlBusinessCentral { Connect-MlBusinessCentral -Profile leak -PassThru }
    Invoke-Captured Connect-MlMarketo { Connect-MlMarketo -Profile leak -PassThru }
    Set-Secret -Name bc-leak -Secret $wrong -Vault TestVault
    Invoke-Captured Test-MlConnection { Test-MlConnection -Profile leak }
    Invoke-Captured Disconnect-MlConnection { Disconnect-MlConnection }
    Invoke-Captured Get-BcCustomer { Get-BcCustomer -ErrorAction Stop }
    Invoke-Captured Invoke-MlSync { Invoke-MlSync -ErrorAction Stop }
    @($Error) | ForEach-Object { if ($_ -is [System.Management.Automation.ErrorRecord]) { Add-ErrorText $_ } else { Add-ExceptionText $_ } }

    # --- Files: the audit trail, every table of the state database, every file in the home folder (byte for byte).
    # The vault file is the vault: it is meant to hold the secrets, and lives outside the home folder.
    $script:AuditLines = @(Get-ChildItem (Join-Path $env:MLCONNECTOR_HOME 'audit') -Filter *.jsonl | Get-Content)
    $AuditLines | ForEach-Object { $Log.Add($_) }
    $script:StateTables = Get-StateTables (Join-Path $env:MLCONNECTOR_HOME 'state/mlconnector.db')
    foreach ($table in $StateTables.Keys) { $StateTables[$table] | ForEach-Object { $Log.Add("$table $_") } }
    Get-ChildItem $env:MLCONNECTOR_HOME -Recurse -File | ForEach-Object {
        $Log.Add($_.FullName)
        $Log.Add([Text.Encoding]::Latin1.GetString([IO.File]::ReadAllBytes($_.FullName)))
    }
    $script:Text = $Log -join "`n"

    # Every token the sandbox issued: the module held a subset of these.
    $script:EntraTokens = @((Invoke-Admin 'entra/tokens').tokens)
    $script:MarketoTokens = @((Invoke-Admin 'marketo/tokens').tokens)
}

AfterAll {
    Disconnect-MlConnection -ErrorAction SilentlyContinue
    Remove-Module MlConnector -Force -ErrorAction SilentlyContinue
    Stop-MlSandbox $Sandbox
    Disable-TestVault
    Remove-Item Env:MLCONNECTOR_HOME -ErrorAction SilentlyContinue
}

Describe 'No secret or token leaks' {
    It 'ran every cmdlet of the module (<_>)' -ForEach $Exported {
        $Ran | Should -Contain $_ -Because "add $_ to the leak scan in tests/pester/Leak.Tests.ps1"
    }

    It 'scanned what it means to: streams, errors, faults, a parked record, the audit trail and the state' {
        $Text | Should -Match 'Connected to Business Central' -Because 'the verbose stream was captured'
        $Text | Should -Match 'AADSTS7000215' -Because 'the error records of a wrong secret were captured'
        $Text | Should -Match '1007' -Because "the parked record's reason was captured"
        $Text | Should -Match 'Authorization_Failed|403' -Because 'the failed BC read was captured'
        $AuditLines.Count | Should -BeGreaterThan 20
        @($StateTables['work_queue']).Count + @($StateTables['record_state']).Count | Should -BeGreaterThan 20
        $MarketoTokens.Count | Should -BeGreaterOrEqual 2 -Because 'the token expired mid-run, so the module held more than one'
        $EntraTokens.Count | Should -BeGreaterOrEqual 1
    }

    It 'finds neither client secret, bare or URL-encoded' {
        foreach ($secret in $Sandbox.bcClientSecret, $Sandbox.marketoClientSecret) {
            $Text | Should -Not -Match ([regex]::Escape($secret))
            $Text | Should -Not -Match ([regex]::Escape([uri]::EscapeDataString($secret)))
        }
    }

    It 'finds no storage account key, bare or URL-encoded, though the table store was used through its connection string' {
        $Text | Should -Match 'Leakton tables|LeakAudit|Leak[0-9a-f]{10}' -Because 'the table store runs were captured'
        $Text | Should -Not -Match ([regex]::Escape($AccountKey))
        $Text | Should -Not -Match ([regex]::Escape([uri]::EscapeDataString($AccountKey)))
    }

    It "finds no webhook clientState (the subscription's shared secret, kept in the vault)" {
        $ClientStates.Count | Should -BeGreaterThan 0 -Because 'Register-BcSubscription generated one into the vault'
        foreach ($state in $ClientStates) { $Text.Contains($state) | Should -BeFalse }
    }

    It 'finds no Marketo token the sandbox issued, bare or URL-encoded' {
        foreach ($token in $MarketoTokens) {
            $Text | Should -Not -Match ([regex]::Escape($token))
            $Text | Should -Not -Match ([regex]::Escape([uri]::EscapeDataString($token)))
            $Text | Should -Not -Match ([regex]::Escape($token.Replace(':', '%3a')))
        }
        $Text | Should -Not -Match '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}(:|%3[aA])[a-z]{2,4}\b'
    }

    It 'finds no Entra token the sandbox issued, and nothing shaped like a JWT' {
        foreach ($token in $EntraTokens) {
            $Text.Contains($token) | Should -BeFalse
            $Text.Contains($token.Split('.')[2]) | Should -BeFalse -Because 'not even the signature part'
        }
        $Text | Should -Not -Match 'eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.'
    }
}
