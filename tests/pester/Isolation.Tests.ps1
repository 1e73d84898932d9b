# MlConnector must coexist with other modules that carry their own Microsoft.Identity.Client and
# Azure.Core (Az.Accounts, Microsoft.Graph), whichever loads first. Load contexts are per process, so
# each order runs in a fresh pwsh. OtherMsalConsumer (tests/fixtures) stands in for such a module,
# built against MSAL 4.61.3 and Azure.Core 1.38.0. The engine's Azure.Data.Tables client does a real
# request (against Azurite) with the other Azure.Core loaded, to show the private copies work, not only load.
BeforeDiscovery {
    $script:Orders = @('OtherFirst', 'MlConnectorFirst')
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Join-Path (Get-RepositoryRoot) 'build/Azurite.psm1') -Force
    $script:Fixture = Join-Path (Get-RepositoryRoot) 'out/test-fixtures/OtherMsalConsumer'
    $script:Azurite = Start-Azurite
}

AfterAll {
    if ($script:Azurite) { Stop-Azurite $script:Azurite }
}

Describe 'Microsoft.Identity.Client and Azure.Core isolation' {
    It 'keeps both MSAL and both Azure.Core versions working when loaded <_>' -ForEach $Orders {
        $environment = @{ MLC_FIXTURE = $Fixture; MLC_ORDER = $_; MLC_AZURITE = $Azurite.ConnectionString }
        $result = Invoke-InFreshPwsh -Environment $environment -ScriptBlock {
            $loadOther = {
                foreach ($file in 'Microsoft.IdentityModel.Abstractions', 'Microsoft.Identity.Client', 'Microsoft.Bcl.AsyncInterfaces',
                    'System.Memory.Data', 'System.ClientModel', 'Azure.Core', 'OtherMsalConsumer') {
                    Add-Type -Path (Join-Path $env:MLC_FIXTURE "$file.dll")
                }
                [pscustomobject]@{ Msal = [OtherMsalConsumer.OtherModuleProbe]::MsalVersion(); AzureCore = [OtherMsalConsumer.OtherModuleProbe]::AzureCoreVersion() }
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
            # The engine's table client, from its private load context, creates a table in Azurite.
            $engine = [AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -eq 'MlConnector.Engine' }
            $factory = $engine.GetType('MlConnector.Engine.Cloud.TableServiceFactory', $true)
            $table = 'isolation' + $env:MLC_ORDER.ToLowerInvariant()
            $client = $factory::FromConnectionString($env:MLC_AZURITE, $table)
            $created = $client.CreateIfNotExists().Value.Name
            [pscustomobject]@{
                OtherMsal             = $other.Msal
                OtherLoadContext      = [OtherMsalConsumer.OtherModuleProbe]::MsalLoadContext()
                OtherAzureCore        = $other.AzureCore
                OtherAzureCoreContext = [OtherMsalConsumer.OtherModuleProbe]::AzureCoreLoadContext()
                OurMsal               = $ours.MsalVersion
                OurLoadContext        = $ours.MsalLoadContext
                EngineContext         = $ours.LoadContext
                OurAzureCore          = $ours.AzureCoreVersion
                OurAzureCoreContext   = $ours.AzureCoreLoadContext
                OurTables             = $ours.AzureTablesVersion
                TableCreated          = $created
                Errors                = $Error.Count
            }
        }
        $result.OtherMsal | Should -Match '^4\.61\.3'
        $result.OtherLoadContext | Should -Be 'Default'
        $result.OtherAzureCore | Should -Be '1.38.0'
        $result.OtherAzureCoreContext | Should -Be 'Default'
        $result.OurMsal | Should -Match '^4\.92\.'
        $result.OurLoadContext | Should -Be 'MlConnector'
        $result.EngineContext | Should -Be 'MlConnector'
        $result.OurAzureCore | Should -Not -Be '1.38.0'
        $result.OurAzureCoreContext | Should -Be 'MlConnector'
        $result.OurTables | Should -Match '^12\.13\.'
        $result.TableCreated | Should -Be ('isolation' + $_.ToLowerInvariant())
        $result.Errors | Should -Be 0
    }
}
