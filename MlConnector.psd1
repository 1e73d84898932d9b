#
# Module manifest for MlConnector. ModuleVersion is stamped by build.ps1 from MlConnectorVersion
# in Directory.Build.props (the one version source); out/MlConnector/MlConnector.psd1 is the built copy.
#
@{
    RootModule           = 'MlConnector.dll'
    ModuleVersion        = '{{ModuleVersion}}'
    CompatiblePSEditions = @('Core')
    GUID                 = '6f1b7a0e-3c55-4c8e-9a57-2f0d5d3e8b41'
    Author               = 'MlConnector'
    CompanyName          = 'MlConnector'
    Copyright            = '(c) MlConnector. All rights reserved.'
    Description          = 'Keeps Microsoft Dynamics 365 Business Central customers and contacts in step with Adobe Marketo Companies and Leads.'
    PowerShellVersion    = '7.4'
    FormatsToProcess     = @('MlConnector.format.ps1xml')
    CmdletsToExport      = @(
        'Clear-MlParkedRecord'
        'Connect-MlBusinessCentral'
        'Connect-MlMarketo'
        'Connect-MlStateStore'
        'ConvertTo-MlMarketoCompany'
        'ConvertTo-MlMarketoLead'
        'Copy-MlState'
        'Disconnect-MlConnection'
        'Get-BcContact'
        'Get-BcCustomer'
        'Get-BcSubscription'
        'Get-MlAuditLog'
        'Get-MlConnection'
        'Get-MlModuleInfo'
        'Get-MlParkedRecord'
        'Get-MlSyncState'
        'Initialize-MlStateStore'
        'Invoke-MlReplay'
        'Invoke-MlSync'
        'Receive-BcNotification'
        'Receive-MlMarketoLeads'
        'Register-BcSubscription'
        'Start-MlNotificationListener'
        'Stop-MlNotificationListener'
        'Sync-MlCustomerToMarketo'
        'Sync-MlLeadToBusinessCentral'
        'Test-MlConnection'
        'Unregister-BcSubscription'
        'Update-BcSubscription'
    )
    FunctionsToExport    = @()
    VariablesToExport    = @()
    AliasesToExport      = @()
    PrivateData          = @{
        PSData = @{
            Tags       = @('BusinessCentral', 'Dynamics365', 'Marketo', 'Integration', 'Sync', 'PSEdition_Core', 'Windows', 'Linux', 'MacOS')
            ProjectUri = 'https://example.invalid/mlconnector'
        }
    }
}
