using System.Text.Json.Serialization;

namespace MlConnector.Sandbox.BusinessCentral.Webhooks;

/// <summary>
/// Business Central's webhook side (shared/api/business-central.md §5). Documented values are the defaults;
/// where the documentation is silent (§9) the behaviour is a switch whose default is described in docs/sandbox.md.
/// </summary>
public sealed class BcWebhookOptions
{
    /// <summary>How long after the first change of a batch the notification job runs (BC online: 30 s).</summary>
    public TimeSpan NotificationDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long the notification URL has to answer the validation handshake (BC: 5 s).</summary>
    public TimeSpan HandshakeTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long a delivery POST may take before it counts as "no answer" (on-prem default 30 s; online not published).</summary>
    public TimeSpan DeliveryTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Life of a subscription after create or renew (BC: 3 days).</summary>
    public TimeSpan Expiration { get; set; } = TimeSpan.FromDays(3);

    /// <summary>Subscriptions per environment (BC online: 200).</summary>
    public int MaxSubscriptions { get; set; } = 200;

    /// <summary>Pending notifications of one subscription at which they are replaced by one collection notification (BC online: 1,000).</summary>
    public int CollectionThreshold { get; set; } = 1000;

    /// <summary>Delay before each retry after a retryable failure; when they are used up the next failure deletes the subscription.</summary>
    public List<TimeSpan> RetrySchedule { get; } =
        [TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(10), TimeSpan.FromMinutes(100), TimeSpan.FromMinutes(1000)];

    /// <summary>
    /// Whether <c>contacts</c> is webhook-enabled. It is not on BC's documented list (§5.7), so the default is no:
    /// webhookSupportedResources does not list it and a subscription to it is refused.
    /// </summary>
    public bool ContactsSupported { get; set; }

    /// <summary>The handshake's HTTP method. Not documented; POST per the community (§5.1). GET is the alternative.</summary>
    public string HandshakeMethod { get; set; } = "POST";

    /// <summary>How the handshake answer is matched: <see cref="HandshakeMatch.Contains"/> (the documented wording, default) or <see cref="HandshakeMatch.Exact"/>.</summary>
    public HandshakeMatch HandshakeMatch { get; set; } = HandshakeMatch.Contains;

    /// <summary>The answer to a failed handshake. Not documented (§9); default 400 BadRequest.</summary>
    public int HandshakeFailureStatus { get; set; } = 400;

    public string HandshakeFailureCode { get; set; } = "BadRequest";

    /// <summary>The answer when <see cref="MaxSubscriptions"/> is reached. Not documented (§9); default 400 BadRequest.</summary>
    public int LimitReachedStatus { get; set; } = 400;

    public string LimitReachedCode { get; set; } = "BadRequest";

    /// <summary>
    /// Expired subscriptions vanish as soon as they expire (default: GET no longer lists them, PATCH answers 404, as when BC's
    /// job has deleted them). When false they linger until the next notification job, and a PATCH in between renews them
    /// (renewing an expired subscription is not documented, §9).
    /// </summary>
    public bool RemoveExpiredAtOnce { get; set; } = true;

    /// <summary>Runs the notification job in the background (every <see cref="DispatchInterval"/> of real time). Tests that
    /// drive delivery themselves turn it off and call <see cref="BcWebhooks.DeliverDueAsync"/> (or POST /admin/bc/webhooks/deliver).</summary>
    public bool AutomaticDelivery { get; set; } = true;

    public TimeSpan DispatchInterval { get; set; } = TimeSpan.FromMilliseconds(200);
}

[JsonConverter(typeof(JsonStringEnumConverter<HandshakeMatch>))]
public enum HandshakeMatch { Contains, Exact }
