using Microsoft.Data.Sqlite;
using static MlConnector.Engine.State.Sqlite.SqliteCommands;

namespace MlConnector.Engine.State.Sqlite;

/// <summary>One pair's webhook subscriptions in the subscriptions table.</summary>
internal sealed class SqliteSubscriptions(SqliteConnection connection, string pairId) : ISubscriptionStore
{
    private const string Columns = "subscription_id, entity_set, resource, notification_url, expires_at, etag, client_state_vault, client_state_secret, created_at, updated_at";

    public IReadOnlyList<SubscriptionRecord> All() => Guard(() =>
    {
        using var command = Create(connection, $"SELECT {Columns} FROM subscriptions WHERE pair_id = $pair ORDER BY created_at, subscription_id;", ("$pair", pairId));
        using var reader = command.ExecuteReader();
        var all = new List<SubscriptionRecord>();
        while (reader.Read())
        {
            all.Add(new SubscriptionRecord(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), ParseTime(reader.GetString(4)),
                reader.IsDBNull(5) ? null : reader.GetString(5),
                new ClientStateLocation(reader.IsDBNull(6) ? null : reader.GetString(6), reader.IsDBNull(7) ? null : reader.GetString(7)),
                ParseTime(reader.GetString(8)), ParseTime(reader.GetString(9))));
        }
        return (IReadOnlyList<SubscriptionRecord>)all;
    });

    public void Save(SubscriptionRecord subscription) => Guard(() =>
    {
        using var command = Create(connection, $"""
            INSERT INTO subscriptions(pair_id, {Columns}) VALUES ($pair, $id, $set, $resource, $url, $expires, $etag, $vault, $secret, $created, $updated)
            ON CONFLICT(pair_id, subscription_id) DO UPDATE SET entity_set = excluded.entity_set, resource = excluded.resource,
                notification_url = excluded.notification_url, expires_at = excluded.expires_at, etag = excluded.etag,
                client_state_vault = excluded.client_state_vault, client_state_secret = excluded.client_state_secret, updated_at = excluded.updated_at;
            """, ("$pair", pairId), ("$id", subscription.SubscriptionId), ("$set", subscription.EntitySet), ("$resource", subscription.Resource),
            ("$url", subscription.NotificationUrl), ("$expires", Time(subscription.ExpiresAt)), ("$etag", subscription.ETag),
            ("$vault", subscription.ClientState.Vault), ("$secret", subscription.ClientState.SecretName),
            ("$created", Time(subscription.CreatedAt)), ("$updated", Time(subscription.UpdatedAt)));
        command.ExecuteNonQuery();
    });

    public bool Remove(string subscriptionId) => Guard(() =>
    {
        using var command = Create(connection, "DELETE FROM subscriptions WHERE pair_id = $pair AND subscription_id = $id;", ("$pair", pairId), ("$id", subscriptionId));
        return command.ExecuteNonQuery() == 1;
    });
}
