using System.Buffers;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace MlConnector.Sandbox.BusinessCentral.Webhooks;

/// <summary>
/// Builds the body of one delivery (shared/api/business-central.md §5.4, §5.5): per subscription, repeated updates of one
/// entity collapse into one carrying the latest time; when a subscription has <see cref="BcWebhookOptions.CollectionThreshold"/>
/// or more pending rows they become one <c>collection</c> notification, filtered on lastModifiedDateTime unless a delete
/// was among them. UTF-8 without BOM.
/// </summary>
internal static class NotificationBody
{
    private static readonly TimeSpan FilterLead = TimeSpan.FromMilliseconds(50);

    public static (byte[] Body, int Count) Compose(IReadOnlyList<PendingNotification> rows, int collectionThreshold)
    {
        var buffer = new ArrayBufferWriter<byte>(4096);
        var count = 0;
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteStartObject();
            writer.WriteStartArray("value");
            foreach (var group in rows.GroupBy(r => r.Subscription))
            {
                var subscription = group.Key;
                var pending = group.ToList();
                if (pending.Count >= collectionThreshold)
                {
                    var filtered = pending.All(r => r.ChangeType != BcChangeType.Deleted);
                    var first = pending.Min(r => r.ChangedAt);
                    var resource = subscription.Resource + (filtered ? "?$filter=lastModifiedDateTime%20gt%20" + Timestamp(first - FilterLead) : "");
                    Write(writer, subscription, resource, "collection", pending.Max(r => r.ChangedAt));
                    count++;
                    continue;
                }
                foreach (var (entityId, change, time) in Collapse(pending))
                {
                    Write(writer, subscription, $"{subscription.Resource.TrimEnd('/')}({entityId:D})", change.ToString().ToLowerInvariant(), time);
                    count++;
                }
            }
            writer.WriteEndArray();
            writer.WriteEndObject();
        }
        return (buffer.WrittenSpan.ToArray(), count);
    }

    /// <summary>Keeps the order of first appearance; an update following an update of the same entity only moves its time.</summary>
    private static List<(Guid EntityId, BcChangeType Change, DateTimeOffset Time)> Collapse(List<PendingNotification> pending)
    {
        var result = new List<(Guid, BcChangeType, DateTimeOffset)>(pending.Count);
        var lastUpdate = new Dictionary<Guid, int>();
        foreach (var row in pending.OrderBy(r => r.ChangedAt))
        {
            if (row.ChangeType == BcChangeType.Updated && lastUpdate.TryGetValue(row.EntityId, out var index))
            {
                result[index] = (row.EntityId, BcChangeType.Updated, row.ChangedAt);
                continue;
            }
            if (row.ChangeType == BcChangeType.Updated) lastUpdate[row.EntityId] = result.Count;
            else lastUpdate.Remove(row.EntityId);
            result.Add((row.EntityId, row.ChangeType, row.ChangedAt));
        }
        return result;
    }

    private static void Write(Utf8JsonWriter writer, BcWebhookSubscription subscription, string resource, string changeType, DateTimeOffset time)
    {
        writer.WriteStartObject();
        writer.WriteString("subscriptionId", subscription.SubscriptionId);
        writer.WriteString("clientState", subscription.ClientState);
        writer.WriteString("expirationDateTime", subscription.ExpirationDateTime.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
        writer.WriteString("resource", resource);
        writer.WriteString("changeType", changeType);
        writer.WriteString("lastModifiedDateTime", Timestamp(time));
        writer.WriteEndObject();
    }

    private static string Timestamp(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
}
