namespace MlConnector.Engine.State;

/// <summary>What was last written to Marketo for one target record.</summary>
public sealed record RecordState(string TargetKey, string SourceNumber, string ContentHash, long? MarketoId, DateTimeOffset WrittenAt);
