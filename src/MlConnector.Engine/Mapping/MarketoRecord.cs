namespace MlConnector.Engine.Mapping;

/// <summary>
/// A record ready for Marketo: the target object, its key, the mapped field values (culture-invariant
/// .NET values: string, decimal, bool, or ISO 8601 UTC text for times) and a content hash of them.
/// </summary>
public sealed record MarketoRecord(
    string TargetType,
    string SourceType,
    string SourceNumber,
    string Key,
    IReadOnlyDictionary<string, object?> Fields,
    string ContentHash)
{
    public const string Company = "Company";
    public const string Lead = "Lead";

    /// <summary>The BC record's id (not part of the content hash): what the links table keeps beside the number.</summary>
    public Guid? SourceId { get; init; }

    /// <summary>The state-store key of the target record, e.g. "Company:C00010" or "Lead:ann@example.com".</summary>
    public string TargetKey => TargetType + ":" + (TargetType == Lead ? Key.ToLowerInvariant() : Key);
}
