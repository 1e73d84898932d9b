namespace MlConnector.Engine.State;

/// <summary>What was last written for one target record: the content hash and, once known, the target's id (a Marketo id, a BC id).</summary>
public sealed record RecordState(string TargetKey, string SourceNumber, string ContentHash, string? TargetId, DateTimeOffset WrittenAt);
