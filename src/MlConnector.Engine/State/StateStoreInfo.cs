namespace MlConnector.Engine.State;

/// <summary>Where the state database lives and what it holds.</summary>
public sealed class StateStoreInfo
{
    public required string Path { get; init; }
    public required int SchemaVersion { get; init; }
    public required string SqliteVersion { get; init; }
    public required long SizeBytes { get; init; }
}
