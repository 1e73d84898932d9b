# Help ships with the module: every exported cmdlet has a page in docs/cmdlets, and Get-Help on the
# built module shows it with a real synopsis, a working example and parameters that agree with the
# cmdlet's signature (names, types, aliases, pipeline input, and per parameter set: required, position).
# The cases are generated from what the built module exports, so a new cmdlet without a page fails here.
BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $module = Import-Module (Get-MlModulePath) -PassThru -Force
    $script:CmdletNames = @($module.ExportedCmdlets.Keys | Sort-Object)
    Remove-Module MlConnector -Force
    $script:PageNames = @(Get-ChildItem (Join-Path (Get-RepositoryRoot) 'docs/cmdlets') -Filter *.md -File -ErrorAction SilentlyContinue |
            Where-Object Name -NE 'README.md' | ForEach-Object BaseName | Sort-Object)
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:Module = Import-Module (Get-MlModulePath) -PassThru -Force
    $script:DocsRoot = Join-Path (Get-RepositoryRoot) 'docs'

    # The parameters help must document: everything but the common parameters. WhatIf and Confirm
    # are part of the signature exactly when the cmdlet supports ShouldProcess, so they stay in.
    function Get-DocumentableParameter([System.Management.Automation.CommandInfo] $Command) {
        $common = [System.Management.Automation.Cmdlet]::CommonParameters + @('UseTransaction')
        $Command.Parameters.Values | Where-Object { $_.Name -notin $common }
    }

    function Get-HelpParameter($Help) {
        @($Help.parameters.parameter | Where-Object { $_ -and $_.name })
    }

    function Test-TypeName([string] $Documented, [type] $Actual) {
        $names = @($Actual.Name, $Actual.FullName)
        $underlying = [Nullable]::GetUnderlyingType($Actual)
        if ($underlying) { $names += $underlying.Name, $underlying.FullName, "Nullable[$($underlying.Name)]" }
        return $Documented -in $names
    }

    function Get-ExpectedPipelineInput([System.Management.Automation.ParameterMetadata] $Parameter) {
        $byValue = $Parameter.ParameterSets.Values.ValueFromPipeline -contains $true
        $byName = $Parameter.ParameterSets.Values.ValueFromPipelineByPropertyName -contains $true
        $kinds = @(if ($byValue) { 'ByValue' }; if ($byName) { 'ByPropertyName' })
        if ($kinds.Count -eq 0) { return 'False' }
        return "True ($($kinds -join ', '))"
    }
}

AfterAll { Remove-Module MlConnector -Force -ErrorAction SilentlyContinue }

Describe 'Help pages and exported cmdlets' {
    It 'exports at least one cmdlet' {
        $CmdletNames.Count | Should -BeGreaterThan 0
    }

    It 'has a page docs/cmdlets/<_>.md for the exported cmdlet <_>' -ForEach $CmdletNames {
        Join-Path $DocsRoot "cmdlets/$_.md" | Should -Exist -Because 'every exported cmdlet needs a help page (see docs/README.md, "Writing a help page")'
    }

    It 'documents in docs/cmdlets/<_>.md a cmdlet the module exports' -ForEach $PageNames {
        $Module.ExportedCmdlets.Keys | Should -Contain $_ -Because 'a page must not describe a cmdlet the module does not ship'
    }
}

Describe 'Get-Help <_>' -ForEach $CmdletNames {
    BeforeAll {
        $name = $_
        $command = Get-Command $name -Module MlConnector
        $help = Get-Help $name -Full -ErrorAction Stop
    }

    It 'shows the written synopsis, not the generated stub' {
        $synopsis = "$($help.Synopsis)".Trim()
        $synopsis | Should -Not -BeNullOrEmpty
        $synopsis | Should -Not -BeLike "$name*" -Because 'Get-Help falls back to the syntax line when no help file is found'
        $synopsis | Should -Not -Match '\[<CommonParameters>\]'
    }

    It 'has a description' {
        (@($help.description.Text) -join '').Trim() | Should -Not -BeNullOrEmpty
    }

    It 'has at least one example with code' {
        $codes = @($help.examples.example | Where-Object { $_ -and "$($_.code)".Trim() })
        $codes.Count | Should -BeGreaterThan 0
    }

    It 'shows its examples under Get-Help -Examples' {
        (Get-Help $name -Examples | Out-String) | Should -Match 'Example 1'
    }

    It 'documents every parameter of the cmdlet' {
        $documented = (Get-HelpParameter $help).name
        foreach ($parameter in Get-DocumentableParameter $command) {
            $documented | Should -Contain $parameter.Name -Because "-$($parameter.Name) is a parameter of $name"
        }
    }

    It 'documents no parameter the cmdlet does not have' {
        $actual = (Get-DocumentableParameter $command).Name
        foreach ($documented in Get-HelpParameter $help) {
            $actual | Should -Contain $documented.name -Because "help documents -$($documented.name)"
        }
    }

    It 'agrees with the cmdlet on each parameter''s type, aliases and pipeline input' {
        foreach ($documented in Get-HelpParameter $help) {
            $parameter = $command.Parameters[$documented.name]
            if (-not $parameter) { continue }   # reported by the test above
            $typeName = "$($documented.type.name)"
            Test-TypeName $typeName $parameter.ParameterType | Should -BeTrue -Because "-$($parameter.Name) is a $($parameter.ParameterType.Name), help says '$typeName'"
            $aliases = @("$($documented.aliases)".Split(',') | ForEach-Object Trim | Where-Object { $_ -and $_ -ne 'none' } | Sort-Object)
            ($aliases -join ',') | Should -Be ((@($parameter.Aliases) | Sort-Object) -join ',') -Because "the aliases of -$($parameter.Name)"
            "$($documented.pipelineInput)" | Should -Be (Get-ExpectedPipelineInput $parameter) -Because "the pipeline input of -$($parameter.Name)"
        }
    }

    It 'has one syntax entry per parameter set, with the same parameters, required flags and positions' {
        $common = [System.Management.Automation.Cmdlet]::CommonParameters + @('UseTransaction')
        $items = @($help.syntax.syntaxItem | Where-Object { $_ })
        $items.Count | Should -Be $command.ParameterSets.Count -Because 'help shows one syntax per parameter set'
        foreach ($set in $command.ParameterSets) {
            $expected = @($set.Parameters | Where-Object Name -NotIn $common)
            $expectedNames = ($expected.Name | Sort-Object) -join ','
            $match = $items | Where-Object { (@($_.parameter | Where-Object { $_ -and $_.name }).name | Sort-Object) -join ',' -eq $expectedNames } | Select-Object -First 1
            $match | Should -Not -BeNullOrEmpty -Because "parameter set '$($set.Name)' has the parameters [$expectedNames]"
            foreach ($parameter in $expected) {
                $shown = $match.parameter | Where-Object name -EQ $parameter.Name
                "$($shown.required)" | Should -Be "$($parameter.IsMandatory)".ToLowerInvariant() -Because "-$($parameter.Name) in set '$($set.Name)' is mandatory: $($parameter.IsMandatory)"
                $position = if ($parameter.Position -lt 0) { 'named' } else { "$($parameter.Position)" }
                "$($shown.position)" | Should -Be $position -Because "the position of -$($parameter.Name) in set '$($set.Name)'"
            }
        }
    }
}

Describe 'about_MlConnector' {
    It 'is shown by Get-Help about_MlConnector' {
        $text = Get-Help about_MlConnector -ErrorAction Stop | Out-String
        $text | Should -Match 'about_MlConnector'
        $text | Should -Match 'SHORT DESCRIPTION'
        $text | Should -Match 'LONG DESCRIPTION'
    }

    It 'ships as en-US/about_MlConnector.help.txt in the built module' {
        Join-Path $env:MLCONNECTOR_MODULE 'en-US/about_MlConnector.help.txt' | Should -Exist
    }
}

Describe 'build/ConvertTo-MamlHelp.ps1' {
    BeforeAll {
        $script:Converter = Join-Path (Get-RepositoryRoot) 'build/ConvertTo-MamlHelp.ps1'
        function New-Page([string] $Folder, [string] $Body) {
            New-Item -ItemType Directory -Force $Folder | Out-Null
            Set-Content -Path (Join-Path $Folder 'Test-MlThing.md') -Value $Body
        }
        $script:ValidPage = @'
---
external help file: MlConnector.dll-Help.xml
Module Name: MlConnector
---

# Test-MlThing

## SYNOPSIS
Compares <a> & "b" for 'c'.

## SYNTAX

### ByName (Default)
```
Test-MlThing [-Name] <String> [<CommonParameters>]
```

### ById
```
Test-MlThing -Id <Int32> [-Force] [<CommonParameters>]
```

## DESCRIPTION
Text with `code`, **bold** and a [link](https://example.invalid/x?a=1&b=2).

## EXAMPLES

### Example 1: Escape <everything> & more
```powershell
Test-MlThing -Name '<x>' | Where-Object { $_ -and $true }
```

Remarks.

## PARAMETERS

### -Name
A name.

```yaml
Type: String
Parameter Sets: ByName
Aliases: N

Required: True
Position: 0
Default value: None
Accept pipeline input: True (ByValue)
Accept wildcard characters: False
```

### -Id
An id.

```yaml
Type: Int32
Parameter Sets: ById
Aliases:

Required: True
Position: Named
Default value: None
Accept pipeline input: False
Accept wildcard characters: False
```

### -Force
Force.

```yaml
Type: SwitchParameter
Parameter Sets: ById
Aliases:

Required: False
Position: Named
Default value: False
Accept pipeline input: False
Accept wildcard characters: False
```

## INPUTS

### System.String

## OUTPUTS

### System.Boolean

## NOTES
A note.

## RELATED LINKS

[about_MlConnector](../about_MlConnector.md)
'@
    }

    It 'writes well-formed MAML with escaped text, one syntax item per parameter set' {
        $folder = Join-Path $TestDrive 'valid'
        New-Page $folder $ValidPage
        $out = Join-Path $TestDrive 'valid-out/MlConnector.dll-Help.xml'
        & $Converter -DocsPath $folder -AboutPath (Join-Path $TestDrive 'none') -OutputPath $out 6>$null
        [xml] $xml = Get-Content -Raw $out
        $ns = [System.Xml.XmlNamespaceManager]::new($xml.NameTable)
        $ns.AddNamespace('command', 'http://schemas.microsoft.com/maml/dev/command/2004/10')
        $ns.AddNamespace('maml', 'http://schemas.microsoft.com/maml/2004/10')
        $ns.AddNamespace('dev', 'http://schemas.microsoft.com/maml/dev/2004/10')
        $command = $xml.SelectSingleNode('//command:command', $ns)
        $command.SelectSingleNode('command:details/maml:description/maml:para', $ns).InnerText | Should -Be "Compares <a> & `"b`" for 'c'."
        $command.SelectSingleNode('command:details/command:verb', $ns).InnerText | Should -Be 'Test'
        $command.SelectSingleNode('command:examples/command:example/maml:title', $ns).InnerText | Should -Be '--- Example 1: Escape <everything> & more ---'
        $command.SelectSingleNode('command:examples/command:example/dev:code', $ns).InnerText | Should -BeLike "*'<x>'*"
        $items = $command.SelectNodes('command:syntax/command:syntaxItem', $ns)
        $items.Count | Should -Be 2
        @($items[1].SelectNodes('command:parameter/maml:name', $ns).InnerText) | Should -Be @('Id', 'Force')
        (Get-Content -Raw $out) | Should -Match '&lt;a&gt; &amp;'
    }

    It 'stops on a page without an example' {
        $folder = Join-Path $TestDrive 'noexample'
        New-Page $folder ($ValidPage -replace '(?s)### Example 1.*?Remarks\.', '')
        { & $Converter -DocsPath $folder -AboutPath (Join-Path $TestDrive 'none') -OutputPath (Join-Path $TestDrive 'x/help.xml') 6>$null } |
            Should -Throw '*EXAMPLES*'
    }

    It 'stops when the syntax block and the parameter blocks disagree' {
        $folder = Join-Path $TestDrive 'mismatch'
        New-Page $folder ($ValidPage -replace '\[-Force\] ', '')
        { & $Converter -DocsPath $folder -AboutPath (Join-Path $TestDrive 'none') -OutputPath (Join-Path $TestDrive 'y/help.xml') 6>$null } |
            Should -Throw '*-Force*'
    }
}
