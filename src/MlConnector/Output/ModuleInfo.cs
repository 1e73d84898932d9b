namespace MlConnector.Output;

/// <summary>One row from Get-MlModuleInfo: the module and what its isolated engine actually loaded.</summary>
public sealed class ModuleInfo
{
    public required string ModuleVersion { get; init; }
    public required string EngineVersion { get; init; }
    public required string LoadContext { get; init; }
    public required string MsalVersion { get; init; }
    public required string MsalLoadContext { get; init; }
    public required string SqliteVersion { get; init; }
    public required string SqliteProviderVersion { get; init; }
    public required string PollyVersion { get; init; }
    public required string Runtime { get; init; }
    public required string Platform { get; init; }
}
