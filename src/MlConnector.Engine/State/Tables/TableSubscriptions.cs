using Azure.Data.Tables;

namespace MlConnector.Engine.State.Tables;

/// <summary>
/// One pair's BC webhook subscriptions: rows "subscription|id" in the pairs table (partition = pair id), never a
/// clientState, only where it is kept. A save of a known id replaces it but keeps when it was created, conditional on
/// the ETag it read, as SQLite's upsert does.
/// </summary>
internal sealed class TableSubscriptions(TableClient table, string pairId) : ISubscriptionStore
{
    public const string Prefix = "subscription|";

    public IReadOnlyList<SubscriptionRecord> All() => TableQueries.Range(table, pairId, Prefix, "list the sync pair's subscriptions").Select(ToRecord)
        .OrderBy(s => s.CreatedAt).ThenBy(s => s.SubscriptionId, StringComparer.Ordinal).ToList();

    public void Save(SubscriptionRecord subscription)
    {
        ArgumentNullException.ThrowIfNull(subscription);
        TableCalls.Optimistic("save the subscription " + subscription.SubscriptionId, () =>
        {
            var found = table.GetEntityIfExists<TableEntity>(pairId, Key(subscription.SubscriptionId));
            if (!found.HasValue)
            {
                table.AddEntity(Entity(subscription));
                return;
            }
            var stored = found.Value!;
            table.UpdateEntity(Entity(subscription with { CreatedAt = StateTime.Parse(stored.GetString("CreatedAt")) }), stored.ETag, TableUpdateMode.Replace);
        });
    }

    public bool Remove(string subscriptionId) => TableCalls.Optimistic("remove the subscription " + subscriptionId, () =>
    {
        var found = table.GetEntityIfExists<TableEntity>(pairId, Key(subscriptionId));
        if (!found.HasValue) return false;
        table.DeleteEntity(pairId, found.Value!.RowKey, found.Value.ETag);
        return true;
    });

    private static string Key(string subscriptionId) => Prefix + TableKeys.Part(subscriptionId);

    private TableEntity Entity(SubscriptionRecord s)
    {
        var entity = new TableEntity(pairId, Key(s.SubscriptionId))
        {
            ["SubscriptionId"] = s.SubscriptionId,
            ["EntitySet"] = s.EntitySet,
            ["Resource"] = s.Resource,
            ["NotificationUrl"] = s.NotificationUrl,
            ["ExpiresAt"] = StateTime.Format(s.ExpiresAt),
            ["CreatedAt"] = StateTime.Format(s.CreatedAt),
            ["UpdatedAt"] = StateTime.Format(s.UpdatedAt),
        };
        if (s.ETag is { } etag) entity["BcETag"] = etag;
        if (s.ClientState.Vault is { } vault) entity["ClientStateVault"] = vault;
        if (s.ClientState.SecretName is { } secret) entity["ClientStateSecret"] = secret;
        return entity;
    }

    private static SubscriptionRecord ToRecord(TableEntity row) => new(
        row.GetString("SubscriptionId"), row.GetString("EntitySet"), row.GetString("Resource"), row.GetString("NotificationUrl"),
        StateTime.Parse(row.GetString("ExpiresAt")), row.GetString("BcETag"), new ClientStateLocation(row.GetString("ClientStateVault"), row.GetString("ClientStateSecret")),
        StateTime.Parse(row.GetString("CreatedAt")), StateTime.Parse(row.GetString("UpdatedAt")));
}
