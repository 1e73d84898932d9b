# Issue 4, cmdlet half: connecting, reading BC, profiles through SecretManagement and Test-MlConnection (the scan for
# secrets and tokens in every stream and file, over every cmdlet, is Leak.Tests.ps1). Real HTTP against the standalone sandbox (out/sandbox); the state
# folder is always $TestDrive (MLCONNECTOR_HOME), and the vault is the test double in TestModules/.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'SandboxHelpers.psm1') -Force
    $script:OriginalModulePath = $env:PSModulePath
    $env:PSModulePath = (Join-Path $PSScriptRoot 'TestModules') + [IO.Path]::PathSeparator + $env:PSModulePath
    $env:MLCONNECTOR_HOME = Join-Path $TestDrive 'home'
    $env:MLCONNECTOR_TEST_VAULT_FILE = Join-Path $TestDrive 'vault.json'
    $env:MLCONNECTOR_TEST_VAULTS = 'TestVault'
    Import-Module (Get-MlModulePath) -Force

    $script:Sandbox = Start-MlSandbox -Customers 30
    $script:BcParameters = Get-SandboxBcParameters $Sandbox
    $script:MarketoParameters = Get-SandboxMarketoParameters $Sandbox
    $script:BcSecret = ConvertTo-SecureText $Sandbox.bcClientSecret
    $script:MarketoSecret = ConvertTo-SecureText $Sandbox.marketoClientSecret

    function script:Connect-Sandbox {
        Connect-MlBusinessCentral @BcParameters -ClientId $Sandbox.bcClientId -ClientSecret $BcSecret
        Connect-MlMarketo @MarketoParameters -ClientId $Sandbox.marketoClientId -ClientSecret $MarketoSecret
    }
}

AfterAll {
    Disconnect-MlConnection -ErrorAction SilentlyContinue
    Remove-Module MlConnector -Force -ErrorAction SilentlyContinue
    Stop-MlSandbox $Sandbox
    $env:PSModulePath = $OriginalModulePath
    Remove-Item Env:MLCONNECTOR_HOME, Env:MLCONNECTOR_TEST_VAULT_FILE, Env:MLCONNECTOR_TEST_VAULTS -ErrorAction SilentlyContinue
}

Describe 'Connect-MlBusinessCentral and Connect-MlMarketo' {
    AfterEach { Disconnect-MlConnection }

    It 'connects with -ClientSecret and shows flat connection rows without secrets' {
        $connection = Connect-MlBusinessCentral @BcParameters -ClientId $Sandbox.bcClientId -ClientSecret $BcSecret -PassThru
        Connect-MlMarketo @MarketoParameters -ClientId $Sandbox.marketoClientId -ClientSecret $MarketoSecret
        $connection.BusinessCentralCompany | Should -Match 'CRONUS'
        $rows = Get-MlConnection
        $rows.Service | Should -Be @('BusinessCentral', 'Marketo')
        $rows[0].Company | Should -Be $Sandbox.companyName
        $rows[0].TokenExpiresOn | Should -BeGreaterThan ([DateTimeOffset]::Now)
        $rows[1].MunchkinId | Should -Be $Sandbox.munchkinId
        ($rows | ConvertTo-Csv) -join "`n" | Should -Not -Match ([regex]::Escape($Sandbox.bcClientSecret))
    }

    It 'connects with -Credential whose user name is the client id' {
        $credential = [pscredential]::new($Sandbox.bcClientId, $BcSecret)
        Connect-MlBusinessCentral @BcParameters -Credential $credential
        (Get-MlConnection).ClientId | Should -Be $Sandbox.bcClientId
    }

    It 'fails with a stable id and AuthenticationError on a wrong client secret' {
        $err = $null
        try { Connect-MlBusinessCentral @BcParameters -ClientId $Sandbox.bcClientId -ClientSecret (ConvertTo-SecureText 'wrong-secret') -ErrorAction Stop }
        catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -BeLike 'ConnectMlBusinessCentralAuthenticationFailed*'
        $err.CategoryInfo.Category | Should -Be 'AuthenticationError'
        $err.Exception.Message | Should -Match 'AADSTS7000215'
    }

    It 'names the available companies when the company is unknown' {
        $parameters = $BcParameters.Clone(); $parameters.Company = 'No Such Company'
        { Connect-MlBusinessCentral @parameters -ClientId $Sandbox.bcClientId -ClientSecret $BcSecret -ErrorAction Stop } |
            Should -Throw -ErrorId 'ConnectMlBusinessCentralCompanyNotFound*' -ExpectedMessage "*CRONUS*"
    }

    It 'keeps the default per runspace: a thread job does not see it' {
        Connect-Sandbox
        $inJob = Start-ThreadJob -ArgumentList (Get-MlModulePath) { param($manifest) Import-Module $manifest; Get-MlConnection } |
            Receive-Job -Wait -AutoRemoveJob -ErrorAction Stop
        $inJob | Should -BeNullOrEmpty
        (Get-MlConnection).Count | Should -Be 2
    }

    It 'refuses a connected cmdlet with a NotConnected error when nothing is connected' {
        { Get-BcCustomer -ErrorAction Stop } | Should -Throw -ErrorId 'GetBcCustomerNotConnected*'
    }
}

Describe 'Get-BcCustomer and Get-BcContact' {
    BeforeAll { Connect-Sandbox; $script:All = Get-BcCustomer }
    AfterAll { Disconnect-MlConnection }

    It 'reads every customer as flat typed rows' {
        $All.Count | Should -Be 30
        $All[0].GetType().Name | Should -Be 'BcCustomer'
    }

    It 'round-trips through Export-Csv without Select-Object' {
        $file = Join-Path $TestDrive 'customers.csv'
        Get-BcCustomer -IncludeFinancialDetails | Export-Csv -Path $file
        $rows = Import-Csv $file
        $rows.Count | Should -Be 30
        $rows[0].PSObject.Properties.Name | Should -Contain 'Balance'
        ($rows.Number | Sort-Object) | Should -Be ($All.Number | Sort-Object)
        Get-Content -Raw $file | Should -Not -Match 'System\.|ETag'
    }

    It 'binds -Number from Import-Csv through the No alias' {
        $file = Join-Path $TestDrive 'numbers.csv'
        $wanted = $All.Number | Select-Object -First 3
        $wanted | ForEach-Object { [pscustomobject]@{ No = $_ } } | Export-Csv $file
        $found = Import-Csv $file | Get-BcCustomer
        ($found.Number | Sort-Object) | Should -Be ($wanted | Sort-Object)
    }

    It 'honours -ModifiedSince' {
        $sorted = $All | Sort-Object LastModifiedDateTime
        $since = $sorted[20].LastModifiedDateTime
        $found = Get-BcCustomer -ModifiedSince $since
        $found.Count | Should -BeLessThan 30
        $found.Number | Should -Contain $sorted[-1].Number
        # The engine reads a little before the instant (lastModifiedDateTime is not strictly monotonic).
        $found | ForEach-Object { $_.LastModifiedDateTime | Should -BeGreaterOrEqual $since.AddMinutes(-5) }
    }

    It 'reads the contacts of the given customers' {
        $numbers = $All.Number | Select-Object -First 2
        $contacts = Get-BcContact -CustomerNumber $numbers
        $contacts | Should -Not -BeNullOrEmpty
        $contacts.CustomerNumber | Select-Object -Unique | ForEach-Object { $numbers | Should -Contain $_ }
    }

    It 'takes customer numbers from Get-BcCustomer on the pipeline' {
        $contacts = $All | Select-Object -First 1 | Get-BcContact
        $contacts.CustomerNumber | Select-Object -Unique | Should -Be $All[0].Number
    }
}

Describe 'Connection profiles through SecretManagement' {
    AfterEach { Disconnect-MlConnection }

    It 'saves both secrets with Set-Secret and the settings without them, then reconnects in a fresh process' {
        Connect-MlBusinessCentral @BcParameters -ClientId $Sandbox.bcClientId -ClientSecret $BcSecret -Vault TestVault -SecretName bc-prod -SaveProfile prod
        Connect-MlMarketo @MarketoParameters -ClientId $Sandbox.marketoClientId -ClientSecret $MarketoSecret -Vault TestVault -SecretName mkto-prod -SaveProfile prod
        $profileFile = Join-Path $env:MLCONNECTOR_HOME 'profiles/prod.json'
        $profileFile | Should -Exist
        $text = Get-Content -Raw $profileFile
        $text | Should -Not -Match ([regex]::Escape($Sandbox.bcClientSecret))
        $text | Should -Not -Match ([regex]::Escape($Sandbox.marketoClientSecret))
        Get-Secret -Name bc-prod -Vault TestVault -AsPlainText | Should -Be $Sandbox.bcClientSecret

        $result = Invoke-InFreshPwsh -ScriptBlock {
            Import-Module (Join-Path $env:MLCONNECTOR_MODULE 'MlConnector.psd1')
            Connect-MlBusinessCentral -Profile prod
            Connect-MlMarketo -Profile prod
            [pscustomobject]@{ Customers = @(Get-BcCustomer).Count; Services = @(Get-MlConnection).Service; Profile = @(Get-MlConnection)[0].Profile }
        }
        $result.Customers | Should -Be 30
        $result.Services | Should -Be @('BusinessCentral', 'Marketo')
        $result.Profile | Should -Be 'prod'
    }

    It 'keeps the company key prefix in the profile and syncs under it after reconnecting' {
        Connect-MlBusinessCentral @BcParameters -ClientId $Sandbox.bcClientId -ClientSecret $BcSecret -Vault TestVault -SecretName bc-prefix -SaveProfile prefixed -CompanyKeyPrefix 'UK-'
        (Get-Content -Raw (Join-Path $env:MLCONNECTOR_HOME 'profiles/prefixed.json') | ConvertFrom-Json).BusinessCentral.CompanyKeyPrefix | Should -Be 'UK-'
        Disconnect-MlConnection

        Connect-MlBusinessCentral -Profile prefixed
        Connect-MlMarketo @MarketoParameters -ClientId $Sandbox.marketoClientId -ClientSecret $MarketoSecret
        $customer = Get-BcCustomer | Select-Object -First 1
        $plan = @(Sync-MlCustomerToMarketo -Number $customer.Number -WhatIf -StatePath (Join-Path $TestDrive 'prefix-plan.db'))
        ($plan | Where-Object TargetType -EQ 'Company').TargetKey | Should -Be "UK-$($customer.Number)"
    }

    It 'saves nothing under -WhatIf' {
        Connect-MlBusinessCentral @BcParameters -ClientId $Sandbox.bcClientId -ClientSecret $BcSecret -Vault TestVault -SecretName bc-whatif -SaveProfile whatif -WhatIf
        Join-Path $env:MLCONNECTOR_HOME 'profiles/whatif.json' | Should -Not -Exist
        Get-SecretInfo -Name bc-whatif | Should -BeNullOrEmpty
        (Get-MlConnection).Service | Should -Be 'BusinessCentral'
    }

    It 'asks for -Vault when -SaveProfile has nowhere to keep the secret' {
        { Connect-MlBusinessCentral @BcParameters -ClientId $Sandbox.bcClientId -ClientSecret $BcSecret -SaveProfile x -ErrorAction Stop } |
            Should -Throw -ErrorId 'ConnectMlBusinessCentralSaveProfileNeedsVault*'
    }

    It 'without SecretManagement: -Vault names Install-Module, -Credential still works' {
        $result = Invoke-InFreshPwsh -Environment @{ PSModulePath = $OriginalModulePath; SANDBOX = ($Sandbox | Select-Object * -ExcludeProperty Process | ConvertTo-Json -Compress) } -ScriptBlock {
            Import-Module (Join-Path $env:MLCONNECTOR_MODULE 'MlConnector.psd1')
            $sb = $env:SANDBOX | ConvertFrom-Json
            $common = @{
                TenantId = $sb.tenantId; Environment = $sb.environment; Company = $sb.companyName; BaseUri = $sb.HttpBase + '/'
                AuthorityHost = ([uri] $sb.entraAuthority).GetLeftPart('Authority') + '/'; SandboxTlsThumbprint = $sb.certificateThumbprint
            }
            $vaultError = try { Connect-MlBusinessCentral @common -ClientId $sb.bcClientId -Vault Any -SecretName bc -ErrorAction Stop; $null } catch { $_ }
            $credential = [pscredential]::new($sb.bcClientId, (ConvertTo-SecureString $sb.bcClientSecret -AsPlainText -Force))
            Connect-MlBusinessCentral @common -Credential $credential
            [pscustomobject]@{ ErrorId = $vaultError.FullyQualifiedErrorId; Message = $vaultError.Exception.Message; Customers = @(Get-BcCustomer).Count }
        }
        $result.ErrorId | Should -BeLike 'ConnectMlBusinessCentralSecretManagementMissing*'
        $result.Message | Should -BeLike '*Install-Module Microsoft.PowerShell.SecretManagement*'
        $result.Customers | Should -Be 30
    }
}

Describe 'Test-MlConnection' {
    BeforeAll {
        Connect-MlBusinessCentral @BcParameters -ClientId $Sandbox.bcClientId -ClientSecret $BcSecret -Vault TestVault -SecretName bc-ci -SaveProfile ci
        Connect-MlMarketo @MarketoParameters -ClientId $Sandbox.marketoClientId -ClientSecret $MarketoSecret -Vault TestVault -SecretName mkto-ci -SaveProfile ci
        $script:ProfileFile = Join-Path $env:MLCONNECTOR_HOME 'profiles/ci.json'
        $script:SavedProfile = Get-Content -Raw $ProfileFile
        function script:Get-Check([object[]] $Results, [string] $Name) { $Results | Where-Object Check -EQ $Name }
    }
    AfterEach {
        Set-Secret -Name bc-ci -Secret $BcSecret -Vault TestVault
        Set-Secret -Name mkto-ci -Secret $MarketoSecret -Vault TestVault
        Set-Content -Path $ProfileFile -Value $SavedProfile
    }
    AfterAll { Disconnect-MlConnection }

    It 'passes every check against a healthy sandbox' {
        $results = Test-MlConnection
        $results.Check | Should -Be @('BusinessCentral.Token', 'BusinessCentral.Company', 'BusinessCentral.Customer',
            'Marketo.Token', 'Marketo.DescribeLeads', 'Marketo.DescribeCompanies', 'Marketo.CompaniesWritable', 'Marketo.DailyUsage')
        $results.Status | Should -Not -Contain 'Failed'
        $results.Status | Should -Not -Contain 'Warning'
        $results | ForEach-Object { $_.Milliseconds | Should -BeGreaterOrEqual 0 }
    }

    It 'reports a wrong BC secret (AADSTS7000215) with what to fix' {
        Set-Secret -Name bc-ci -Secret (ConvertTo-SecureText 'not-the-secret') -Vault TestVault
        $results = Test-MlConnection -Profile ci
        $token = Get-Check $results 'BusinessCentral.Token'
        $token.Status | Should -Be 'Failed'
        $token.Detail | Should -Match 'AADSTS7000215'
        $token.Detail | Should -Match "Certificates & secrets.*vault used by profile 'ci'"
        (Get-Check $results 'Marketo.Token').Status | Should -Be 'Passed'
    }

    It 'reports a secret rotated in Entra while the session is connected' {
        Invoke-SandboxAdmin $Sandbox 'entra/settings' @{ clientSecret = 'rotated-in-entra' } | Out-Null
        try { $results = Test-MlConnection }
        finally { Invoke-SandboxAdmin $Sandbox 'entra/settings' @{ clientSecret = $Sandbox.bcClientSecret } | Out-Null }
        (Get-Check $results 'BusinessCentral.Token').Detail | Should -Match 'AADSTS7000215'
        (Get-Check $results 'BusinessCentral.Customer').Status | Should -Be 'Failed'
    }

    It 'reports an unknown company with the companies that exist' {
        $broken = $SavedProfile | ConvertFrom-Json
        $broken.BusinessCentral.Company = 'Renamed Ltd'
        $broken | ConvertTo-Json -Depth 5 | Set-Content $ProfileFile
        $results = Test-MlConnection -Profile ci
        (Get-Check $results 'BusinessCentral.Token').Status | Should -Be 'Passed'
        $company = Get-Check $results 'BusinessCentral.Company'
        $company.Status | Should -Be 'Failed'
        $company.Detail | Should -Match "Renamed Ltd.*CRONUS USA, Inc\..*-Company"
    }

    It 'reports a wrong Marketo secret with where to find the right one' {
        Set-Secret -Name mkto-ci -Secret (ConvertTo-SecureText 'not-the-secret') -Vault TestVault
        $results = Test-MlConnection -Profile ci
        $token = Get-Check $results 'Marketo.Token'
        $token.Status | Should -Be 'Failed'
        $token.Detail | Should -Match 'LaunchPoint'
        (Get-Check $results 'Marketo.DescribeLeads').Status | Should -Be 'Failed'
    }

    It 'warns that Companies are read-only while CRM sync is on' {
        Invoke-SandboxAdmin $Sandbox 'marketo/crm-sync' @{ enabled = $true } | Out-Null
        try { $results = Test-MlConnection }
        finally { Invoke-SandboxAdmin $Sandbox 'marketo/crm-sync' @{ enabled = $false } | Out-Null }
        $check = Get-Check $results 'Marketo.CompaniesWritable'
        $check.Status | Should -Be 'Warning'
        $check.Detail | Should -Match 'read-only.*CRM'
        $results.Status | Should -Not -Contain 'Failed'
    }
}
