# Issue 11, the console's part: bad input gets an answer, errors say what to do, certificate sign-in, the caller's
# variables are left alone, argument completion, the default views, and a first pipeline that shows something.
# Real HTTP against the standalone sandbox (out/sandbox); MLCONNECTOR_HOME is $TestDrive; the vault is the test double.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1'), (Join-Path $PSScriptRoot 'SandboxHelpers.psm1') -Force
    # Two registered vaults, so -Vault completion has a choice to offer.
    Enable-TestVault -Folder $TestDrive -Vaults TestVault, OtherVault
    $env:MLCONNECTOR_HOME = Join-Path $TestDrive 'home'
    Import-Module (Get-MlModulePath) -Force

    $script:Sandbox = Start-MlSandbox -Customers 30
    $script:BcParameters = Get-SandboxBcParameters $Sandbox
    $script:MarketoParameters = Get-SandboxMarketoParameters $Sandbox
    $script:BcSecret, $script:MarketoSecret = ($Sandbox.bcClientSecret, $Sandbox.marketoClientSecret) | ForEach-Object { ConvertTo-SecureText $_ }

    function script:Get-Journal([string] $PathLike) {
        @(Invoke-RestMethod -Uri ($Sandbox.adminUrl.TrimEnd('/') + '/journal') | ForEach-Object { $_ } | Where-Object path -Like $PathLike)
    }

    function script:Clear-Journal { Invoke-RestMethod -Method Delete -Uri ($Sandbox.adminUrl.TrimEnd('/') + '/journal') | Out-Null }

    # What TabExpansion2 offers for the text up to the end of $Line.
    function script:Get-Completion([string] $Line) {
        @((TabExpansion2 -inputScript $Line -cursorColumn $Line.Length).CompletionMatches)
    }

    # A self-signed certificate with its private key, as an admin would make for an app registration.
    function script:New-TestCertificate([string] $Subject) {
        $key = [System.Security.Cryptography.RSA]::Create(2048)
        $request = [System.Security.Cryptography.X509Certificates.CertificateRequest]::new($Subject, $key,
            [System.Security.Cryptography.HashAlgorithmName]::SHA256, [System.Security.Cryptography.RSASignaturePadding]::Pkcs1)
        $request.CreateSelfSigned([DateTimeOffset]::UtcNow.AddDays(-1), [DateTimeOffset]::UtcNow.AddYears(1))
    }

    # Certificates & secrets > Upload certificate: the public part only.
    function script:Register-TestCertificate($Certificate) {
        Invoke-SandboxAdmin $Sandbox 'entra/certificates' @{ certificate = [Convert]::ToBase64String($Certificate.RawData) } | Out-Null
    }
}

AfterAll {
    Stop-MlSandbox $Sandbox
    Remove-Module MlConnector -Force -ErrorAction SilentlyContinue
    Disable-TestVault
    Remove-Item Env:MLCONNECTOR_HOME -ErrorAction SilentlyContinue
}

Describe 'Bad input gets an answer' {
    BeforeAll { Connect-MlSandbox $Sandbox }
    AfterAll { Disconnect-MlConnection }

    It 'names a customer number that matches nothing in a non-terminating ObjectNotFound error, and still returns the others' {
        $found = @(Get-BcCustomer -Number C00001, NOPE -ErrorVariable failed -ErrorAction SilentlyContinue)
        $found.Number | Should -Be 'C00001'
        $failed.Count | Should -Be 1
        $failed[0].FullyQualifiedErrorId | Should -BeLike 'GetBcCustomerCustomerNotFound*'
        $failed[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $failed[0].TargetObject | Should -Be 'NOPE'
        $failed[0].Exception.Message | Should -Match "'NOPE'"
        $failed[0].ErrorDetails.RecommendedAction | Should -Not -BeNullOrEmpty
    }

    It 'looks numbers up without regard to case (BC keeps Code values in upper case)' {
        (Get-BcCustomer -Number c00010 -ErrorAction Stop).Number | Should -Be 'C00010'
        (Get-BcContact -CustomerNumber c00010 -ErrorAction Stop).CustomerNumber | Sort-Object -Unique | Should -BeIn @('C00010', $null)
    }

    It 'takes PowerShell wildcards, asking BC only for the numbers that start with the literal part' {
        Clear-Journal
        (Get-BcCustomer -Number 'C0000*' -ErrorAction Stop).Number | Should -Be ('C00001', 'C00002', 'C00003', 'C00004', 'C00005', 'C00006', 'C00007', 'C00008', 'C00009')
        (Get-BcCustomer -Number 'c0001?' -ErrorAction Stop).Number | Should -Be (10..19 | ForEach-Object { 'C{0:D5}' -f $_ })
        $reads = Get-Journal '*/customers*'
        $reads.Count | Should -Be 2
        $reads | ForEach-Object { [uri]::UnescapeDataString($_.path) | Should -Match "startswith\(number,'C000[01]'\)" }
        @(Get-BcCustomer -Number 'X*' -ErrorVariable failed).Count | Should -Be 0
        $failed.Count | Should -Be 0 -Because 'a pattern that matches nothing is no error, as with Get-Process -Name x*'
    }

    It "binds BC's own export headers 'Customer No.' and 'No.' from the pipeline" {
        ([pscustomobject]@{ 'Customer No.' = 'C00010' } | Get-BcCustomer -ErrorAction Stop).Number | Should -Be 'C00010'
        ([pscustomobject]@{ 'No.' = 'C00011'; Name = 'x' } | Get-BcCustomer -ErrorAction Stop).Number | Should -Be 'C00011'
        ('C00012', [pscustomobject]@{ Number = 'C00013' } | Get-BcCustomer -ErrorAction Stop).Number | Should -Be ('C00012', 'C00013')
    }

    It 'refuses piped objects that carry no customer number instead of looking up their text, and reads nothing for them' {
        Clear-Journal
        $found = @(Get-Process -Id $PID | Get-BcCustomer -ErrorVariable refused -ErrorAction SilentlyContinue)
        $found.Count | Should -Be 0
        $refused.Count | Should -Be 1
        $refused[0].FullyQualifiedErrorId | Should -BeLike 'GetBcCustomerNoCustomerNumber*'
        $refused[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        $refused[0].Exception.Message | Should -Match 'System\.Diagnostics\.Process.*no customer number'
        (Get-Journal '*/customers*').Count | Should -Be 0
        @(Get-Process -Id $PID | Get-BcContact -ErrorVariable refusedContacts -ErrorAction SilentlyContinue).Count | Should -Be 0
        $refusedContacts[0].FullyQualifiedErrorId | Should -BeLike 'GetBcContactNoCustomerNumber*'
    }

    It 'warns when -ModifiedSince is in the future' {
        $rows = @(Get-BcCustomer -ModifiedSince (Get-Date).AddDays(1) -WarningVariable warned -WarningAction SilentlyContinue)
        $rows.Count | Should -Be 0
        "$warned" | Should -Match 'in the future'
        Get-BcContact -ModifiedSince (Get-Date).AddHours(2) -WarningVariable contactWarned -WarningAction SilentlyContinue | Out-Null
        "$contactWarned" | Should -Match 'in the future'
    }

    It 'errors when -AuditPath names a folder that does not exist' {
        $missing = Join-Path $TestDrive 'no-such-audit'
        $rows = @(Get-MlAuditLog -AuditPath $missing -ErrorVariable failed -ErrorAction SilentlyContinue)
        $rows.Count | Should -Be 0
        $failed[0].FullyQualifiedErrorId | Should -BeLike 'GetMlAuditLogAuditPathNotFound*'
        $failed[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $failed[0].Exception.Message | Should -Match ([regex]::Escape($missing))
    }

    It 'Sync-MlCustomerToMarketo names a number that matches nothing and writes nothing for it' {
        Clear-Journal
        $results = @(Sync-MlCustomerToMarketo -Number NOPE -ErrorVariable failed -ErrorAction SilentlyContinue)
        $results.Count | Should -Be 0
        $failed.Count | Should -Be 1
        $failed[0].FullyQualifiedErrorId | Should -BeLike 'SyncMlCustomerToMarketoCustomerNotFound*'
        $failed[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $failed[0].TargetObject | Should -Be 'NOPE'
        # The mapping is checked against describe before BC is read; nothing else reaches Marketo.
        @(Get-Journal '/rest/*' | Where-Object { $_.path -notlike '*/describe*' }).Count | Should -Be 0 -Because 'nothing was read, so nothing was sent to Marketo'
    }

    It 'answers a malformed .psd1 mapping file with the line and what is wrong, not with a message about ErrorActionPreference' {
        $broken = Join-Path $TestDrive 'broken.psd1'
        "@{`n  lead = @{`n    fields = @{ email = 'Email' `n  }`n" | Set-Content $broken
        $err = $null
        try { Get-BcCustomer -Number C00001 | ConvertTo-MlMarketoCompany -MappingPath $broken } catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -BeLike 'ConvertToMlMarketoCompanyMappingFileInvalid*'
        $err.Exception.Message | Should -Match 'line \d+, column \d+'
        $err.Exception.Message | Should -Match 'broken\.psd1'
        $err.Exception.Message | Should -Not -Match 'ErrorActionPreference|preference variable'
        $err.ErrorDetails.RecommendedAction | Should -Not -BeNullOrEmpty

        $dynamic = Join-Path $TestDrive 'dynamic.psd1'
        "@{ lead = @{ fields = @{ email = (Get-Date) } } }" | Set-Content $dynamic
        $err = $null
        try { Get-BcCustomer -Number C00001 | ConvertTo-MlMarketoCompany -MappingPath $dynamic } catch { $err = $_ }
        $err.Exception.Message | Should -Match 'line 1: only constant values'
    }
}

Describe 'Connection errors say what to check' {
    AfterEach { Disconnect-MlConnection }

    It 'fails at once when the Marketo host does not resolve, saying the instance was not found' {
        $err = $null
        try {
            Connect-MlMarketo -MunchkinId 123-ABC-456 -BaseUri 'https://123-abc-456.mlconnector-test.invalid/' -AllowUntrustedEndpoint -ClientId x -ClientSecret (ConvertTo-SecureText y) -ErrorAction Stop
        }
        catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -BeLike 'ConnectMlMarketoInstanceNotFound*'
        $err.CategoryInfo.Category | Should -Be 'ConnectionError'
        $err.Exception.Message | Should -Match 'instance was not found.*123-abc-456\.mlconnector-test\.invalid'
        $err.ErrorDetails.RecommendedAction | Should -Match 'MunchkinId'
    }

    It 'names a wrong -Environment as it names a wrong -Company' {
        $parameters = $BcParameters.Clone(); $parameters.Environment = 'Prodcution'
        $err = $null
        try { Connect-MlBusinessCentral @parameters -ClientId $Sandbox.bcClientId -ClientSecret $BcSecret -ErrorAction Stop } catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -BeLike 'ConnectMlBusinessCentralEnvironmentNotFound*'
        $err.CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $err.Exception.Message | Should -Match "Environment 'Prodcution' was not found"
        $err.ErrorDetails.RecommendedAction | Should -Match '-Environment'
    }

    It 'keeps the engine exception with its type and inner exception' {
        $err = $null
        try { Connect-MlBusinessCentral @BcParameters -ClientId $Sandbox.bcClientId -ClientSecret (ConvertTo-SecureText 'wrong') -ErrorAction Stop } catch { $err = $_ }
        $err.Exception.GetType().Name | Should -Be 'BusinessCentralAuthenticationException'
        $err.Exception.InnerException.GetType().Name | Should -Be 'MsalServiceException'
        $err.ErrorDetails.RecommendedAction | Should -Match 'Certificates & secrets'
    }
}

Describe 'Certificate sign-in for Business Central' {
    BeforeAll {
        $script:Certificate = New-TestCertificate 'CN=MlConnector Pester app'
        Register-TestCertificate $Certificate
    }
    AfterEach { Disconnect-MlConnection }

    It 'signs in with -ClientCertificate registered on the app and reads customers' {
        Connect-MlBusinessCentral @BcParameters -ClientId $Sandbox.bcClientId -ClientCertificate $Certificate
        @(Get-BcCustomer).Count | Should -Be 30
        (Get-MlConnection).CertificateThumbprint | Should -Be $Certificate.Thumbprint
        $checks = Test-MlConnection
        ($checks | Where-Object Service -EQ BusinessCentral).Status | Should -Not -Contain 'Failed'
    }

    It 'refuses a certificate the app does not have with AADSTS700027 and what to do' {
        $other = New-TestCertificate 'CN=Not registered'
        $err = $null
        try { Connect-MlBusinessCentral @BcParameters -ClientId $Sandbox.bcClientId -ClientCertificate $other -ErrorAction Stop } catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -BeLike 'ConnectMlBusinessCentralAuthenticationFailed*'
        $err.Exception.Message | Should -Match 'AADSTS700027'
        $err.Exception.Message | Should -Match $other.Thumbprint
        $err.ErrorDetails.RecommendedAction | Should -Not -BeNullOrEmpty
        Get-MlConnection | Should -BeNullOrEmpty
    }

    It 'refuses a certificate without its private key before signing in' {
        $publicOnly = [System.Security.Cryptography.X509Certificates.X509Certificate2]::new($Certificate.RawData)
        { Connect-MlBusinessCentral @BcParameters -ClientId $Sandbox.bcClientId -ClientCertificate $publicOnly -ErrorAction Stop } |
            Should -Throw -ErrorId 'ConnectMlBusinessCentralCertificateUnusable*' -ExpectedMessage '*private key*'
    }

    It 'signs in with -CertificateThumbprint from the current user store, and a saved profile keeps the thumbprint, never the key' {
        $pfx = Join-Path $TestDrive 'app.pfx'
        [IO.File]::WriteAllBytes($pfx, $Certificate.Export('Pfx', 'pfx-password'))
        $sandboxJson = $Sandbox | Select-Object * -ExcludeProperty Process | ConvertTo-Json -Compress
        # A child process whose HOME is the test folder, so .NET's CurrentUser/My store on Linux and macOS is a test store.
        $result = Invoke-InFreshPwsh -Environment @{ HOME = (Join-Path $TestDrive 'cert-home'); SANDBOX = $sandboxJson; PFX = $pfx; MLCONNECTOR_HOME = (Join-Path $TestDrive 'cert-mlc') } -ScriptBlock {
            Import-Module (Join-Path $env:MLCONNECTOR_MODULE 'MlConnector.psd1')
            Import-Module (Join-Path $env:MLCONNECTOR_MODULE '../../build/MlSandbox.psm1')
            $sb = $env:SANDBOX | ConvertFrom-Json
            $sb | Add-Member HttpBase ([uri] $sb.adminUrl).GetLeftPart('Authority') -Force
            $bc = Get-SandboxBcParameters $sb
            $certificate = [System.Security.Cryptography.X509Certificates.X509Certificate2]::new($env:PFX, 'pfx-password', 'PersistKeySet, Exportable')
            $store = [System.Security.Cryptography.X509Certificates.X509Store]::new('My', 'CurrentUser')
            $store.Open('ReadWrite'); $store.Add($certificate); $store.Close()
            try {
                $missing = try { Connect-MlBusinessCentral @bc -ClientId $sb.bcClientId -CertificateThumbprint ('AB' * 20) -ErrorAction Stop; $null } catch { $_ }
                Connect-MlBusinessCentral @bc -ClientId $sb.bcClientId -CertificateThumbprint $certificate.Thumbprint.ToLowerInvariant() -SaveProfile cert
                $first = @(Get-BcCustomer).Count
                Disconnect-MlConnection
                Connect-MlBusinessCentral -Profile cert
                [pscustomobject]@{
                    First = $first
                    Again = @(Get-BcCustomer).Count
                    Thumbprint = (Get-MlConnection).CertificateThumbprint
                    Checks = @(Test-MlConnection -Profile cert).Status
                    Profile = Get-Content -Raw (Join-Path $env:MLCONNECTOR_HOME 'profiles/cert.json')
                    MissingId = $missing.FullyQualifiedErrorId
                    MissingMessage = $missing.Exception.Message
                }
            }
            finally {
                $store.Open('ReadWrite'); $store.Remove($certificate); $store.Close()
            }
        }
        $result.First | Should -Be 30
        $result.Again | Should -Be 30
        $result.Thumbprint | Should -Be $Certificate.Thumbprint
        $result.Checks | Should -Not -Contain 'Failed'
        $saved = $result.Profile | ConvertFrom-Json
        $saved.BusinessCentral.ClientCertificateThumbprint | Should -Be $Certificate.Thumbprint
        $saved.BusinessCentral.Vault | Should -BeNullOrEmpty
        $result.Profile | Should -Not -Match 'PRIVATE|MII[A-Za-z0-9+/]{20}'
        $result.MissingId | Should -BeLike 'ConnectMlBusinessCentralCertificateNotFound*'
        $result.MissingMessage | Should -Match 'CurrentUser'
    }

    It 'keeps the client assertion out of every stream' {
        $log = (Connect-MlBusinessCentral @BcParameters -ClientId $Sandbox.bcClientId -ClientCertificate $Certificate -Verbose -Debug -PassThru *>&1 | Out-String -Width 4096)
        $log | Should -Match 'Connected to Business Central'
        $log | Should -Not -Match 'eyJ[A-Za-z0-9_-]{5,}\.'
    }
}

Describe 'Shell habits' {
    It "leaves the caller's variables alone: `$s, `$v and `$n survive -SaveProfile and -Profile, also inside a function" {
        $s = 'my sandbox'; $v = 'my vault note'; $n = 42
        Connect-MlBusinessCentral @BcParameters -ClientId $Sandbox.bcClientId -ClientSecret $BcSecret -Vault TestVault -SecretName bc-scope -SaveProfile scope
        Connect-MlBusinessCentral -Profile scope
        $s | Should -Be 'my sandbox'
        $v | Should -Be 'my vault note'
        $n | Should -Be 42

        function Connect-WithLocalVariable {
            $v = 'local to the function'
            Connect-MlBusinessCentral -Profile scope
            Test-MlConnection -Profile scope | Out-Null
            $v
        }
        Connect-WithLocalVariable | Should -Be 'local to the function'
        (Get-MlConnection).Profile | Should -Be 'scope'
        $v | Should -Be 'my vault note'
        Disconnect-MlConnection
    }

    Context 'argument completion' {
        BeforeAll {
            Connect-MlBusinessCentral @BcParameters -ClientId $Sandbox.bcClientId -ClientSecret $BcSecret -Vault TestVault -SecretName bc-prod -SaveProfile prod-eu
            Connect-MlMarketo @MarketoParameters -ClientId $Sandbox.marketoClientId -ClientSecret $MarketoSecret -Vault TestVault -SecretName mk-prod -SaveProfile prod-us
            Disconnect-MlConnection
        }
        AfterEach { Disconnect-MlConnection }

        It 'completes -Profile with the saved profiles on <_>' -ForEach 'Connect-MlBusinessCentral', 'Connect-MlMarketo', 'Test-MlConnection' {
            $names = (Get-Completion "$_ -Profile prod").CompletionText
            $names | Should -Contain 'prod-eu'
            $names | Should -Contain 'prod-us'
            (Get-Completion "$_ -Profile prod-e").CompletionText | Should -Be 'prod-eu'
        }

        It 'completes -Vault with the registered vaults (Get-SecretVault)' {
            (Get-Completion 'Connect-MlMarketo -Vault ').CompletionText | Should -Be @('OtherVault', 'TestVault')
            (Get-Completion 'Connect-MlBusinessCentral -Vault Te').CompletionText | Should -Be 'TestVault'
        }

        It "completes -Company with the connected environment's companies, quoted, and otherwise with the saved profiles' companies" {
            (Get-Completion 'Connect-MlBusinessCentral -Company ').CompletionText | Should -Be "'$($Sandbox.companyName)'" -Because 'saved profiles name it'
            Connect-MlBusinessCentral @BcParameters -ClientId $Sandbox.bcClientId -ClientSecret $BcSecret
            $offered = Get-Completion 'Connect-MlBusinessCentral -Company CRO'
            $offered.CompletionText | Should -Be "'$($Sandbox.companyName)'"
            $offered.ToolTip | Should -Match $Sandbox.companyId
        }

        It 'completes enum and set parameters as before: <Line>' -ForEach @(
            @{ Line = 'Invoke-MlSync -RefreshFinancials '; Expected = 'Daily', 'Always', 'Never' }
            @{ Line = 'Get-MlAuditLog -Action '; Expected = 'Created', 'Updated', 'Unchanged', 'Skipped', 'Failed', 'Deleted', 'Cleared' }
            @{ Line = 'Disconnect-MlConnection -Service '; Expected = 'BusinessCentral', 'Marketo', 'StateStore', 'All' }
        ) {
            ((Get-Completion $Line).CompletionText | Sort-Object) | Should -Be ($Expected | Sort-Object)
        }
    }

    Context 'default views' {
        BeforeAll { Connect-MlBusinessCentral @BcParameters -ClientId $Sandbox.bcClientId -ClientSecret $BcSecret }
        AfterAll { Disconnect-MlConnection }

        It 'shows Balance in the customer table when financial details were read, and not otherwise' {
            $customer = Get-BcCustomer -Number C00002 -IncludeFinancialDetails
            $table = $customer | Format-Table | Out-String -Width 250
            ($table -split "`n" | Where-Object { $_ -match '^Number' }) | Should -Match '\bBalance\b'
            $table | Should -Match ([regex]::Escape($customer.Balance.ToString('N2')))
            $customer.GetType().Name | Should -Be 'BcCustomer' -Because 'the row stays a BcCustomer for the pipeline and Export-Csv'

            $plain = Get-BcCustomer -Number C00002 | Format-Table | Out-String -Width 250
            $plain | Should -Not -Match '\bBalance\b'
        }

        It 'keys every view in MlConnector.format.ps1xml on a type the loaded module and engine define' {
            Get-MlModuleInfo | Out-Null # the engine is loaded on first use
            [xml] $formats = Get-Content -Raw (Join-Path (Split-Path (Get-MlModulePath)) 'MlConnector.format.ps1xml')
            $names = @($formats.Configuration.ViewDefinitions.View.ViewSelectedBy.TypeName)
            $names.Count | Should -BeGreaterThan 10
            $assemblies = [AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -in 'MlConnector', 'MlConnector.Engine' }
            foreach ($name in $names) {
                $typeName = ($name -split '#')[0] # "Type#Variant" names tag rows of that type for another view
                $type = $assemblies | ForEach-Object { $_.GetType($typeName) } | Where-Object { $_ } | Select-Object -First 1
                $type | Should -Not -BeNullOrEmpty -Because "the view for '$name' needs the type '$typeName' to exist"
            }
        }
    }

    It "makes the README's first example show something on the sandbox: customers changed since yesterday" {
        Connect-MlBusinessCentral @BcParameters -ClientId $Sandbox.bcClientId -ClientSecret $BcSecret
        try {
            $recent = @(Get-BcCustomer -ModifiedSince (Get-Date).AddDays(-1))
            $recent.Count | Should -Be 3 -Because 'the sandbox seeds one customer in ten (at most five) as changed in the last hours'
            @(Get-BcContact -ModifiedSince (Get-Date).AddDays(-1)).Count | Should -BeGreaterThan 0
        }
        finally { Disconnect-MlConnection }
    }
}
