# MlConnector must coexist with other modules that carry their own Microsoft.Identity.Client
# (Az.Accounts, Microsoft.Graph), whichever loads first. Load contexts are per process, so each
# order runs in a fresh pwsh. OtherMsalConsumer (tests/fixtures) stands in for such a module,
# built against MSAL 4.61.3.
BeforeDiscovery {
    $script:Orders = @('OtherFirst', 'MlConnectorFirst')
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:Fixture = Join-Path (Get-RepositoryRoot) 'out/test-fixtures/OtherMsalConsumer'
}

Describe 'Microsoft.Identity.Client isolation' {
    It 'keeps both MSAL versions working when loaded <_>' -ForEach $Orders {
        $result = Invoke-InFreshPwsh -Environment @{ MLC_FIXTURE = $Fixture; MLC_ORDER = $_ } -ScriptBlock {
            $loadOther = {
                Add-Type -Path (Join-Path $env:MLC_FIXTURE 'Microsoft.IdentityModel.Abstractions.dll')
                Add-Type -Path (Join-Path $env:MLC_FIXTURE 'Microsoft.Identity.Client.dll')
                Add-Type -Path (Join-Path $env:MLC_FIXTURE 'OtherMsalConsumer.dll')
                [OtherMsalConsumer.OtherModuleProbe]::MsalVersion()
            }
            $loadOurs = {
                Import-Module (Join-Path $env:MLCONNECTOR_MODULE 'MlConnector.psd1') -ErrorAction Stop
                Get-MlModuleInfo
            }
            if ($env:MLC_ORDER -eq 'OtherFirst') {
                $other = & $loadOther
                $ours = & $loadOurs
            }
            else {
                $ours = & $loadOurs
                $other = & $loadOther
            }
            [pscustomobject]@{
                OtherMsal        = $other
                OtherLoadContext = [OtherMsalConsumer.OtherModuleProbe]::MsalLoadContext()
                OurMsal          = $ours.MsalVersion
                OurLoadContext   = $ours.MsalLoadContext
                EngineContext    = $ours.LoadContext
                Errors           = $Error.Count
            }
        }
        $result.OtherMsal | Should -Match '^4\.61\.3'
        $result.OtherLoadContext | Should -Be 'Default'
        $result.OurMsal | Should -Match '^4\.92\.'
        $result.OurLoadContext | Should -Be 'MlConnector'
        $result.EngineContext | Should -Be 'MlConnector'
        $result.Errors | Should -Be 0
    }
}
