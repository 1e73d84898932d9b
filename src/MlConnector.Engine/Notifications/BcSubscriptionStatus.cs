namespace MlConnector.Engine.Notifications;

/// <summary>Whether Business Central still has a subscription the connector keeps.</summary>
public enum SubscriptionState
{
    /// <summary>BC has it and it has not expired.</summary>
    Active,

    /// <summary>BC no longer has it: it expired, was deleted after failed deliveries, or was deleted by someone.</summary>
    Gone,

    /// <summary>The entity set is not in webhookSupportedResources: nothing was subscribed, the poll covers it.</summary>
    NotSupported,
}

/// <summary>What a subscription cmdlet did to one subscription.</summary>
public enum SubscriptionAction { None, Registered, Existing, Renewed, Recreated, Unregistered, Failed, Skipped }

/// <summary>
/// One subscription of a sync pair as the connector keeps it and Business Central holds it: flat, so it exports to CSV
/// as it is. Times are Business Central's; <see cref="ExpiresIn"/> is measured on BC's clock. The clientState never
/// appears, only where it is kept.
/// </summary>
public sealed record BcSubscriptionStatus
{
    public required string PairId { get; init; }
    public required string EntitySet { get; init; }
    public string? SubscriptionId { get; init; }
    public string? NotificationUrl { get; init; }
    public required SubscriptionState Status { get; init; }
    public DateTimeOffset? ExpiresAt { get; init; }

    /// <summary>Time left before Business Central deletes it, on BC's clock; null when it is gone.</summary>
    public TimeSpan? ExpiresIn { get; init; }
    public SubscriptionAction Action { get; init; }
    public string? Reason { get; init; }

    /// <summary>Where the clientState is kept: "vault:&lt;vault&gt;/&lt;secret&gt;" or "caller".</summary>
    public string? ClientState { get; init; }

    /// <summary>The subscription this one replaced, when it was re-created.</summary>
    public string? ReplacedSubscriptionId { get; init; }
}
