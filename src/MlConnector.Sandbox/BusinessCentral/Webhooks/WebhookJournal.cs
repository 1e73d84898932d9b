using System.Collections.Concurrent;
using System.Text.Json.Serialization;

namespace MlConnector.Sandbox.BusinessCentral.Webhooks;

[JsonConverter(typeof(JsonStringEnumConverter<WebhookEvent>))]
public enum WebhookEvent
{
    /// <summary>The validationToken request before a subscription is stored or renewed.</summary>
    Handshake,

    /// <summary>A POST of notifications to a notification URL.</summary>
    Delivery,

    /// <summary>A subscription removed by BC itself (expired, too many failed deliveries, a non-retryable answer).</summary>
    Removal,
}

[JsonConverter(typeof(JsonStringEnumConverter<WebhookOutcome>))]
public enum WebhookOutcome
{
    Succeeded,

    /// <summary>A retryable failure (408, 429, 5xx, no answer): the notifications wait for the next attempt.</summary>
    WillRetry,

    /// <summary>The handshake failed, or the delivery failed for good and the URL's subscriptions were deleted.</summary>
    Failed,
}

/// <summary>
/// One outbound call or removal, with sandbox-clock times. <see cref="DueAt"/> is when the delivery was scheduled
/// (first change + delay, or the failure time + the retry delay); <see cref="Attempt"/> counts from 1.
/// </summary>
public sealed record WebhookJournalEntry(
    long Sequence,
    WebhookEvent Event,
    string NotificationUrl,
    IReadOnlyList<string> SubscriptionIds,
    DateTimeOffset Started,
    DateTimeOffset Completed,
    DateTimeOffset? DueAt,
    int Attempt,
    int NotificationCount,
    int? Status,
    WebhookOutcome Outcome,
    string? Detail);

/// <summary>Handshakes, deliveries and removals, for tests to count and time.</summary>
public sealed class WebhookJournal
{
    private readonly ConcurrentQueue<WebhookJournalEntry> _entries = new();
    private long _sequence;

    public WebhookJournalEntry Add(Func<long, WebhookJournalEntry> create)
    {
        var entry = create(Interlocked.Increment(ref _sequence));
        _entries.Enqueue(entry);
        return entry;
    }

    public IReadOnlyList<WebhookJournalEntry> Snapshot() => _entries.ToArray();

    public IReadOnlyList<WebhookJournalEntry> Of(WebhookEvent kind) => _entries.Where(e => e.Event == kind).ToArray();

    public void Clear()
    {
        while (_entries.TryDequeue(out _)) { }
    }
}
