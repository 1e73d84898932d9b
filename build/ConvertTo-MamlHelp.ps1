#Requires -Version 7.4
<#
.SYNOPSIS
    Converts the markdown help pages in docs/ into the MAML and about_*.help.txt files the module ships.

.DESCRIPTION
    Reads every docs/cmdlets/<Cmdlet-Name>.md page (the layout is described in docs/README.md under
    "Writing a help page") and writes one MAML file with a command:command per page, which is what
    Get-Help reads for a binary module (en-US/MlConnector.dll-Help.xml). Every about_*.md topic found
    in -AboutPath (by default the folder above -DocsPath) becomes en-US/about_<Topic>.help.txt next to it.

    The converter is strict on purpose: a page without a synopsis, without an example, or whose syntax
    block and parameter blocks disagree stops the build with the file and the reason, so a broken
    page never ships as half-empty help. Text is written through XmlWriter, so everything is escaped.

.EXAMPLE
    ./build/ConvertTo-MamlHelp.ps1 -DocsPath ./docs/cmdlets -OutputPath ./out/MlConnector/en-US/MlConnector.dll-Help.xml
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $DocsPath,
    [Parameter(Mandatory)] [string] $OutputPath,
    # Folder holding about_*.md topics; defaults to the parent of -DocsPath.
    [string] $AboutPath
)

Set-StrictMode -Version 3.0
$ErrorActionPreference = 'Stop'

$NsMaml = 'http://schemas.microsoft.com/maml/2004/10'
$NsCommand = 'http://schemas.microsoft.com/maml/dev/command/2004/10'
$NsDev = 'http://schemas.microsoft.com/maml/dev/2004/10'
$NsMsHelp = 'http://msdn.microsoft.com/mshelp'
$YamlKeys = 'Type', 'Parameter Sets', 'Aliases', 'Required', 'Position', 'Default value', 'Accept pipeline input', 'Accept wildcard characters'

#region Markdown reading

function New-PageError([string] $File, [int] $Line, [string] $Message) {
    $where = if ($Line -gt 0) { "${File}:$Line" } else { $File }
    return [System.FormatException]::new("${where}: $Message")
}

<#
    Splits a page into its YAML front matter, its H1 title and its H2 sections; each section holds its
    H3 subsections. Headings inside fenced code are not headings. Every line keeps its line number.
#>
function Read-MarkdownPage([string] $File) {
    $raw = [IO.File]::ReadAllText($File) -replace "`r`n?", "`n"
    $lines = $raw.Split("`n")
    $page = [ordered]@{ File = $File; FrontMatter = [ordered]@{}; Title = $null; TitleLine = 0; Preamble = [Collections.Generic.List[object]]::new(); Sections = [Collections.Generic.List[object]]::new() }
    $index = 0
    if ($lines.Count -gt 0 -and $lines[0].Trim() -eq '---') {
        $index = 1
        while ($index -lt $lines.Count -and $lines[$index].Trim() -ne '---') {
            if ($lines[$index] -match '^\s*([^:#]+?)\s*:\s*(.*?)\s*$') { $page.FrontMatter[$Matches[1]] = $Matches[2] }
            $index++
        }
        if ($index -ge $lines.Count) { throw (New-PageError $File 1 'the front matter opened with --- is never closed.') }
        $index++
    }
    $fence = $null
    $section = $null
    $sub = $null
    for (; $index -lt $lines.Count; $index++) {
        $text = $lines[$index]
        $entry = [pscustomobject]@{ Text = $text; Line = $index + 1 }
        if ($fence) {
            if ($text -match '^\s*(`{3,}|~{3,})\s*$' -and $Matches[1][0] -eq $fence[0] -and $Matches[1].Length -ge $fence.Length) { $fence = $null }
        }
        elseif ($text -match '^\s*(`{3,}|~{3,})') { $fence = $Matches[1] }
        elseif ($text -match '^#\s+(.+?)\s*#*\s*$') {
            if ($page.Title) { throw (New-PageError $File ($index + 1) 'a page has exactly one "# Name" heading.') }
            $page.Title = $Matches[1]; $page.TitleLine = $index + 1
            continue
        }
        elseif ($text -match '^##\s+(.+?)\s*#*\s*$' -and $text -notmatch '^###') {
            $section = [pscustomobject]@{ Name = $Matches[1].Trim(); Line = $index + 1; Lines = [Collections.Generic.List[object]]::new(); Subsections = [Collections.Generic.List[object]]::new() }
            $page.Sections.Add($section)
            $sub = $null
            continue
        }
        elseif ($text -match '^###\s+(.+?)\s*#*\s*$') {
            if (-not $section) { throw (New-PageError $File ($index + 1) 'a ### heading must sit under a ## section.') }
            $sub = [pscustomobject]@{ Name = $Matches[1].Trim(); Line = $index + 1; Lines = [Collections.Generic.List[object]]::new() }
            $section.Subsections.Add($sub)
            continue
        }
        if ($sub) { $sub.Lines.Add($entry) } elseif ($section) { $section.Lines.Add($entry) } else { $page.Preamble.Add($entry) }
    }
    if ($fence) { throw (New-PageError $File 0 "a code fence ($fence) is never closed.") }
    return [pscustomobject]$page
}

<#
    Turns section lines into blocks: Paragraph (lines joined with spaces), ListItem (one per bullet or
    numbered item, continuation lines joined), Table (one row per line, kept verbatim) and Code (Lang, Text).
#>
function Get-MarkdownBlocks($Lines) {
    $blocks = [Collections.Generic.List[object]]::new()
    $current = $null
    $code = $null
    foreach ($entry in $Lines) {
        $text = $entry.Text
        if ($code) {
            if ($text -match '^\s*(`{3,}|~{3,})\s*$' -and $Matches[1][0] -eq $code.Fence[0] -and $Matches[1].Length -ge $code.Fence.Length) {
                $blocks.Add([pscustomobject]@{ Kind = 'Code'; Lang = $code.Lang; Text = ($code.Body -join "`n"); Line = $code.Line })
                $code = $null
            }
            else { $code.Body.Add($text) }
            continue
        }
        if ($text -match '^\s*(`{3,}|~{3,})\s*([\w+-]*)') {
            if ($current) { $blocks.Add($current); $current = $null }
            $code = @{ Fence = $Matches[1]; Lang = $Matches[2].ToLowerInvariant(); Body = [Collections.Generic.List[string]]::new(); Line = $entry.Line }
            continue
        }
        if ($text.Trim() -eq '') {
            if ($current) { $blocks.Add($current); $current = $null }
            continue
        }
        if ($text -match '^\s*\|') {
            if ($current -and $current.Kind -ne 'Table') { $blocks.Add($current); $current = $null }
            if ($text -match '^\s*\|[\s:|-]+\|?\s*$') { continue }   # the header separator row
            if (-not $current) { $current = [pscustomobject]@{ Kind = 'Table'; Rows = [Collections.Generic.List[string]]::new(); Line = $entry.Line } }
            $cells = $text.Trim().Trim('|').Split('|') | ForEach-Object { $_.Trim() }
            $current.Rows.Add(($cells -join '  |  '))
            continue
        }
        if ($text -match '^\s*([-*+]|\d+[.)])\s+(.*)$') {
            if ($current) { $blocks.Add($current) }
            $marker, $itemText = $Matches[1], $Matches[2].Trim()
            if ($marker -notmatch '^\d') { $marker = '-' }
            $current = [pscustomobject]@{ Kind = 'ListItem'; Marker = $marker; Text = $itemText; Line = $entry.Line }
            continue
        }
        if ($current -and $current.Kind -in 'Paragraph', 'ListItem') { $current.Text += ' ' + $text.Trim(); continue }
        if ($current) { $blocks.Add($current) }
        $current = [pscustomobject]@{ Kind = 'Paragraph'; Text = $text.Trim(); Line = $entry.Line }
    }
    if ($code) { throw [System.FormatException]::new("line $($code.Line): a code fence is never closed.") }
    if ($current) { $blocks.Add($current) }
    return , $blocks
}

# Inline markdown to console text: links keep their text, emphasis and code markers go, escapes resolve.
function ConvertTo-PlainText([string] $Text) {
    $t = $Text
    $t = [regex]::Replace($t, '!?\[([^\]]*)\]\(([^)\s]*)[^)]*\)', { param($m) if ($m.Groups[2].Value -match '^https?://' -and $m.Groups[1].Value -ne $m.Groups[2].Value) { "$($m.Groups[1].Value) ($($m.Groups[2].Value))" } else { $m.Groups[1].Value } })
    $t = [regex]::Replace($t, '<(https?://[^>\s]+)>', '$1')
    $t = [regex]::Replace($t, '(`+)(.+?)\1', '$2')
    $t = [regex]::Replace($t, '(\*\*|__)(?=\S)(.+?)(?<=\S)\1', '$2')
    $t = [regex]::Replace($t, '(?<![\w*])\*(?=[^\s*])([^*]+?)(?<=[^\s*])\*(?![\w*])', '$1')
    $t = [regex]::Replace($t, '\\([\\`*_{}\[\]()#+\-.!<>|])', '$1')
    return $t.TrimEnd()
}

# Blocks to paragraphs of plain text, one string each; code inside prose keeps its lines.
function ConvertTo-Paragraphs($Blocks) {
    foreach ($block in $Blocks) {
        switch ($block.Kind) {
            'Paragraph' { ConvertTo-PlainText $block.Text }
            'ListItem' { '{0} {1}' -f $block.Marker, (ConvertTo-PlainText $block.Text) }
            'Table' { foreach ($row in $block.Rows) { ConvertTo-PlainText $row } }
            'Code' { $block.Text }
        }
    }
}

function Get-Section($Page, [string] $Name, [switch] $Required) {
    $found = @($Page.Sections | Where-Object { $_.Name -eq $Name })
    if ($found.Count -gt 1) { throw (New-PageError $Page.File $found[1].Line "the ## $Name section appears twice.") }
    if ($found.Count -eq 0) {
        if ($Required) { throw (New-PageError $Page.File 0 "the ## $Name section is missing.") }
        return $null
    }
    return $found[0]
}

function Read-YamlBlock([string] $Text, [string] $File, [int] $Line, [string] $Parameter) {
    $values = [ordered]@{}
    foreach ($row in $Text.Split("`n")) {
        if ($row.Trim() -eq '' -or $row.TrimStart().StartsWith('#')) { continue }
        if ($row -notmatch '^\s*([^:]+?)\s*:\s*(.*?)\s*$') { throw (New-PageError $File $Line "-${Parameter}: '$row' is not a 'Key: value' line.") }
        $key = $YamlKeys | Where-Object { $_ -eq $Matches[1] }
        if (-not $key) { throw (New-PageError $File $Line "-${Parameter}: unknown key '$($Matches[1])' (expected: $($YamlKeys -join ', ')).") }
        $values[$key] = $Matches[2]
    }
    foreach ($key in 'Type', 'Required', 'Position') {
        if (-not $values.Contains($key) -or $values[$key] -eq '') { throw (New-PageError $File $Line "-${Parameter}: the yaml block needs '$key'.") }
    }
    if ($values['Required'] -notin 'True', 'False') { throw (New-PageError $File $Line "-${Parameter}: Required is True or False.") }
    if ($values['Position'] -notmatch '^(Named|\d+)$') { throw (New-PageError $File $Line "-${Parameter}: Position is Named or a number.") }
    $sets = if ($values['Parameter Sets']) { @($values['Parameter Sets'].Split(',') | ForEach-Object { $_.Trim() } | Where-Object { $_ }) } else { @('(All)') }
    $aliases = if ($values['Aliases'] -and $values['Aliases'] -ne 'None') { @($values['Aliases'].Split(',') | ForEach-Object { $_.Trim() } | Where-Object { $_ }) } else { @() }
    return [pscustomobject]@{
        Type          = $values['Type']
        Sets          = @($sets)
        Aliases       = @($aliases)
        Required      = $values['Required'] -eq 'True'
        Position      = if ($values['Position'] -eq 'Named') { 'named' } else { $values['Position'] }
        DefaultValue  = if ($values['Default value']) { $values['Default value'] } else { 'None' }
        PipelineInput = if ($values['Accept pipeline input']) { $values['Accept pipeline input'] } else { 'False' }
        Globbing      = if ($values['Accept wildcard characters']) { $values['Accept wildcard characters'].ToLowerInvariant() } else { 'false' }
    }
}

function Get-TypeBlocks($Section) {
    if (-not $Section) { return @() }
    foreach ($sub in $Section.Subsections) {
        [pscustomobject]@{ Type = (ConvertTo-PlainText $sub.Name); Paragraphs = @(ConvertTo-Paragraphs (Get-MarkdownBlocks $sub.Lines)) }
    }
}

function Read-CommandPage([string] $File) {
    $page = Read-MarkdownPage $File
    $name = [IO.Path]::GetFileNameWithoutExtension($File)
    if ($page.Title -ne $name) { throw (New-PageError $File $page.TitleLine "the heading '# $($page.Title)' must match the file name '$name'.") }
    if ($name -notmatch '^([A-Za-z]+)-(\w+)$') { throw (New-PageError $File $page.TitleLine "'$name' is not a Verb-Noun cmdlet name.") }
    $verb, $noun = $Matches[1], $Matches[2]
    if ($page.FrontMatter['external help file'] -notmatch '-Help\.xml$') { throw (New-PageError $File 1 "the front matter needs 'external help file: <Assembly>.dll-Help.xml'.") }
    if (-not $page.FrontMatter['Module Name']) { throw (New-PageError $File 1 "the front matter needs 'Module Name: <module>'.") }

    $synopsis = @(ConvertTo-Paragraphs (Get-MarkdownBlocks (Get-Section $page 'SYNOPSIS' -Required).Lines))
    if ($synopsis.Count -eq 0) { throw (New-PageError $File 0 'the ## SYNOPSIS section is empty.') }
    $descriptionSection = Get-Section $page 'DESCRIPTION' -Required
    $description = @(ConvertTo-Paragraphs (Get-MarkdownBlocks $descriptionSection.Lines))
    foreach ($sub in $descriptionSection.Subsections) {
        $description += $sub.Name.ToUpperInvariant()
        $description += @(ConvertTo-Paragraphs (Get-MarkdownBlocks $sub.Lines))
    }
    if ($description.Count -eq 0) { throw (New-PageError $File $descriptionSection.Line 'the ## DESCRIPTION section is empty.') }

    # Parameters: ### -Name, description text, one ```yaml block per group of parameter sets.
    $parameters = [Collections.Generic.List[object]]::new()
    $parameterSection = Get-Section $page 'PARAMETERS' -Required
    foreach ($sub in $parameterSection.Subsections) {
        if ($sub.Name -eq 'CommonParameters') { continue }
        if ($sub.Name -notmatch '^-(\w+)$') { throw (New-PageError $File $sub.Line "'### $($sub.Name)' should be '### -ParameterName' or '### CommonParameters'.") }
        $parameterName = $Matches[1]
        if ($parameters | Where-Object Name -EQ $parameterName) { throw (New-PageError $File $sub.Line "-$parameterName is documented twice.") }
        $blocks = Get-MarkdownBlocks $sub.Lines
        $yaml = @($blocks | Where-Object { $_.Kind -eq 'Code' -and $_.Lang -eq 'yaml' })
        if ($yaml.Count -eq 0) { throw (New-PageError $File $sub.Line "-$parameterName has no ``````yaml block.") }
        $text = @(ConvertTo-Paragraphs ($blocks | Where-Object { -not ($_.Kind -eq 'Code' -and $_.Lang -eq 'yaml') }))
        if ($text.Count -eq 0) { throw (New-PageError $File $sub.Line "-$parameterName has no description.") }
        $variants = @($yaml | ForEach-Object { Read-YamlBlock $_.Text $File $_.Line $parameterName })
        $parameters.Add([pscustomobject]@{ Name = $parameterName; Description = $text; Variants = $variants })
    }

    # Syntax: one fenced block per parameter set, under "### SetName" when there is more than one.
    $syntaxSection = Get-Section $page 'SYNTAX' -Required
    $syntaxBlocks = [Collections.Generic.List[object]]::new()
    $loose = @((Get-MarkdownBlocks $syntaxSection.Lines) | Where-Object Kind -EQ 'Code')
    foreach ($block in $loose) { $syntaxBlocks.Add([pscustomobject]@{ Set = '(All)'; Text = $block.Text; Line = $block.Line }) }
    foreach ($sub in $syntaxSection.Subsections) {
        $setName = ($sub.Name -replace '\s*\(Default\)\s*$', '').Trim()
        foreach ($block in @((Get-MarkdownBlocks $sub.Lines) | Where-Object Kind -EQ 'Code')) { $syntaxBlocks.Add([pscustomobject]@{ Set = $setName; Text = $block.Text; Line = $block.Line }) }
    }
    if ($syntaxBlocks.Count -eq 0) { throw (New-PageError $File $syntaxSection.Line 'the ## SYNTAX section has no fenced syntax block.') }
    if ($syntaxBlocks.Count -gt 1 -and ($syntaxBlocks | Where-Object Set -EQ '(All)')) { throw (New-PageError $File $syntaxSection.Line 'with several syntax blocks, put each under a "### ParameterSetName" heading.') }
    $syntaxItems = foreach ($block in $syntaxBlocks) {
        $line = ($block.Text -replace '\s+', ' ').Trim()
        if (-not $line.StartsWith($name, [StringComparison]::OrdinalIgnoreCase)) { throw (New-PageError $File $block.Line "the syntax block should start with '$name'.") }
        $named = @([regex]::Matches($line.Substring($name.Length), '(?<![\w-])-(\w+)') | ForEach-Object { $_.Groups[1].Value })
        $inSet = foreach ($parameter in $parameters) {
            $variant = $parameter.Variants | Where-Object { $_.Sets -contains '(All)' -or $_.Sets -contains $block.Set } | Select-Object -First 1
            if ($variant) { [pscustomobject]@{ Parameter = $parameter; Variant = $variant } }
        }
        foreach ($entry in $named) {
            if (-not ($inSet | Where-Object { $_.Parameter.Name -eq $entry })) { throw (New-PageError $File $block.Line "the syntax of set '$($block.Set)' shows -$entry, but no ### -$entry block lists that set.") }
        }
        foreach ($entry in $inSet) {
            if ($named -notcontains $entry.Parameter.Name) { throw (New-PageError $File $block.Line "-$($entry.Parameter.Name) is in set '$($block.Set)' but missing from its syntax block.") }
        }
        $ordered = @($inSet | Sort-Object { [array]::IndexOf($named, $_.Parameter.Name) })
        [pscustomobject]@{ Set = $block.Set; Parameters = $ordered }
    }
    foreach ($parameter in $parameters) {
        foreach ($variant in $parameter.Variants) {
            foreach ($set in $variant.Sets) {
                if ($set -ne '(All)' -and -not ($syntaxBlocks | Where-Object Set -EQ $set)) { throw (New-PageError $File 0 "-$($parameter.Name) names parameter set '$set', which has no syntax block.") }
            }
        }
    }

    # Examples: ### Example N: Title, a ```powershell block, then explanatory text (and optional output blocks).
    $examples = foreach ($sub in (Get-Section $page 'EXAMPLES' -Required).Subsections) {
        if ($sub.Name -notmatch '^Example\s+(\d+)\s*[:.-]?\s*(.*)$') { throw (New-PageError $File $sub.Line "'### $($sub.Name)' should be '### Example N: Title'.") }
        $number, $title = $Matches[1], $Matches[2].Trim()
        $blocks = Get-MarkdownBlocks $sub.Lines
        $codeBlock = $blocks | Where-Object { $_.Kind -eq 'Code' -and $_.Lang -in 'powershell', 'pwsh', 'ps1', 'ps', '' } | Select-Object -First 1
        if (-not $codeBlock -or $codeBlock.Text.Trim() -eq '') { throw (New-PageError $File $sub.Line "Example $number has no ``````powershell block with code.") }
        $remarks = @(ConvertTo-Paragraphs ($blocks | Where-Object { $_ -ne $codeBlock }))
        $heading = if ($title) { "Example ${number}: $title" } else { "Example $number" }
        [pscustomobject]@{ Title = "--- $heading ---"; Code = $codeBlock.Text.TrimEnd(); Remarks = $remarks }
    }
    if (@($examples).Count -eq 0) { throw (New-PageError $File 0 'the ## EXAMPLES section needs at least one "### Example 1: Title" with a ```powershell block.') }

    $notesSection = Get-Section $page 'NOTES'
    $notes = if ($notesSection) { @(ConvertTo-Paragraphs (Get-MarkdownBlocks $notesSection.Lines)) } else { @() }
    $links = [Collections.Generic.List[object]]::new()
    $linkSection = Get-Section $page 'RELATED LINKS'
    if ($linkSection) {
        foreach ($block in (Get-MarkdownBlocks $linkSection.Lines)) {
            if ($block.Kind -notin 'Paragraph', 'ListItem') { continue }
            $found = [regex]::Matches($block.Text, '\[([^\]]+)\]\(([^)\s]*)[^)]*\)')
            if ($found.Count -eq 0) { $links.Add([pscustomobject]@{ Text = (ConvertTo-PlainText $block.Text); Uri = '' }); continue }
            foreach ($match in $found) {
                $uri = if ($match.Groups[2].Value -match '^https?://') { $match.Groups[2].Value } else { '' }
                $links.Add([pscustomobject]@{ Text = $match.Groups[1].Value; Uri = $uri })
            }
        }
    }

    return [pscustomobject]@{
        Name        = $name
        Verb        = $verb
        Noun        = $noun
        Synopsis    = $synopsis
        Description = $description
        SyntaxItems = @($syntaxItems)
        Parameters  = $parameters
        Inputs      = @(Get-TypeBlocks (Get-Section $page 'INPUTS'))
        Outputs     = @(Get-TypeBlocks (Get-Section $page 'OUTPUTS'))
        Notes       = $notes
        Examples    = @($examples)
        Links       = $links
    }
}

#endregion

#region MAML writing

function Write-Paragraphs([System.Xml.XmlWriter] $Writer, [string[]] $Paragraphs) {
    foreach ($paragraph in $Paragraphs) { $Writer.WriteElementString('maml', 'para', $NsMaml, $paragraph) }
}

function Write-Description([System.Xml.XmlWriter] $Writer, [string[]] $Paragraphs) {
    $Writer.WriteStartElement('maml', 'description', $NsMaml)
    Write-Paragraphs $Writer $Paragraphs
    $Writer.WriteEndElement()
}

function Write-DevType([System.Xml.XmlWriter] $Writer, [string] $TypeName) {
    $Writer.WriteStartElement('dev', 'type', $NsDev)
    $Writer.WriteElementString('maml', 'name', $NsMaml, $TypeName)
    $Writer.WriteElementString('maml', 'uri', $NsMaml, '')
    $Writer.WriteEndElement()
}

function Write-Parameter([System.Xml.XmlWriter] $Writer, $Parameter, $Variant, [switch] $InSyntax) {
    $isSwitch = $Variant.Type -in 'SwitchParameter', 'Switch', 'System.Management.Automation.SwitchParameter'
    $Writer.WriteStartElement('command', 'parameter', $NsCommand)
    $Writer.WriteAttributeString('required', $Variant.Required.ToString().ToLowerInvariant())
    $Writer.WriteAttributeString('variableLength', 'true')
    $Writer.WriteAttributeString('globbing', $Variant.Globbing)
    $Writer.WriteAttributeString('pipelineInput', $Variant.PipelineInput)
    $Writer.WriteAttributeString('position', $Variant.Position)
    $Writer.WriteAttributeString('aliases', $(if ($Variant.Aliases.Count) { $Variant.Aliases -join ', ' } else { 'none' }))
    $Writer.WriteElementString('maml', 'name', $NsMaml, $Parameter.Name)
    Write-Description $Writer $Parameter.Description
    if (-not ($isSwitch -and $InSyntax)) {
        $Writer.WriteStartElement('command', 'parameterValue', $NsCommand)
        $Writer.WriteAttributeString('required', $(if ($isSwitch) { 'false' } else { 'true' }))
        $Writer.WriteAttributeString('variableLength', 'false')
        $Writer.WriteString($Variant.Type)
        $Writer.WriteEndElement()
    }
    Write-DevType $Writer $Variant.Type
    $Writer.WriteElementString('dev', 'defaultValue', $NsDev, $Variant.DefaultValue)
    $Writer.WriteEndElement()
}

function Write-TypeList([System.Xml.XmlWriter] $Writer, [string] $Outer, [string] $Inner, $Types) {
    $Writer.WriteStartElement('command', $Outer, $NsCommand)
    foreach ($type in $Types) {
        $Writer.WriteStartElement('command', $Inner, $NsCommand)
        Write-DevType $Writer $type.Type
        Write-Description $Writer $type.Paragraphs
        $Writer.WriteEndElement()
    }
    $Writer.WriteEndElement()
}

function Write-Command([System.Xml.XmlWriter] $Writer, $Command) {
    $Writer.WriteStartElement('command', 'command', $NsCommand)
    $Writer.WriteAttributeString('xmlns', 'maml', $null, $NsMaml)
    $Writer.WriteAttributeString('xmlns', 'command', $null, $NsCommand)
    $Writer.WriteAttributeString('xmlns', 'dev', $null, $NsDev)
    $Writer.WriteAttributeString('xmlns', 'MSHelp', $null, $NsMsHelp)

    $Writer.WriteStartElement('command', 'details', $NsCommand)
    $Writer.WriteElementString('command', 'name', $NsCommand, $Command.Name)
    $Writer.WriteElementString('command', 'verb', $NsCommand, $Command.Verb)
    $Writer.WriteElementString('command', 'noun', $NsCommand, $Command.Noun)
    Write-Description $Writer $Command.Synopsis
    $Writer.WriteEndElement()

    Write-Description $Writer $Command.Description

    $Writer.WriteStartElement('command', 'syntax', $NsCommand)
    foreach ($item in $Command.SyntaxItems) {
        $Writer.WriteStartElement('command', 'syntaxItem', $NsCommand)
        $Writer.WriteElementString('maml', 'name', $NsMaml, $Command.Name)
        foreach ($entry in $item.Parameters) { Write-Parameter $Writer $entry.Parameter $entry.Variant -InSyntax }
        $Writer.WriteEndElement()
    }
    $Writer.WriteEndElement()

    $Writer.WriteStartElement('command', 'parameters', $NsCommand)
    foreach ($parameter in $Command.Parameters) { Write-Parameter $Writer $parameter $parameter.Variants[0] }
    $Writer.WriteEndElement()

    Write-TypeList $Writer 'inputTypes' 'inputType' $Command.Inputs
    Write-TypeList $Writer 'returnValues' 'returnValue' $Command.Outputs

    $Writer.WriteStartElement('maml', 'alertSet', $NsMaml)
    $Writer.WriteStartElement('maml', 'alert', $NsMaml)
    Write-Paragraphs $Writer $Command.Notes
    $Writer.WriteEndElement()
    $Writer.WriteEndElement()

    $Writer.WriteStartElement('command', 'examples', $NsCommand)
    foreach ($example in $Command.Examples) {
        $Writer.WriteStartElement('command', 'example', $NsCommand)
        $Writer.WriteElementString('maml', 'title', $NsMaml, $example.Title)
        $Writer.WriteElementString('dev', 'code', $NsDev, $example.Code)
        $Writer.WriteStartElement('dev', 'remarks', $NsDev)
        Write-Paragraphs $Writer $example.Remarks
        $Writer.WriteEndElement()
        $Writer.WriteEndElement()
    }
    $Writer.WriteEndElement()

    $Writer.WriteStartElement('command', 'relatedLinks', $NsCommand)
    foreach ($link in $Command.Links) {
        $Writer.WriteStartElement('maml', 'navigationLink', $NsMaml)
        $Writer.WriteElementString('maml', 'linkText', $NsMaml, $link.Text)
        $Writer.WriteElementString('maml', 'uri', $NsMaml, $link.Uri)
        $Writer.WriteEndElement()
    }
    $Writer.WriteEndElement()

    $Writer.WriteEndElement()
}

#endregion

#region about topics

# Wraps plain text to a width, with an indent on every line (and a different one after the first).
function Format-Wrapped([string] $Text, [int] $Indent, [int] $HangingIndent = $Indent, [int] $Width = 80) {
    $lines = [Collections.Generic.List[string]]::new()
    $line = ' ' * $Indent
    $empty = $true
    foreach ($word in ($Text -split '\s+' | Where-Object { $_ })) {
        if (-not $empty -and $line.Length + 1 + $word.Length -gt $Width) {
            $lines.Add($line.TrimEnd())
            $line = (' ' * $HangingIndent) + $word
        }
        else { $line += $(if ($empty) { $word } else { " $word" }) }
        $empty = $false
    }
    if (-not $empty) { $lines.Add($line.TrimEnd()) }
    return $lines
}

function ConvertTo-AboutText([string] $File) {
    $page = Read-MarkdownPage $File
    $topic = [IO.Path]::GetFileNameWithoutExtension($File)
    if ($page.Title -ne $topic) { throw (New-PageError $File $page.TitleLine "the heading '# $($page.Title)' must match the file name '$topic'.") }
    if (-not (Get-Section $page 'SHORT DESCRIPTION')) { throw (New-PageError $File 0 'an about topic needs a ## SHORT DESCRIPTION section.') }
    $out = [Collections.Generic.List[string]]::new()
    $out.Add('TOPIC'); $out.Add("    $topic")

    $emit = {
        param($Lines)
        $previous = 'Heading'   # the first block follows its heading without a blank line
        foreach ($block in (Get-MarkdownBlocks $Lines)) {
            # Consecutive list items stay together; every other block gets a blank line before it.
            if ($previous -ne 'Heading' -and -not ($block.Kind -eq 'ListItem' -and $previous -eq 'ListItem')) { $out.Add('') }
            $previous = $block.Kind
            switch ($block.Kind) {
                'Paragraph' { foreach ($l in (Format-Wrapped (ConvertTo-PlainText $block.Text) 4)) { $out.Add($l) } }
                'ListItem' {
                    $marker = "$($block.Marker) "
                    foreach ($l in (Format-Wrapped ($marker + (ConvertTo-PlainText $block.Text)) 4 (4 + $marker.Length))) { $out.Add($l) }
                }
                'Table' { foreach ($row in $block.Rows) { $out.Add('    ' + (ConvertTo-PlainText $row)) } }
                'Code' { foreach ($l in $block.Text.Split("`n")) { $out.Add(('        ' + $l).TrimEnd()) } }
            }
        }
    }
    foreach ($section in $page.Sections) {
        $out.Add(''); $out.Add($section.Name.ToUpperInvariant())
        & $emit $section.Lines
        foreach ($sub in $section.Subsections) {
            $out.Add(''); $out.Add('  ' + (ConvertTo-PlainText $sub.Name).ToUpperInvariant())
            & $emit $sub.Lines
        }
    }
    return ($out -join "`n").TrimEnd() + "`n"
}

#endregion

$docs = (Resolve-Path -LiteralPath $DocsPath).Path
if (-not $AboutPath) { $AboutPath = Split-Path $docs -Parent }
$pages = @(Get-ChildItem -LiteralPath $docs -Filter '*.md' -File | Where-Object Name -NE 'README.md' | Sort-Object Name)
if ($pages.Count -eq 0) { throw "No cmdlet pages (*.md) in $docs." }

$commands = foreach ($file in $pages) { Read-CommandPage $file.FullName }

$target = [IO.Path]::GetFullPath($OutputPath, (Get-Location).ProviderPath)
$folder = Split-Path $target -Parent
New-Item -ItemType Directory -Force -Path $folder | Out-Null
$settings = [System.Xml.XmlWriterSettings]::new()
$settings.Indent = $true
$settings.IndentChars = '  '
$settings.Encoding = [System.Text.UTF8Encoding]::new($false)
$settings.NewLineChars = "`n"
$settings.CheckCharacters = $true
$writer = [System.Xml.XmlWriter]::Create($target, $settings)
try {
    $writer.WriteStartDocument()
    $writer.WriteStartElement('helpItems', 'http://msh')
    $writer.WriteAttributeString('schema', 'maml')
    foreach ($command in $commands) { Write-Command $writer $command }
    $writer.WriteEndElement()
    $writer.WriteEndDocument()
}
finally { $writer.Dispose() }
# Read it back: a file PowerShell cannot parse must fail the build, not Get-Help later.
$null = [xml] [IO.File]::ReadAllText($target)

$topics = @(Get-ChildItem -LiteralPath $AboutPath -Filter 'about_*.md' -File -ErrorAction SilentlyContinue)
foreach ($about in $topics) {
    $text = ConvertTo-AboutText $about.FullName
    $aboutTarget = Join-Path $folder ($about.BaseName + '.help.txt')
    [IO.File]::WriteAllText($aboutTarget, $text, [System.Text.UTF8Encoding]::new($false))
}
Write-Host ("Help: {0} cmdlet page(s) -> {1}; {2} about topic(s)" -f $commands.Count, $target, $topics.Count)
