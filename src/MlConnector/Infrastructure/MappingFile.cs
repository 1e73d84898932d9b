using System.Management.Automation;
using System.Management.Automation.Language;
using System.Text.Json;
using MlConnector.Engine.Mapping;

namespace MlConnector.Infrastructure;

/// <summary>
/// Loads -MappingPath: a .json file as it is, or a .psd1 parsed as PowerShell data (like Import-PowerShellDataFile)
/// and turned into the same JSON shape. No path: the shipped default map.
/// A bad file is a terminating error naming the field or the file.
/// </summary>
internal static class MappingFile
{
    public static MappingSet Load(PSCmdlet cmdlet, string? path, string errorIdPrefix)
        => Parse(cmdlet, path, errorIdPrefix, MappingLoader.Default, MappingLoader.FromUserJson);

    /// <summary>The reverse flow's mapping: the file's "marketoToBc" section over the shipped defaults.</summary>
    public static MarketoToBcMapping LoadReverse(PSCmdlet cmdlet, string? path, string errorIdPrefix)
        => Parse(cmdlet, path, errorIdPrefix, MarketoToBcMapping.Default, MarketoToBcMapping.FromUserJson);

    private static T Parse<T>(PSCmdlet cmdlet, string? path, string errorIdPrefix, Func<T> defaults, Func<string, T> fromJson)
    {
        if (path is null) return defaults();
        var full = cmdlet.SessionState.Path.GetUnresolvedProviderPathFromPSPath(path);
        if (!File.Exists(full))
        {
            cmdlet.ThrowTerminatingError(ErrorRecords.Create(new ItemNotFoundException($"The mapping file '{full}' does not exist."),
                errorIdPrefix + "MappingFileNotFound", ErrorCategory.ObjectNotFound, full, "Check -MappingPath; a relative path is resolved against the current location."));
        }
        var json = Path.GetExtension(full).ToLowerInvariant() switch
        {
            ".json" => File.ReadAllText(full),
            ".psd1" => FromDataFile(cmdlet, full, errorIdPrefix),
            _ => Refuse(cmdlet, full, errorIdPrefix),
        };
        try
        {
            return fromJson(json);
        }
        catch (MappingException e)
        {
            cmdlet.ThrowTerminatingError(ErrorRecords.From(
                new MappingException(e.ErrorId, $"{e.Message} (in '{full}')", e.Field, e), errorIdPrefix, e.Field ?? full));
            throw;
        }
    }

    /// <summary>
    /// A .psd1 read the way Import-PowerShellDataFile reads one (parsed, never run; constants only), but failing with
    /// where in the file the problem is: line, column and what is wrong.
    /// </summary>
    private static string FromDataFile(PSCmdlet cmdlet, string full, string errorIdPrefix)
    {
        var ast = Parser.ParseFile(full, out _, out var errors);
        if (errors.Length > 0)
            throw Invalid(cmdlet, full, errorIdPrefix, string.Join("; ", errors.Take(3).Select(e => $"line {e.Extent.StartLineNumber}, column {e.Extent.StartColumnNumber}: {e.Message}")));
        if (ast.EndBlock?.Statements is not [PipelineAst { PipelineElements: [CommandExpressionAst { Expression: HashtableAst table }] }])
            throw Invalid(cmdlet, full, errorIdPrefix, "the file must hold one hashtable, @{ ... }, and nothing else");
        object? value;
        try
        {
            value = table.SafeGetValue();
        }
        catch (InvalidOperationException e)
        {
            throw Invalid(cmdlet, full, errorIdPrefix, $"line {table.Extent.StartLineNumber}: only constant values are allowed ({e.Message})");
        }
        return JsonSerializer.Serialize(value);
    }

    private static Exception Invalid(PSCmdlet cmdlet, string full, string errorIdPrefix, string problem)
    {
        cmdlet.ThrowTerminatingError(ErrorRecords.Create(new MappingException("MappingFileInvalid", $"The mapping file '{full}' is not a valid PowerShell data file: {problem}."),
            errorIdPrefix + "MappingFileInvalid", ErrorCategory.InvalidArgument, full, "Correct the mapping file at the line named (docs/mapping.md shows the format)."));
        return new InvalidOperationException(); // not reached: ThrowTerminatingError throws
    }

    private static string Refuse(PSCmdlet cmdlet, string full, string errorIdPrefix)
    {
        cmdlet.ThrowTerminatingError(ErrorRecords.Create(new ArgumentException($"The mapping file '{full}' must be a .json or .psd1 file."),
            errorIdPrefix + "MappingFileInvalid", ErrorCategory.InvalidArgument, full, "Save the mapping as a .json or .psd1 file (docs/mapping.md shows both)."));
        return "";
    }
}
