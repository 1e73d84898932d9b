namespace MlConnector.Engine.State;

/// <summary>What was last written for one target record: the content hash and, once known, the target's id (a Marketo id, a BC id).</summary>
public sealed record RecordState(string TargetKey, string SourceNumber, string ContentHash, string? TargetId, DateTimeOffset WrittenAt)
{
    /// <summary>
    /// Per mapped field, a short salted digest of the value last written (Mapping.ContentHash.FieldDigests; never the
    /// value), to tell which fields a later write changes. Null when not known (state written before digests existed, or
    /// a record skipped rather than written: saving null keeps the digests already stored).
    /// </summary>
    public IReadOnlyDictionary<string, string>? FieldHashes { get; init; }
}
