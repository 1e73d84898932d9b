# The sample Azure Automation runbook (examples/Invoke-MlSyncRunbook.ps1) parses and calls only cmdlets
# the module exports, with parameters those cmdlets have: a rename in the module breaks this test, not a
# customer's job. (Running it against the sandbox and Azurite comes with the table state store.)
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:Runbook = Join-Path (Get-RepositoryRoot) 'examples/Invoke-MlSyncRunbook.ps1'
    $tokens = $null
    $script:ParseErrors = $null
    $script:Ast = [System.Management.Automation.Language.Parser]::ParseFile($Runbook, [ref] $tokens, [ref] $script:ParseErrors)
    $script:Module = Import-Module (Get-MlModulePath) -PassThru -Force
}

AfterAll {
    Remove-Module MlConnector -ErrorAction SilentlyContinue
}

Describe 'The sample runbook' {
    It 'parses without errors and has comment-based help' {
        $ParseErrors | Should -BeNullOrEmpty
        (Get-Help $Runbook).Synopsis | Should -Match 'Azure Automation runbook'
    }

    It 'calls MlConnector cmdlets that exist, with parameters they have' {
        $calls = @($Ast.FindAll({ param($node) $node -is [System.Management.Automation.Language.CommandAst] }, $true) |
            Where-Object { $_.GetCommandName() -match '-(Ml|Bc)' })
        $calls.Count | Should -BeGreaterThan 3
        foreach ($call in $calls) {
            $name = $call.GetCommandName()
            $Module.ExportedCmdlets.Keys | Should -Contain $name
            $parameters = (Get-Command $name).Parameters.Keys
            foreach ($parameter in $call.CommandElements | Where-Object { $_ -is [System.Management.Automation.Language.CommandParameterAst] }) {
                $parameters | Should -Contain $parameter.ParameterName -Because "$name is called with -$($parameter.ParameterName)"
            }
        }
    }
}
