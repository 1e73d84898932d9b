namespace MlConnector.Engine.Sync;

/// <summary>A progress report: the phase and how many records it has handled.</summary>
public sealed record SyncProgress(string Phase, long Processed, long? Total = null);
