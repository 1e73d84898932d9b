# TEST STAND-IN for Azure Automation's internal asset commands (see the manifest). Assets come from the JSON file
# named by $env:MLCONNECTOR_TEST_AUTOMATION_ASSETS:
#   { "credentials": { "<name>": { "userName": "...", "password": "..." } }, "variables": { "<name>": <value> } }
# A missing asset is an error, as in a job.

function Read-TestAssets {
    if (-not $env:MLCONNECTOR_TEST_AUTOMATION_ASSETS) { throw 'MLCONNECTOR_TEST_AUTOMATION_ASSETS is not set (the Automation stand-in of the tests).' }
    Get-Content -Raw $env:MLCONNECTOR_TEST_AUTOMATION_ASSETS | ConvertFrom-Json -AsHashtable
}

function Get-AutomationPSCredential {
    [CmdletBinding()]
    [OutputType([pscredential])]
    param([Parameter(Mandatory)] [string] $Name)
    $asset = (Read-TestAssets).credentials[$Name]
    if (-not $asset) { throw "Credential asset '$Name' was not found (test stand-in)." }
    [pscredential]::new($asset.userName, (ConvertTo-SecureString -String $asset.password -AsPlainText -Force))
}

function Get-AutomationVariable {
    [CmdletBinding()]
    param([Parameter(Mandatory)] [string] $Name)
    $variables = (Read-TestAssets).variables
    if (-not $variables -or -not $variables.ContainsKey($Name)) { throw "Variable asset '$Name' was not found (test stand-in)." }
    $variables[$Name]
}

Export-ModuleMember -Function Get-AutomationPSCredential, Get-AutomationVariable
