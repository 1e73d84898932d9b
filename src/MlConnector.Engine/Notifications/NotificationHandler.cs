using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;

namespace MlConnector.Engine.Notifications;

/// <summary>
/// The notification endpoint's logic, free of any host: answers Business Central's validation handshake, reads a
/// notification batch (bounded, strict JSON), checks each notification's subscription and clientState against the known
/// subscriptions (clientState in constant time) and returns what to enqueue. It does no I/O beyond reading the body.
/// </summary>
public sealed class NotificationHandler
{
    /// <summary>The largest body read. BC sends a collection notification at 1,000 pending changes per subscription, so a genuine batch stays far below.</summary>
    public const int MaxBodyBytes = 1024 * 1024;

    /// <summary>The longest validationToken echoed. BC's tokens are short; anything longer is not a handshake from BC.</summary>
    public const int MaxValidationTokenLength = 1024;

    private const int MaxIdInMessages = 150;
    private static readonly byte[] NoSubscriptionDigest = KnownSubscription.Digest("\u0000no subscription");
    private static readonly JsonDocumentOptions StrictJson = new() { MaxDepth = 8, CommentHandling = JsonCommentHandling.Disallow, AllowTrailingCommas = false };

    private readonly IKnownSubscriptions _subscriptions;

    public NotificationHandler(IKnownSubscriptions subscriptions)
    {
        ArgumentNullException.ThrowIfNull(subscriptions);
        _subscriptions = subscriptions;
    }

    public async Task<NotificationResult> HandleAsync(NotificationRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Query.TryGetValue("validationToken", out var token)) return Handshake(request.Method, token);
        if (request.Method != "POST") return Refuse(405, NotificationRejection.MethodNotAllowed, $"{request.Method} is not accepted; notifications are POSTed.", ("Allow", "POST"));

        if (request.Headers.TryGetValue("Content-Length", out var declared) && long.TryParse(declared, NumberStyles.None, CultureInfo.InvariantCulture, out var length) && length > MaxBodyBytes)
            return TooLarge();
        var body = await ReadBoundedAsync(request.Body, cancellationToken).ConfigureAwait(false);
        if (body is null) return TooLarge();

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body, StrictJson);
        }
        catch (JsonException)
        {
            return Refuse(400, NotificationRejection.MalformedJson, "The body is not valid JSON.");
        }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object || !document.RootElement.TryGetProperty("value", out var items) || items.ValueKind != JsonValueKind.Array)
                return Refuse(400, NotificationRejection.MalformedJson, "The body is not a notification batch ({\"value\":[...]}).");
            return Read(items);
        }
    }

    /// <summary>
    /// BC accepts the answer when it contains the token, so it goes back verbatim, as text/plain with nosniff: markup in it
    /// is never rendered. Tokens BC would not send (empty, over the length bound, control characters) are refused.
    /// </summary>
    private static NotificationResult Handshake(string method, string token)
    {
        if (method is not ("GET" or "POST"))
            return Refuse(405, NotificationRejection.MethodNotAllowed, $"{method} is not accepted for the validation handshake.", ("Allow", "GET, POST"));
        if (token.Length is 0 or > MaxValidationTokenLength || token.Any(char.IsControl))
            return Refuse(400, NotificationRejection.InvalidValidationToken,
                $"The validationToken ({token.Length} characters) is empty, longer than {MaxValidationTokenLength} characters or holds control characters.");
        return new NotificationResult(NotificationResultKind.ValidationHandshake, 200)
        {
            ResponseBody = token,
            ResponseHeaders = Headers(("X-Content-Type-Options", "nosniff"), ("Cache-Control", "no-store")),
        };
    }

    private NotificationResult Read(JsonElement items)
    {
        var rejected = new List<RejectedNotification>();
        var entities = new Dictionary<(Guid, string, Guid), (int Index, EntityNotification Item)>();
        var collections = new List<CollectionNotification>();
        var index = -1;
        foreach (var item in items.EnumerateArray())
        {
            index++;
            var (accepted, rejection) = Check(item, index);
            if (rejection is not null)
            {
                rejected.Add(rejection);
                continue;
            }
            if (accepted is CollectionNotification collection)
            {
                collections.Add(collection);
                continue;
            }
            var entity = (EntityNotification)accepted!;
            var key = (entity.CompanyId, entity.EntitySet, entity.EntityId);
            if (!entities.TryGetValue(key, out var known) || (known.Item.LastModifiedDateTime ?? DateTimeOffset.MinValue) <= (entity.LastModifiedDateTime ?? DateTimeOffset.MinValue))
                entities[key] = (index, entity);
        }

        var latest = entities.Values.OrderBy(e => e.Index).Select(e => e.Item).ToArray();
        return new NotificationResult(NotificationResultKind.Notifications, 200)
        {
            Received = index + 1,
            Changes = latest.Where(e => e.ChangeType != NotificationChangeType.Deleted).ToArray(),
            Deletions = latest.Where(e => e.ChangeType == NotificationChangeType.Deleted).ToArray(),
            Collections = collections,
            Rejected = rejected,
        };
    }

    /// <summary>One notification: authentic (known subscription, matching clientState) and well-formed, or the reason why not.</summary>
    private (object? Accepted, RejectedNotification? Rejection) Check(JsonElement item, int index)
    {
        if (item.ValueKind != JsonValueKind.Object) return (null, Malformed(index, null, "is not an object"));
        var subscriptionId = Text(item, "subscriptionId");
        if (string.IsNullOrEmpty(subscriptionId)) return (null, Malformed(index, null, "has no subscriptionId"));

        var subscription = _subscriptions.Find(subscriptionId);
        var clientStateMatches = CryptographicOperations.FixedTimeEquals(
            subscription?.ClientStateDigest ?? NoSubscriptionDigest, KnownSubscription.Digest(Text(item, "clientState") ?? ""));
        if (subscription is null)
            return (null, new RejectedNotification(index, Cut(subscriptionId), NotificationRejection.UnknownSubscription, $"Notification {index} names a subscription the connector does not know."));
        if (!clientStateMatches)
            return (null, new RejectedNotification(index, subscription.SubscriptionId, NotificationRejection.WrongClientState,
                $"Notification {index} carries the wrong clientState for subscription {subscription.SubscriptionId}.") { PairId = subscription.PairId });
        var (accepted, rejection) = CheckAuthentic(item, index, subscription);
        return (accepted, rejection is null ? null : rejection with { PairId = subscription.PairId });
    }

    /// <summary>A notification of a known subscription with the right clientState: well-formed and about what it watches, or why not.</summary>
    private static (object? Accepted, RejectedNotification? Rejection) CheckAuthentic(JsonElement item, int index, KnownSubscription subscription)
    {
        var changeType = Text(item, "changeType") switch
        {
            "created" => NotificationChangeType.Created,
            "updated" => NotificationChangeType.Updated,
            "deleted" => NotificationChangeType.Deleted,
            "collection" => NotificationChangeType.Collection,
            _ => (NotificationChangeType?)null,
        };
        if (changeType is null) return (null, Malformed(index, subscription.SubscriptionId, "has no known changeType"));
        var resource = BcResourcePath.Parse(Text(item, "resource"));
        if (resource is null) return (null, Malformed(index, subscription.SubscriptionId, "has a resource that is not a company's entity set"));
        if (resource.CompanyId != subscription.CompanyId || !string.Equals(resource.EntitySet, subscription.EntitySet, StringComparison.Ordinal))
            return (null, new RejectedNotification(index, subscription.SubscriptionId, NotificationRejection.ResourceMismatch,
                $"Notification {index} is about {resource.EntitySet} of company {resource.CompanyId}, but subscription {subscription.SubscriptionId} watches {subscription.EntitySet} of company {subscription.CompanyId}."));

        var modified = Time(item, "lastModifiedDateTime");
        if (changeType == NotificationChangeType.Collection)
        {
            return resource.EntityKey is null
                ? (new CollectionNotification(subscription.SubscriptionId, resource.CompanyId, resource.EntitySet, resource.ModifiedAfter, modified) { PairId = subscription.PairId }, null)
                : (null, Malformed(index, subscription.SubscriptionId, "is a collection notification for a single entity"));
        }
        return resource.EntityId is Guid id
            ? (new EntityNotification(subscription.SubscriptionId, resource.CompanyId, resource.EntitySet, id, changeType.Value, modified) { PairId = subscription.PairId }, null)
            : (null, Malformed(index, subscription.SubscriptionId, "names no entity by its SystemId"));
    }

    private static async Task<byte[]?> ReadBoundedAsync(Stream? body, CancellationToken cancellationToken)
    {
        if (body is null) return [];
        var buffer = new byte[64 * 1024];
        using var collected = new MemoryStream();
        int read;
        while ((read = await body.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (collected.Length + read > MaxBodyBytes) return null;
            collected.Write(buffer, 0, read);
        }
        return collected.ToArray();
    }

    private static NotificationResult TooLarge()
        => Refuse(413, NotificationRejection.BodyTooLarge, $"The body is larger than {MaxBodyBytes} bytes.");

    private static NotificationResult Refuse(int status, NotificationRejection reason, string message, params (string Name, string Value)[] headers)
        => new(NotificationResultKind.Rejected, status)
        {
            ResponseHeaders = Headers(headers),
            Rejected = [new RejectedNotification(null, null, reason, message)],
        };

    private static RejectedNotification Malformed(int index, string? subscriptionId, string what)
        => new(index, subscriptionId, NotificationRejection.MalformedNotification, $"Notification {index} {what}.");

    private static IReadOnlyDictionary<string, string> Headers(params (string Name, string Value)[] headers)
        => headers.ToDictionary(h => h.Name, h => h.Value, StringComparer.OrdinalIgnoreCase);

    private static string? Text(JsonElement item, string name)
        => item.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static DateTimeOffset? Time(JsonElement item, string name)
        => Text(item, name) is { } text && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var at) ? at : null;

    private static string Cut(string id) => id.Length <= MaxIdInMessages ? id : id[..MaxIdInMessages];
}
