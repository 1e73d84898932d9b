using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace MlConnector.Sandbox.BusinessCentral.Webhooks;

/// <summary>/admin/bc/webhooks/...: the webhook switches, the subscriptions as BC holds them, the journal, and "run the job now".</summary>
internal static class WebhookAdminEndpoints
{
    public static void Map(IEndpointRouteBuilder admin, BcWebhooks webhooks)
    {
        admin.MapGet("/bc/webhooks", () => Results.Ok(State(webhooks)));
        admin.MapPost("/bc/webhooks/settings", (WebhookSettings body) =>
        {
            var o = webhooks.Options;
            if (body.NotificationDelaySeconds is double delay) o.NotificationDelay = TimeSpan.FromSeconds(delay);
            if (body.HandshakeTimeoutMs is int handshake) o.HandshakeTimeout = TimeSpan.FromMilliseconds(handshake);
            if (body.DeliveryTimeoutMs is int delivery) o.DeliveryTimeout = TimeSpan.FromMilliseconds(delivery);
            if (body.MaxSubscriptions is int max) o.MaxSubscriptions = max;
            if (body.CollectionThreshold is int threshold) o.CollectionThreshold = threshold;
            if (body.ContactsSupported is bool contacts) o.ContactsSupported = contacts;
            if (body.HandshakeMethod is { } method) o.HandshakeMethod = method.ToUpperInvariant();
            if (body.HandshakeMatch is HandshakeMatch match) o.HandshakeMatch = match;
            if (body.RemoveExpiredAtOnce is bool atOnce) o.RemoveExpiredAtOnce = atOnce;
            if (body.AutomaticDelivery is bool automatic) o.AutomaticDelivery = automatic;
            return Results.Ok(State(webhooks));
        });
        admin.MapPost("/bc/webhooks/deliver", async (CancellationToken cancellationToken) => Results.Ok(await webhooks.DeliverDueAsync(cancellationToken).ConfigureAwait(false)));
        admin.MapGet("/bc/webhooks/journal", () => Results.Ok(webhooks.Journal.Snapshot()));
        admin.MapDelete("/bc/webhooks/journal", () => { webhooks.Journal.Clear(); return Results.NoContent(); });
    }

    /// <summary>Subscriptions without their clientState: the admin view is for checks, not for secrets.</summary>
    private static object State(BcWebhooks webhooks)
    {
        var o = webhooks.Options;
        return new
        {
            notificationDelaySeconds = o.NotificationDelay.TotalSeconds, handshakeTimeoutMs = o.HandshakeTimeout.TotalMilliseconds,
            deliveryTimeoutMs = o.DeliveryTimeout.TotalMilliseconds, maxSubscriptions = o.MaxSubscriptions, collectionThreshold = o.CollectionThreshold,
            contactsSupported = o.ContactsSupported, handshakeMethod = o.HandshakeMethod, handshakeMatch = o.HandshakeMatch.ToString(),
            removeExpiredAtOnce = o.RemoveExpiredAtOnce, automaticDelivery = o.AutomaticDelivery,
            retryScheduleMinutes = o.RetrySchedule.Select(d => d.TotalMinutes).ToArray(),
            pendingNotifications = webhooks.PendingNotifications, nextJobAt = webhooks.NextJobAt,
            subscriptions = webhooks.Subscriptions.Select(s => new
            {
                subscriptionId = s.SubscriptionId, s.NotificationUrl, s.Resource, s.EntitySet, s.ExpirationDateTime, lastModifiedDateTime = s.LastModified,
                retry = webhooks.RetryState(s.NotificationUrl) is { } retry ? new { retry.NextAttempt, retry.RetryAt } : null,
            }).ToArray(),
        };
    }

    public sealed record WebhookSettings(double? NotificationDelaySeconds, int? HandshakeTimeoutMs, int? DeliveryTimeoutMs, int? MaxSubscriptions, int? CollectionThreshold,
        bool? ContactsSupported, string? HandshakeMethod, HandshakeMatch? HandshakeMatch, bool? RemoveExpiredAtOnce, bool? AutomaticDelivery);
}
