namespace MlConnector.Engine.Mapping;

/// <summary>How a record is written to Marketo.</summary>
public enum MarketoWriteKind
{
    /// <summary>createOrUpdate on the key.</summary>
    Upsert,

    /// <summary>updateOnly on the key: nothing is created when Marketo lacks the record.</summary>
    UpdateOnly,

    /// <summary>Delete Leads, by the lead's Marketo id.</summary>
    Delete,
}

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

    /// <summary>How it is written: created or updated (the default), updated only if Marketo has it, or deleted.</summary>
    public MarketoWriteKind Write { get; init; } = MarketoWriteKind.Upsert;

    /// <summary>Why it is written other than as an upsert (PrivacyBlocked): carried to its result and audit line.</summary>
    public string? Reason { get; init; }

    /// <summary>The state-store key of the target record, e.g. "Company:C00010" or "Lead:ann@example.com".</summary>
    public string TargetKey => TargetType + ":" + (TargetType == Lead ? Key.ToLowerInvariant() : Key);
}
