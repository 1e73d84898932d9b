using System.Management.Automation;
using MlConnector.Engine.Mapping;

namespace MlConnector.Infrastructure;

/// <summary>
/// Loads -MappingPath: a .json file as it is, or a .psd1 read with Import-PowerShellDataFile (on the pipeline
/// thread: it is a PowerShell command) and turned into the same JSON shape. No path: the shipped default map.
/// A bad file is a terminating error naming the field or the file.
/// </summary>
internal static class MappingFile
{
    public static MappingSet Load(PSCmdlet cmdlet, string? path, string errorIdPrefix)
    {
        if (path is null) return MappingLoader.Default();
        var full = cmdlet.SessionState.Path.GetUnresolvedProviderPathFromPSPath(path);
        if (!File.Exists(full))
        {
            cmdlet.ThrowTerminatingError(ErrorRecords.Create(new ItemNotFoundException($"The mapping file '{full}' does not exist."),
                errorIdPrefix + "MappingFileNotFound", ErrorCategory.ObjectNotFound, full));
        }
        var json = Path.GetExtension(full).ToLowerInvariant() switch
        {
            ".json" => File.ReadAllText(full),
            ".psd1" => FromDataFile(cmdlet, full, errorIdPrefix),
            _ => Refuse(cmdlet, full, errorIdPrefix),
        };
        try
        {
            return MappingLoader.FromUserJson(json);
        }
        catch (MappingException e)
        {
            cmdlet.ThrowTerminatingError(ErrorRecords.From(
                new MappingException(e.ErrorId, $"{e.Message} (in '{full}')", e.Field, e), errorIdPrefix, e.Field ?? full));
            throw;
        }
    }

    private static string FromDataFile(PSCmdlet cmdlet, string full, string errorIdPrefix)
    {
        try
        {
            var result = cmdlet.InvokeCommand.InvokeScript(false, ScriptBlock.Create(
                "param($p) Microsoft.PowerShell.Utility\\Import-PowerShellDataFile -LiteralPath $p -ErrorAction Stop | Microsoft.PowerShell.Utility\\ConvertTo-Json -Depth 10 -Compress"),
                null, full);
            return result.Count == 1 && result[0]?.BaseObject is string json ? json : "{}";
        }
        catch (RuntimeException e)
        {
            cmdlet.ThrowTerminatingError(ErrorRecords.Create(new MappingException("MappingFileInvalid", $"The mapping file '{full}' could not be read: {e.Message}", null, e),
                errorIdPrefix + "MappingFileInvalid", ErrorCategory.InvalidArgument, full));
            throw;
        }
    }

    private static string Refuse(PSCmdlet cmdlet, string full, string errorIdPrefix)
    {
        cmdlet.ThrowTerminatingError(ErrorRecords.Create(new ArgumentException($"The mapping file '{full}' must be a .json or .psd1 file."),
            errorIdPrefix + "MappingFileInvalid", ErrorCategory.InvalidArgument, full));
        return "";
    }
}
