namespace MlConnector.Engine.Hosting;

/// <summary>
/// What the engine is actually running on: its load context and the dependency versions it loaded.
/// Get-MlModuleInfo emits it with <see cref="ModuleVersion"/> set from the loaded module.
/// </summary>
public sealed record EngineRuntimeInfo
{
    /// <summary>The module's version; the engine's own until the cmdlet layer sets the manifest's.</summary>
    public string ModuleVersion { get; init; } = "";
    public required string EngineVersion { get; init; }
    public required string LoadContext { get; init; }
    public required string MsalVersion { get; init; }
    public required string MsalLoadContext { get; init; }
    public required string SqliteVersion { get; init; }
    public required string SqliteProviderVersion { get; init; }
    public required string PollyVersion { get; init; }

    /// <summary>Azure.Data.Tables, the client of the table state store.</summary>
    public required string AzureTablesVersion { get; init; }

    /// <summary>Azure.Core, which Az modules also load (in their own versions) into the same session.</summary>
    public required string AzureCoreVersion { get; init; }
    public required string AzureCoreLoadContext { get; init; }
    public required string Runtime { get; init; }
    public required string Platform { get; init; }
}
