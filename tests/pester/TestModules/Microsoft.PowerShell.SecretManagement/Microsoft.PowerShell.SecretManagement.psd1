# TEST DOUBLE — not the real Microsoft.PowerShell.SecretManagement. It exists only so the MlConnector tests
# can exercise -Vault and connection profiles where the real module cannot be installed. Same command names
# and parameters as the real module; secrets persist (unencrypted, test data only) to the JSON file named by
# $env:MLCONNECTOR_TEST_VAULT_FILE, which the tests put in their temp folder.
@{
    RootModule        = 'Microsoft.PowerShell.SecretManagement.psm1'
    ModuleVersion     = '1.1.2'
    GUID              = 'a5c858f6-4a8e-41f1-b1ee-0e8f8b6b8d11'
    Author            = 'MlConnector tests'
    Description       = 'Test double of Microsoft.PowerShell.SecretManagement for the MlConnector test suite.'
    PowerShellVersion = '7.4'
    FunctionsToExport = @('Get-Secret', 'Set-Secret', 'Get-SecretInfo', 'Get-SecretVault')
    CmdletsToExport   = @()
    VariablesToExport = @()
    AliasesToExport   = @()
}
