# Issue 10, cmdlet half: endpoints off the vendors' lists (-AllowUntrustedEndpoint, also from a profile), damaged
# audit lines named by Get-MlAuditLog, and -EscapeFormula for output meant for a spreadsheet. No sandbox needed:
# the off-list host is this machine by its host name, and the audit trail is written by hand under $TestDrive.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:OriginalModulePath = $env:PSModulePath
    $env:PSModulePath = (Join-Path $PSScriptRoot 'TestModules') + [IO.Path]::PathSeparator + $env:PSModulePath
    $env:MLCONNECTOR_HOME = Join-Path $TestDrive 'home'
    $env:MLCONNECTOR_TEST_VAULT_FILE = Join-Path $TestDrive 'vault.json'
    $env:MLCONNECTOR_TEST_VAULTS = 'TestVault'
    Import-Module (Get-MlModulePath) -Force

    $script:Secret = ConvertTo-SecureString 'hardening-test-secret-0123456789' -AsPlainText -Force
    # Nothing listens on port 1; the policy must decide before anything is tried.
    $script:OffList = 'https://{0}:1/' -f [Net.Dns]::GetHostName()
    $script:Formula = "=cmd|'/Ccalc'!A0"

    function script:Write-AuditLine([string] $Folder, [string[]] $Line) {
        New-Item -ItemType Directory -Force -Path $Folder | Out-Null
        $file = Join-Path $Folder 'audit-2026-11-26.jsonl'
        Add-Content -Path $file -Value $Line
        return $file
    }

    function script:New-AuditJson([string] $Number, [string] $Reason) {
        [ordered]@{
            time = '2026-11-26T08:00:00+00:00'; correlationId = 'run-1'; direction = 'BcToMarketo'; sourceType = 'Customer'
            sourceNumber = $Number; targetType = 'Company'; targetKey = $Number; action = 'Skipped'; reason = $Reason; changedFields = @('company')
        } | ConvertTo-Json -Compress
    }
}

AfterAll {
    Disconnect-MlConnection -ErrorAction SilentlyContinue
    Remove-Module MlConnector -Force -ErrorAction SilentlyContinue
    $env:PSModulePath = $OriginalModulePath
    Remove-Item Env:MLCONNECTOR_HOME, Env:MLCONNECTOR_TEST_VAULT_FILE, Env:MLCONNECTOR_TEST_VAULTS -ErrorAction SilentlyContinue
}

Describe 'Endpoints a secret may go to' {
    It 'refuses an off-list Marketo host with a stable id before any call' {
        { Connect-MlMarketo -MunchkinId 123-ABC-456 -BaseUri $OffList -ClientId c -ClientSecret $Secret -ErrorAction Stop } |
            Should -Throw -ErrorId 'ConnectMlMarketoUntrustedEndpoint*' -ExpectedMessage '*123-abc-456.mktorest.com*-AllowUntrustedEndpoint*'
    }

    It 'refuses an off-list Business Central host with a stable id before any call' {
        { Connect-MlBusinessCentral -TenantId t -Environment Production -Company CRONUS -BaseUri $OffList -ClientId c -ClientSecret $Secret -ErrorAction Stop } |
            Should -Throw -ErrorId 'ConnectMlBusinessCentralUntrustedEndpoint*' -ExpectedMessage '*api.businesscentral.dynamics.com*'
    }

    It 'with -AllowUntrustedEndpoint warns, naming the host, before it connects' {
        # -WarningAction Stop ends the connect at the warning, which comes before the first call.
        { Connect-MlMarketo -MunchkinId 123-ABC-456 -BaseUri $OffList -ClientId c -ClientSecret $Secret -AllowUntrustedEndpoint -WarningAction Stop } |
            Should -Throw -ExpectedMessage "*AllowUntrustedEndpoint*$([Net.Dns]::GetHostName())*"
        { Connect-MlBusinessCentral -TenantId t -Environment Production -Company CRONUS -BaseUri $OffList -ClientId c -ClientSecret $Secret -AllowUntrustedEndpoint -WarningAction Stop } |
            Should -Throw -ExpectedMessage '*AllowUntrustedEndpoint*base URI*'
    }

    It 'keeps the opt-in in a profile and warns on every reconnect from it' {
        Set-Secret -Name mk-offlist -Vault TestVault -Secret $Secret
        $profiles = Join-Path $env:MLCONNECTOR_HOME 'profiles'
        New-Item -ItemType Directory -Force -Path $profiles | Out-Null
        foreach ($name in 'optin', 'plain') {
            @{ Name = $name; Marketo = @{ MunchkinId = '123-ABC-456'; ClientId = 'c'; BaseUri = $OffList; Vault = 'TestVault'; SecretName = 'mk-offlist'; AllowUntrustedEndpoint = ($name -eq 'optin') } } |
                ConvertTo-Json | Set-Content (Join-Path $profiles "$name.json")
        }
        foreach ($attempt in 1..2) {
            { Connect-MlMarketo -Profile optin -WarningAction Stop } | Should -Throw -ExpectedMessage '*AllowUntrustedEndpoint*'
        }
        { Connect-MlMarketo -Profile plain -ErrorAction Stop } | Should -Throw -ErrorId 'ConnectMlMarketoUntrustedEndpoint*'
    }
}

Describe 'Get-MlAuditLog and damaged lines' {
    It 'warns with the file and the numbers of the lines it could not read, and returns the rest' {
        $folder = Join-Path $TestDrive 'audit-damaged'
        $file = Write-AuditLine $folder @((New-AuditJson 'C1' 'A'), '{"time":"2026-11-26T08:00:00+00:00","correl', (New-AuditJson 'C2' 'B'), 'garbage')
        $rows = @(Get-MlAuditLog -AuditPath $folder -WarningVariable warnings -WarningAction SilentlyContinue)
        $rows.SourceNumber | Should -Be @('C1', 'C2')
        $warnings.Count | Should -Be 1
        "$($warnings[0])" | Should -BeLike "*$(Split-Path $file -Leaf)*lines 2, 4*"
    }
}

Describe '-EscapeFormula for output meant for a spreadsheet' {
    It 'makes a formula-leading customer number open as text in the exported CSV, and keeps it exact without the switch' {
        $customer = [pscustomobject]@{ Number = $Formula; DisplayName = '@SUM(1+1)'; City = 'Oslo'; Email = 'ap@example.test' }
        ($customer | ConvertTo-MlMarketoCompany).externalCompanyId | Should -Be $Formula

        $csv = Join-Path $TestDrive 'companies.csv'
        $customer | ConvertTo-MlMarketoCompany -EscapeFormula | Export-Csv $csv
        $cells = Import-Csv $csv
        $cells.externalCompanyId | Should -BeExactly "'$Formula"
        $cells.SourceNumber | Should -BeExactly "'$Formula"
        $cells.company | Should -BeExactly "'@SUM(1+1)"
        $cells.billingCity | Should -BeExactly 'Oslo'
        # In the file itself the cell's first character is the quote a spreadsheet reads as "text".
        (Get-Content $csv)[1] | Should -BeLike "`"'=cmd|'/Ccalc'!A0`",*"
    }

    It 'escapes lead rows the same way' {
        $contact = [pscustomobject]@{ Number = 'CT1'; Type = 'Person'; FirstName = '+SUM(1)'; LastName = '-2+3'; Email = 'ann@example.test'; CustomerNumber = 'C1' }
        $row = $contact | ConvertTo-MlMarketoLead -EscapeFormula
        $row.firstName | Should -BeExactly "'+SUM(1)"
        $row.lastName | Should -BeExactly "'-2+3"
        $row.email | Should -BeExactly 'ann@example.test'
    }

    It 'makes a formula-leading audit value open as text, and keeps it exact without the switch' {
        $folder = Join-Path $TestDrive 'audit-formula'
        Write-AuditLine $folder (New-AuditJson $Formula '=HYPERLINK("http://example.test")') | Out-Null
        (Get-MlAuditLog -AuditPath $folder).SourceNumber | Should -BeExactly $Formula

        $csv = Join-Path $TestDrive 'audit.csv'
        Get-MlAuditLog -AuditPath $folder -EscapeFormula | Export-Csv $csv
        $row = Import-Csv $csv
        $row.SourceNumber | Should -BeExactly "'$Formula"
        $row.TargetKey | Should -BeExactly "'$Formula"
        $row.Reason | Should -BeExactly "'=HYPERLINK(`"http://example.test`")"
        (Get-Content $csv)[1] | Should -BeLike "*,`"'=cmd*"
    }
}
