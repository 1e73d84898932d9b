namespace MlConnector.Engine.Hosting;

/// <summary>What the engine is actually running on: its load context and the dependency versions it loaded.</summary>
public sealed class EngineRuntimeInfo
{
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
