using System.Net.Http.Headers;
using MlConnector.Sandbox.Core;

namespace MlConnector.Sandbox.BusinessCentral.Webhooks;

/// <summary>
/// The notification job (shared/api/business-central.md §5.4-§5.6): removes expired subscriptions, then POSTs what is due,
/// one request per notification URL, and applies BC's answer rules: 2xx delivered; 408, 429, 5xx or no answer retried
/// on the schedule; anything else deletes the URL's subscriptions at once. One pass at a time.
/// </summary>
internal sealed class NotificationDispatcher(BcWebhookOptions options, SubscriptionTable table, HttpClient http, SandboxClock clock, WebhookJournal journal)
{
    private readonly SemaphoreSlim _oneAtATime = new(1, 1);

    public async Task<IReadOnlyList<WebhookJournalEntry>> RunAsync(CancellationToken cancellationToken)
    {
        await _oneAtATime.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var entries = new List<WebhookJournalEntry>();
            var now = clock.GetUtcNow();
            foreach (var expired in table.RemoveExpired(now)) entries.Add(Removal(expired, now, "expired"));
            foreach (var delivery in table.TakeDue(now))
                entries.AddRange(await DeliverAsync(delivery, cancellationToken).ConfigureAwait(false));
            return entries;
        }
        finally
        {
            _oneAtATime.Release();
        }
    }

    public WebhookJournalEntry Removal(BcWebhookSubscription subscription, DateTimeOffset now, string reason)
        => journal.Add(sequence => new WebhookJournalEntry(sequence, WebhookEvent.Removal, subscription.NotificationUrl, [subscription.SubscriptionId],
            now, now, null, 0, 0, null, WebhookOutcome.Succeeded, reason));

    private async Task<IReadOnlyList<WebhookJournalEntry>> DeliverAsync(DueDelivery delivery, CancellationToken cancellationToken)
    {
        var (body, count) = NotificationBody.Compose(delivery.Notifications, options.CollectionThreshold);
        var started = clock.GetUtcNow();
        var (status, result, detail) = await PostAsync(delivery.NotificationUrl, body, cancellationToken).ConfigureAwait(false);
        var completed = clock.GetUtcNow();
        var removed = table.Complete(delivery, result, completed);

        var outcome = result switch
        {
            DeliveryResult.Delivered => WebhookOutcome.Succeeded,
            DeliveryResult.Retryable when removed.Count == 0 => WebhookOutcome.WillRetry,
            _ => WebhookOutcome.Failed,
        };
        var subscriptionIds = delivery.Notifications.Select(n => n.Subscription.SubscriptionId).Distinct(StringComparer.Ordinal).ToArray();
        var entries = new List<WebhookJournalEntry>
        {
            journal.Add(sequence => new WebhookJournalEntry(sequence, WebhookEvent.Delivery, delivery.NotificationUrl, subscriptionIds,
                started, completed, delivery.DueAt, delivery.Attempt, count, status, outcome, detail)),
        };
        var reason = result == DeliveryResult.Retryable ? $"too many failed deliveries ({delivery.Attempt})" : $"the notification URL answered {status}";
        entries.AddRange(removed.Select(s => Removal(s, completed, reason)));
        return entries;
    }

    private async Task<(int? Status, DeliveryResult Result, string Detail)> PostAsync(string url, byte[] body, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(options.DeliveryTimeout);
        var correlation = Guid.NewGuid().ToString("D");
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body) };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            request.Headers.TryAddWithoutValidation("clientRequestId", correlation);
            request.Headers.TryAddWithoutValidation("x-ms-correlation-id", correlation);
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, deadline.Token).ConfigureAwait(false);
            var status = (int)response.StatusCode;
            var result = status is >= 200 and < 300 ? DeliveryResult.Delivered
                : status is 408 or 429 or >= 500 ? DeliveryResult.Retryable
                : DeliveryResult.Rejected;
            return (status, result, $"answered {status}");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return (null, DeliveryResult.Retryable, $"no answer within {options.DeliveryTimeout.TotalSeconds:0.###} s");
        }
        catch (HttpRequestException e)
        {
            return (null, DeliveryResult.Retryable, "no answer: " + e.Message);
        }
    }
}
