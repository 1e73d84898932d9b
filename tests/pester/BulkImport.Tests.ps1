# Bulk Lead Import at the console: Invoke-MlSync -BulkImport sends the leads as import files once the threshold is
# reached (companies by REST first), and by REST below it; Connect-MlMarketo -BulkImportPollSeconds sets the polling.
# MLCONNECTOR_HOME is under $TestDrive.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'SandboxHelpers.psm1') -Force
    $env:MLCONNECTOR_HOME = Join-Path $TestDrive 'home'
    Import-Module (Get-MlModulePath) -Force

    $script:Sandbox = Start-MlSandbox -Customers 12
    Invoke-SandboxAdmin $Sandbox 'marketo/switches' @{ bulkImportRowsPerSecond = 5000 } | Out-Null
    Connect-MlSandbox $Sandbox
    $marketo = Get-SandboxMarketoParameters $Sandbox
    Connect-MlMarketo @marketo -ClientId $Sandbox.marketoClientId -ClientSecret (ConvertTo-SecureText $Sandbox.marketoClientSecret) -BulkImportPollSeconds 0.05

    function script:Get-MarketoJournal { @((Invoke-RestMethod ($Sandbox.adminUrl.TrimEnd('/') + '/journal')) | ForEach-Object { $_ } | Where-Object service -EQ 2) }
}

AfterAll {
    Disconnect-MlConnection -ErrorAction SilentlyContinue
    Stop-MlSandbox $Sandbox
    Remove-Module MlConnector -Force -ErrorAction SilentlyContinue
    Remove-Item Env:MLCONNECTOR_HOME -ErrorAction SilentlyContinue
}

Describe 'Invoke-MlSync -BulkImport' {
    It 'sends the leads as import files once the threshold is reached, companies by REST, and every lead is audited' {
        $results = @(Invoke-MlSync -BulkImport -BulkImportThreshold 1 -PassThru)
        $summary = $results[-1]
        $summary.Pending | Should -Be 0
        $summary.Failed | Should -Be 0
        $leads = @($results | Where-Object { $_.PSObject.Properties['TargetType'] -and $_.TargetType -eq 'Lead' -and $_.Action -eq 'Created' })
        $leads.Count | Should -BeGreaterThan 0
        $leads | ForEach-Object { $_.RequestId | Should -BeLike 'bulk:*' }
        $journal = Get-MarketoJournal
        @($journal | Where-Object { $_.method -eq 'POST' -and $_.path -like '/bulk/v1/leads.json*' }).Count | Should -BeGreaterThan 0
        @($journal | Where-Object { $_.method -eq 'POST' -and $_.path -like '/rest/v1/leads.json*' -and $_.path -notlike '*_method=GET*' }).Count | Should -Be 0
        $audited = @(Get-MlAuditLog -CorrelationId $summary.CorrelationId | Where-Object { $_.TargetType -eq 'Lead' -and $_.Action -eq 'Created' })
        $audited.Count | Should -Be $leads.Count
    }

    It 'goes by REST below the threshold (a resync of the same contacts, default threshold 20000)' {
        $summary = Invoke-MlSync -BulkImport -Resync
        $summary.Pending | Should -Be 0
        $journal = Get-MarketoJournal
        @($journal | Where-Object { $_.method -eq 'POST' -and $_.path -like '/rest/v1/leads.json*' -and $_.path -notlike '*_method=GET*' }).Count | Should -BeGreaterThan 0
    }
}
