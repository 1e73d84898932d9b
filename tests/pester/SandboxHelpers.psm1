# The Pester suite starts and drives the sandbox with the same helpers as build.ps1 Sandbox.
Import-Module (Join-Path $PSScriptRoot '../../build/MlSandbox.psm1') -Force -Global
Export-ModuleMember
