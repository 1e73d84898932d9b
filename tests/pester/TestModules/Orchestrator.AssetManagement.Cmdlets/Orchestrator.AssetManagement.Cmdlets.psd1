# TEST STAND-IN — not Azure Automation's module. Inside an Automation job, Get-AutomationPSCredential and
# Get-AutomationVariable come from Automation's internal module of this name; outside a job they do not exist.
# This stand-in gives the sample runbook the same two commands in the MlConnector test suite, answering from the
# JSON file named by $env:MLCONNECTOR_TEST_AUTOMATION_ASSETS (test data only, in the test's temp folder).
@{
    RootModule        = 'Orchestrator.AssetManagement.Cmdlets.psm1'
    ModuleVersion     = '1.0.0'
    GUID              = '2f4b7c1e-6a3d-4e58-9b21-7c0d5e8f1a36'
    Author            = 'MlConnector tests'
    Description       = 'TEST STAND-IN for Azure Automation''s internal asset commands (Get-AutomationPSCredential, Get-AutomationVariable) in the MlConnector test suite.'
    PowerShellVersion = '7.4'
    FunctionsToExport = @('Get-AutomationPSCredential', 'Get-AutomationVariable')
    CmdletsToExport   = @()
    VariablesToExport = @()
    AliasesToExport   = @()
}
