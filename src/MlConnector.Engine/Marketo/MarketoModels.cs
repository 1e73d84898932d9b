namespace MlConnector.Engine.Marketo;

public enum MarketoSyncAction { CreateOrUpdate, CreateOnly, UpdateOnly, CreateDuplicate }

/// <summary>A lead or company field as describe reports it. <see cref="Name"/> is the REST API name.</summary>
public sealed record MarketoField(string Name, string DisplayName, string DataType, int? Length, bool ReadOnly, bool Searchable, bool CrmManaged = false);

/// <summary>One changed field of a Change Data Value activity.</summary>
public sealed record MarketoFieldChange(long? Id, string Name, string? NewValue, string? OldValue);

/// <summary>One item of the lead change feed: a New Lead (activity type 12) or Change Data Value (13) activity.</summary>
public sealed record MarketoLeadChange(
    long? Id,
    string? MarketoGuid,
    long LeadId,
    DateTimeOffset? ActivityDate,
    int ActivityTypeId,
    IReadOnlyList<MarketoFieldChange> Fields,
    IReadOnlyDictionary<string, string?> Attributes)
{
    public const int NewLeadTypeId = 12;
    public const int ChangeDataValueTypeId = 13;

    /// <summary>
    /// Whether the change came through the REST API from <paramref name="apiUser"/>: Marketo marks an API write with the
    /// attributes "api method name", "request id" and "modifying user" (the types describe spells them "API Method
    /// Name", "Request Id", "Modifying User"); a UI edit, a form fill or a campaign has no API method. False when the
    /// API user is unknown.
    /// </summary>
    public bool IsApiWriteBy(string? apiUser)
        => !string.IsNullOrWhiteSpace(apiUser)
           && !string.IsNullOrWhiteSpace(Attribute("api method name"))
           && string.Equals(Attribute("modifying user")?.Trim(), apiUser.Trim(), StringComparison.OrdinalIgnoreCase);

    /// <summary>An attribute's value by name, whatever its casing or spacing ("Modifying User", "modifying user", "modifyingUser").</summary>
    public string? Attribute(string name)
    {
        if (Attributes.TryGetValue(name, out var value)) return value;
        var wanted = Squeeze(name);
        foreach (var (key, text) in Attributes)
            if (string.Equals(Squeeze(key), wanted, StringComparison.OrdinalIgnoreCase)) return text;
        return null;
    }

    private static string Squeeze(string name) => name.Replace(" ", "", StringComparison.Ordinal).Replace("_", "", StringComparison.Ordinal);
}

/// <summary>
/// One page of the lead change feed: its changes (possibly none: Marketo scans activity blocks) and the page's
/// nextPageToken, where the next read starts once this page is processed — the watermark the caller keeps.
/// </summary>
public sealed record MarketoLeadChangePage(IReadOnlyList<MarketoLeadChange> Changes, string NextPageToken);

/// <summary>Today's counted API calls of the instance (GET stats/usage.json) next to this connection's own count and budget.</summary>
public sealed record MarketoUsage(DateOnly? Date, long Total, IReadOnlyDictionary<string, long> ByUser, long ConnectionCalls, int? DailyCallBudget)
{
    /// <summary>The API-only user this connection acts as (the token's scope), when Marketo named it.</summary>
    public string? ApiUser { get; init; }

    /// <summary>The calls Marketo counted today for this connection's API user; null when the user is unknown or not listed.</summary>
    public long? ApiUserCalls => ApiUser is { } user && ByUser.TryGetValue(user, out var calls) ? calls : null;
}

internal static class MarketoSyncActions
{
    public static string ToApi(this MarketoSyncAction action) => action switch
    {
        MarketoSyncAction.CreateOnly => "createOnly",
        MarketoSyncAction.UpdateOnly => "updateOnly",
        MarketoSyncAction.CreateDuplicate => "createDuplicate",
        _ => "createOrUpdate",
    };
}
