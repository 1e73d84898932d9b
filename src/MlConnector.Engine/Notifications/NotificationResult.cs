namespace MlConnector.Engine.Notifications;

public enum NotificationChangeType { Created, Updated, Deleted, Collection }

/// <summary>One entity Business Central says changed (created, updated or deleted): fetch it by id (a deleted one will 404).</summary>
public sealed record EntityNotification(string SubscriptionId, Guid CompanyId, string EntitySet, Guid EntityId, NotificationChangeType ChangeType, DateTimeOffset? LastModifiedDateTime)
{
    /// <summary>The sync pair that owns the subscription (<see cref="KnownSubscription.PairId"/>).</summary>
    public string? PairId { get; init; }
}

/// <summary>
/// Too many changes for single notifications: re-read the entity set, from <see cref="ModifiedAfter"/> when Business Central
/// gave a lastModifiedDateTime filter, else everything (it omits the filter when a delete was among the changes).
/// </summary>
public sealed record CollectionNotification(string SubscriptionId, Guid CompanyId, string EntitySet, DateTimeOffset? ModifiedAfter, DateTimeOffset? LastModifiedDateTime)
{
    /// <summary>The sync pair that owns the subscription (<see cref="KnownSubscription.PairId"/>).</summary>
    public string? PairId { get; init; }
}

public enum NotificationRejection
{
    /// <summary>The subscription id is not one the connector created (or it was forgotten).</summary>
    UnknownSubscription,

    /// <summary>The clientState does not match the one kept for the subscription.</summary>
    WrongClientState,

    /// <summary>The resource is not the company and entity set the subscription watches.</summary>
    ResourceMismatch,

    /// <summary>A notification lacks a field, has an unknown changeType or an unreadable resource.</summary>
    MalformedNotification,

    /// <summary>The body is not JSON, or not a {"value":[…]} batch.</summary>
    MalformedJson,

    /// <summary>The body exceeds <see cref="NotificationHandler.MaxBodyBytes"/>.</summary>
    BodyTooLarge,

    /// <summary>A method other than POST (or GET/POST for the handshake).</summary>
    MethodNotAllowed,

    /// <summary>A validationToken that is empty, longer than <see cref="NotificationHandler.MaxValidationTokenLength"/> or holds control characters.</summary>
    InvalidValidationToken,
}

/// <summary>
/// Something not enqueued, and why: a whole request (<see cref="Index"/> null) or the notification at <see cref="Index"/>
/// in the batch. Messages never carry clientState or token values; a subscription id from the request is cut to 150 characters.
/// </summary>
public sealed record RejectedNotification(int? Index, string? SubscriptionId, NotificationRejection Reason, string Message)
{
    /// <summary>The sync pair of the subscription named, when the connector knows it.</summary>
    public string? PairId { get; init; }
}

public enum NotificationResultKind
{
    /// <summary>Business Central's validation request: answer with the token.</summary>
    ValidationHandshake,

    /// <summary>A notification batch that was read; some or all of its items may still be rejected.</summary>
    Notifications,

    /// <summary>The request as a whole was refused; nothing was read from it.</summary>
    Rejected,
}

/// <summary>
/// The handler's decision: the HTTP answer to send (status, content type, body, headers) and what to enqueue. Nothing is
/// enqueued or audited here; the host does that with these lists.
/// </summary>
public sealed class NotificationResult
{
    private static readonly IReadOnlyDictionary<string, string> NoHeaders = new Dictionary<string, string>();

    internal NotificationResult(NotificationResultKind kind, int statusCode)
    {
        Kind = kind;
        StatusCode = statusCode;
    }

    public NotificationResultKind Kind { get; }

    public int StatusCode { get; }

    public string ContentType { get; init; } = "text/plain; charset=utf-8";

    /// <summary>The validation token for a handshake; empty otherwise.</summary>
    public string ResponseBody { get; init; } = "";

    public IReadOnlyDictionary<string, string> ResponseHeaders { get; init; } = NoHeaders;

    /// <summary>Notifications in the batch (0 for a handshake or a refused request).</summary>
    public int Received { get; init; }

    /// <summary>Created or updated entities, one per entity (the latest notification wins).</summary>
    public IReadOnlyList<EntityNotification> Changes { get; init; } = [];

    /// <summary>Deleted entities, one per entity.</summary>
    public IReadOnlyList<EntityNotification> Deletions { get; init; } = [];

    public IReadOnlyList<CollectionNotification> Collections { get; init; } = [];

    public IReadOnlyList<RejectedNotification> Rejected { get; init; } = [];
}
