using System.Text.Json;

namespace MlConnector.Sandbox.BusinessCentral.Webhooks;

/// <summary>
/// One row of BC's "API Webhook Subscription" table (entity set <c>subscriptions</c>, shared/api/business-central.md §3.7).
/// The key is 32 lowercase hex characters, as in the docs' example; the row version drives the etag like any BC record.
/// </summary>
public sealed class BcWebhookSubscription : BcRecord
{
    public string SubscriptionId => Id.ToString("N");

    public string NotificationUrl { get; set; } = "";

    /// <summary>The resource exactly as the subscriber sent it; notifications append "({id})" to it.</summary>
    public string Resource { get; set; } = "";

    /// <summary>The company whose entity set the resource points at.</summary>
    public Guid CompanyId { get; set; }

    /// <summary>The entity set the resource points at (customers, contacts, ...).</summary>
    public string EntitySet { get; set; } = "";

    public string ClientState { get; set; } = "";

    public DateTimeOffset ExpirationDateTime { get; set; }

    public Guid UserId { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public bool IsExpired(DateTimeOffset now) => ExpirationDateTime <= now;

    /// <summary>The entity in BC's JSON, with every property of the subscriptions type in $metadata order.</summary>
    public void Write(Utf8JsonWriter writer, string? context = null)
    {
        writer.WriteStartObject();
        if (context is not null) writer.WriteString("@odata.context", context);
        writer.WriteString("@odata.etag", ODataWriter.ETag(this));
        writer.WriteString("subscriptionId", SubscriptionId);
        writer.WriteString("notificationUrl", NotificationUrl);
        writer.WriteString("resource", Resource);
        writer.WriteNumber("timestamp", RowVersion);
        writer.WriteString("userId", UserId.ToString("D"));
        writer.WriteString("lastModifiedDateTime", BcTime.Format(LastModified));
        writer.WriteString("clientState", ClientState);
        writer.WriteString("expirationDateTime", BcTime.Format(ExpirationDateTime));
        writer.WriteString("systemCreatedAt", BcTime.Format(CreatedAt));
        writer.WriteString("systemCreatedBy", UserId.ToString("D"));
        writer.WriteString("systemModifiedAt", BcTime.Format(LastModified));
        writer.WriteString("systemModifiedBy", UserId.ToString("D"));
        writer.WriteEndObject();
    }
}
