# Issue 14 at the console: BC webhook subscriptions per sync pair (Register-, Get-, Update-, Unregister-BcSubscription),
# the self-hosted endpoint (Start-/Stop-MlNotificationListener), the host-agnostic Receive-BcNotification, the renewal
# pass in Invoke-MlSync and the subscriptions in Get-MlSyncState. Against the standalone sandbox, whose notification job
# runs in the background (delay cut to half a second) and whose clock the tests move through its admin API.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'SandboxHelpers.psm1') -Force
    # Outside $TestDrive: Pester empties what a Describe block wrote there when the block ends, and the vault file is
    # written by the first one.
    $script:Folder = (New-Item -ItemType Directory -Path (Join-Path ([IO.Path]::GetTempPath()) "mlc-notify-$([guid]::NewGuid().ToString('N'))")).FullName
    Enable-TestVault -Folder $Folder
    $env:MLCONNECTOR_HOME = Join-Path $Folder 'home'
    Import-Module (Get-MlModulePath) -Force

    $script:Sandbox = Start-MlSandbox -Customers 25
    Invoke-SandboxAdmin $Sandbox 'bc/webhooks/settings' @{ notificationDelaySeconds = 0.5 } | Out-Null
    Connect-MlSandbox $Sandbox
    $null = Invoke-MlSync
    $script:Port = Get-Random -Minimum 20000 -Maximum 60000
    $script:Url = "http://127.0.0.1:$Port/bc/notifications/"
    $script:StatePath = Join-Path $env:MLCONNECTOR_HOME 'state/mlconnector.db'
    $script:PairId = (Get-MlSyncState).PairId

    function script:Get-Admin([string] $Path) { Invoke-RestMethod ($Sandbox.adminUrl.TrimEnd('/') + '/' + $Path) }
    function script:Get-BcWebhooks { Get-Admin 'bc/webhooks' }
    function script:Move-SandboxClock([double] $Seconds) { Invoke-SandboxAdmin $Sandbox 'clock/advance' @{ seconds = $Seconds } | Out-Null }
    function script:Set-CustomerCity($Customer, [string] $City) {
        Invoke-SandboxAdmin $Sandbox "bc/customers/$($Customer.Id)/modify" @{ city = $City } | Out-Null
    }
    function script:Get-MarketoCity([string] $Number) {
        (@(Get-Admin 'marketo/companies?take=100000') | ForEach-Object { $_ } | Where-Object externalCompanyId -EQ $Number).fields.billingCity
    }
    function script:Wait-Until([scriptblock] $Condition, [int] $Seconds = 120) {
        $deadline = (Get-Date).AddSeconds($Seconds)
        while (-not (& $Condition)) {
            if ((Get-Date) -gt $deadline) { return $false }
            Start-Sleep -Milliseconds 200
        }
        return $true
    }
    function script:Get-VaultClientState { (Get-Content -Raw $env:MLCONNECTOR_TEST_VAULT_FILE | ConvertFrom-Json -AsHashtable).TestVault["MlConnector-BcClientState-$PairId"] }
    function script:New-NotificationBody([string] $SubscriptionId, [string] $ClientState, [guid] $CustomerId) {
        @{ value = @(@{
                    subscriptionId = $SubscriptionId; clientState = $ClientState; expirationDateTime = '2030-01-01T00:00:00Z'
                    resource = "/api/v2.0/companies($($Sandbox.companyId))/customers($CustomerId)"; changeType = 'updated'; lastModifiedDateTime = '2030-01-01T00:00:00.000Z'
                }) } | ConvertTo-Json -Depth 4 -Compress
    }
    $script:Customers = @(Get-BcCustomer | Select-Object -First 12)
}

AfterAll {
    Stop-MlNotificationListener -ErrorAction SilentlyContinue
    Disconnect-MlConnection -ErrorAction SilentlyContinue
    Stop-MlSandbox $Sandbox
    Remove-Module MlConnector -Force -ErrorAction SilentlyContinue
    Disable-TestVault
    Remove-Item Env:MLCONNECTOR_HOME -ErrorAction SilentlyContinue
    Remove-Item $Folder -Recurse -Force -ErrorAction SilentlyContinue
}

Describe 'Subscriptions and the self-hosted listener' {
    It 'registers nothing under -WhatIf: no subscription in Business Central, no secret in the vault, nothing stored' {
        Register-BcSubscription -NotificationUrl $Url -WhatIf | Where-Object Action -NE 'Skipped' | Should -BeNullOrEmpty
        @((Get-BcWebhooks).subscriptions).Count | Should -Be 0
        Test-Path $env:MLCONNECTOR_TEST_VAULT_FILE | Should -BeFalse
        (Get-MlSyncState).Subscriptions | Should -BeNullOrEmpty
    }

    It 'starts a listener that answers the handshake before any subscription exists' {
        $script:Listener = Start-MlNotificationListener -Prefix $Url -WarningAction SilentlyContinue
        $Listener.State | Should -Be 'Running'
        $Listener.PairId | Should -Be $PairId
        (Invoke-WebRequest -Method Post -Uri "${Url}?validationToken=hello" -Body '').Content | Should -Be 'hello'
    }

    It 'registers customers with a clientState generated into the vault, stores where it is but not its value, and says the poll covers contacts' {
        $rows = @(Register-BcSubscription -NotificationUrl $Url)
        $customers = $rows | Where-Object EntitySet -EQ 'customers'
        $customers.Action | Should -Be 'Registered'
        $customers.Status | Should -Be 'Active'
        $customers.ClientState | Should -Be "vault:(default)/MlConnector-BcClientState-$PairId"
        $contacts = $rows | Where-Object EntitySet -EQ 'contacts'
        $contacts.Status | Should -Be 'NotSupported'
        $contacts.Reason | Should -Match 'poll'
        $script:SubscriptionId = $customers.SubscriptionId
        (Get-BcWebhooks).subscriptions.subscriptionId | Should -Be $SubscriptionId
        $clientState = Get-VaultClientState
        $clientState.Length | Should -BeGreaterOrEqual 43
        $state = Get-MlSyncState
        $state.Subscriptions | Should -Match "customers until .* \($SubscriptionId\)"
        $state.SubscriptionsExpireAt | Should -BeGreaterThan ([DateTimeOffset]::UtcNow.AddDays(2.9))
        [IO.File]::ReadAllText($StatePath) | Should -Not -Match ([regex]::Escape($clientState))
        (Register-BcSubscription -NotificationUrl $Url | Where-Object EntitySet -EQ 'customers').Action | Should -Be 'Existing'
    }

    It 'sends a customer changed in Business Central to Marketo through notification, fetch and upsert' {
        Set-CustomerCity $Customers[0] 'Notified City'
        Wait-Until { (Get-MarketoCity $Customers[0].Number) -eq 'Notified City' } | Should -BeTrue
        Wait-Until { $Listener.Handled -ge 1 } | Should -BeTrue
        $Listener.Written | Should -BeGreaterOrEqual 1
        $Listener.Rejected | Should -Be 0
        $Listener.MedianLatency | Should -Not -BeNullOrEmpty
        ($Listener | Format-Table | Out-String) | Should -Match 'Prefix\s+PairId\s+State'
    }

    It 'lists the subscription with the time left on Business Central''s clock' {
        $row = Get-BcSubscription
        $row.SubscriptionId | Should -Be $SubscriptionId
        $row.Status | Should -Be 'Active'
        $row.ExpiresIn | Should -BeGreaterThan ([TimeSpan]::FromDays(2.9))
        $row.GetType().FullName | Should -Be 'MlConnector.Engine.Notifications.BcSubscriptionStatus'
    }

    It 'at 2 days 23 hours renews in the pass (-ExpiringWithin 1d) after a handshake that passes; -WhatIf sends nothing' {
        Move-SandboxClock (2 * 86400 + 23 * 3600)
        Update-BcSubscription -ExpiringWithin 1d -WhatIf | Should -BeNullOrEmpty
        @(Get-Admin 'journal' | ForEach-Object { $_ } | Where-Object { $_.method -eq 'PATCH' -and $_.path -like '*subscriptions(*' }).Count | Should -Be 0
        Invoke-RestMethod -Method Delete -Uri ($Sandbox.adminUrl.TrimEnd('/') + '/bc/webhooks/journal') | Out-Null

        $row = Update-BcSubscription -ExpiringWithin 1d
        $row.Action | Should -Be 'Renewed'
        $row.ExpiresIn | Should -BeGreaterThan ([TimeSpan]::FromDays(2.9))
        $handshake = @(Get-Admin 'bc/webhooks/journal' | ForEach-Object { $_ } | Where-Object event -EQ 'Handshake')
        $handshake.Count | Should -Be 1
        $handshake[0].outcome | Should -Be 'Succeeded'
        (Update-BcSubscription -ExpiringWithin '1d').Action | Should -Be 'None'
    }

    It 'past expiry without renewal: Invoke-MlSync re-creates the subscription and its poll backfills the gap' {
        Move-SandboxClock (3 * 86400 + 3600)
        Wait-Until { @((Get-BcWebhooks).subscriptions).Count -eq 0 } | Should -BeTrue
        Set-CustomerCity $Customers[1] 'Changed In The Gap'

        $summary = Invoke-MlSync -LeaseTimeout 120 -Verbose 4>&1 | Tee-Object -Variable messages | Where-Object { $_.GetType().FullName -eq 'MlConnector.Engine.Sync.SyncSummary' }

        $summary.Failed | Should -Be 0
        ($messages | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }).Message -join "`n" | Should -Match 'recreated'
        $row = Get-BcSubscription
        $row.Status | Should -Be 'Active'
        $row.SubscriptionId | Should -Not -Be $SubscriptionId
        Get-MarketoCity $Customers[1].Number | Should -Be 'Changed In The Gap'
        $script:SubscriptionId = $row.SubscriptionId

        Set-CustomerCity $Customers[2] 'Notified After Re-creation'
        Wait-Until { (Get-MarketoCity $Customers[2].Number) -eq 'Notified After Re-creation' } | Should -BeTrue
    }

    It 'stops the listener, which drains and lets go of the pair' {
        $stopped = Stop-MlNotificationListener -PassThru
        $stopped.State | Should -Be 'Stopped'
        (Get-MlSyncState).LeaseHolder | Should -BeNullOrEmpty
        { Invoke-WebRequest -Method Post -Uri "${Url}?validationToken=gone" -Body '' -TimeoutSec 5 } | Should -Throw
    }
}

Describe 'Receive-BcNotification, as an Azure Functions HTTP trigger calls it' {
    It 'answers the handshake with the token as plain text that is never sniffed' {
        $answer = Receive-BcNotification -Method POST -Query '?validationToken=abc-123'
        $answer.StatusCode | Should -Be 200
        $answer.Body | Should -Be 'abc-123'
        $answer.ContentType | Should -Match '^text/plain'
        $answer.Headers['X-Content-Type-Options'] | Should -Be 'nosniff'
    }

    It 'refuses a hostile 10 KB markup token without echoing it' {
        $token = '<script>alert(1)</script>' * 420
        $answer = Receive-BcNotification -Method POST -Query @{ validationToken = $token }
        $answer.StatusCode | Should -Be 400
        $answer.Body | Should -BeNullOrEmpty
    }

    It 'rejects a wrong clientState, an unknown subscription, malformed JSON and an oversized body with nothing queued' {
        $before = (Get-MlSyncState).Pending
        $wrong = Receive-BcNotification -Method POST -Body (New-NotificationBody $SubscriptionId 'guessed' $Customers[3].Id)
        $wrong.StatusCode | Should -Be 200
        $wrong.RejectedReason | Should -Be 'WrongClientState'
        (Receive-BcNotification -Method POST -Body (New-NotificationBody ('f' * 32) (Get-VaultClientState) $Customers[3].Id)).RejectedReason | Should -Be 'UnknownSubscription'
        (Receive-BcNotification -Method POST -Body '{"value":[').StatusCode | Should -Be 400
        (Receive-BcNotification -Method POST -Body ('{"value":[],"x":"' + ('y' * 1100000) + '"}')).StatusCode | Should -Be 413
        (Get-MlSyncState).Pending | Should -Be $before
        $audit = Get-MlAuditLog -Since ([DateTime]::UtcNow.AddDays(-10)) | Where-Object Action -EQ 'Rejected'
        @($audit).Count | Should -BeGreaterOrEqual 4
    }

    It 'queues a genuine notification given as a Functions request object for the pair, and Invoke-MlSync sends it' {
        Set-CustomerCity $Customers[4] 'Via Functions'
        $request = [pscustomobject]@{
            Method = 'POST'; Query = @{}; Headers = @{ 'content-type' = 'application/json' }
            RawBody = New-NotificationBody $SubscriptionId (Get-VaultClientState) $Customers[4].Id
        }
        Receive-BcNotification -Request $request -WhatIf | Select-Object -ExpandProperty Enqueued | Should -Be 1
        (Get-MlSyncState).Pending | Should -Be 0

        $answer = $request | Receive-BcNotification
        $answer.StatusCode | Should -Be 200
        $answer.Enqueued | Should -Be 1
        $answer.PairIds | Should -Be $PairId
        (Get-MlSyncState).Pending | Should -Be 1

        $null = Invoke-MlSync -LeaseTimeout 60
        (Get-MlSyncState).Pending | Should -Be 0
        Get-MarketoCity $Customers[4].Number | Should -Be 'Via Functions'
    }
}

Describe 'Start-MlNotificationListener -Wait and Unregister-BcSubscription' {
    It 'runs in the foreground until stopped, then drains' {
        $marketo = Get-SandboxMarketoParameters $Sandbox
        $connection = Connect-MlMarketo @marketo -ClientId $Sandbox.marketoClientId -ClientSecret (ConvertTo-SecureText $Sandbox.marketoClientSecret) -PassThru
        # One command in a runspace of its own (no batch), stopped as Ctrl+C stops it, and waited for before disposal.
        $state = [System.Management.Automation.Runspaces.InitialSessionState]::CreateDefault2()
        $state.ImportPSModule([string[]] @(Get-MlModulePath))
        $runspace = [runspacefactory]::CreateRunspace($state)
        $runspace.Open()
        $shell = [powershell]::Create($runspace)
        try {
            $null = $shell.AddCommand('Start-MlNotificationListener').AddParameter('Prefix', $Url).AddParameter('Connection', $connection).AddParameter('Wait').AddParameter('WarningAction', 'SilentlyContinue')
            $run = $shell.BeginInvoke()
            Wait-Until { try { (Invoke-WebRequest -Method Post -Uri "${Url}?validationToken=up" -Body '' -TimeoutSec 5).Content -eq 'up' } catch { $false } } | Should -BeTrue
            $shell.Stop()
            $run.IsCompleted | Should -BeTrue
            try { $null = $shell.EndInvoke($run) } catch [System.Management.Automation.PipelineStoppedException] { }
            { Invoke-WebRequest -Method Post -Uri "${Url}?validationToken=down" -Body '' -TimeoutSec 5 } | Should -Throw
        }
        finally {
            $shell.Dispose()
            $runspace.Dispose()
        }
    }

    It 'unregisters nothing under -WhatIf, then deletes the subscription in Business Central and forgets it' {
        Unregister-BcSubscription -SubscriptionId $SubscriptionId -WhatIf
        @((Get-BcWebhooks).subscriptions).Count | Should -Be 1
        $row = Get-BcSubscription | Unregister-BcSubscription -Confirm:$false
        $row.Action | Should -Be 'Unregistered'
        @((Get-BcWebhooks).subscriptions).Count | Should -Be 0
        @(Get-BcSubscription).Count | Should -Be 0
        (Get-MlSyncState).Subscriptions | Should -BeNullOrEmpty
    }

    It 'refuses an -ExpiringWithin that is not a positive duration' {
        { Update-BcSubscription -ExpiringWithin 'soon' } | Should -Throw
        { Update-BcSubscription -ExpiringWithin '0d' -ErrorAction Stop } | Should -Throw -ErrorId 'UpdateBcSubscriptionInvalidWindow,MlConnector.Cmdlets.UpdateBcSubscriptionCommand'
    }
}

Describe 'Contacts where Business Central lists them, and a renewal pass that cannot run' {
    BeforeAll {
        $script:Listener = Start-MlNotificationListener -Prefix $Url -WarningAction SilentlyContinue
    }
    AfterAll {
        Invoke-SandboxAdmin $Sandbox 'bc/webhooks/settings' @{ contactsSupported = $false } | Out-Null
        Invoke-RestMethod -Method Delete -Uri ($Sandbox.adminUrl.TrimEnd('/') + '/faults') | Out-Null
        Unregister-BcSubscription -All -Confirm:$false | Out-Null
        Stop-MlNotificationListener
    }

    It 'subscribes contacts with customers when webhookSupportedResources lists them' {
        Invoke-SandboxAdmin $Sandbox 'bc/webhooks/settings' @{ contactsSupported = $true } | Out-Null
        $rows = @(Register-BcSubscription -NotificationUrl $Url)
        ($rows | Sort-Object EntitySet).EntitySet | Should -Be @('contacts', 'customers')
        $rows.Action | Sort-Object -Unique | Should -Be 'Registered'
        @((Get-BcWebhooks).subscriptions).Count | Should -Be 2
    }

    It 'lets Invoke-MlSync go on, with a warning, when the subscriptions cannot be read' {
        Invoke-SandboxAdmin $Sandbox 'faults' @{ service = 1; pathContains = '/subscriptions'; httpStatus = 403 } | Out-Null
        $summary = Invoke-MlSync -LeaseTimeout 120 -WarningVariable warnings -WarningAction SilentlyContinue
        $summary.Failed | Should -Be 0
        ($warnings -join "`n") | Should -Match 'renewal pass could not run'
    }
}
