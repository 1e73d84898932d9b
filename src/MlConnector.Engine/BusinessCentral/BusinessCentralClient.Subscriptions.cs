using System.Text.Json;
using System.Text.RegularExpressions;
using MlConnector.Engine.Http;
using MlConnector.Engine.Security;

namespace MlConnector.Engine.BusinessCentral;

/// <summary>
/// Webhook subscriptions (tenant-level: {API root}/subscriptions) and the runtime list of webhook-enabled resources.
/// Business Central validates the notification URL with a handshake before it answers a create or a renewal.
/// </summary>
public sealed partial class BusinessCentralClient
{
    public const int MaxClientStateLength = 2048;
    private const string SubscriptionsSet = "subscriptions";

    /// <summary>The resource a subscription to <paramref name="entitySet"/> of the connected company registers.</summary>
    public string SubscriptionResource(string entitySet)
    {
        RequireEntitySet(entitySet);
        return $"/api/v2.0/companies({Company.Id:D})/{entitySet}";
    }

    /// <summary>POST subscriptions for <paramref name="entitySet"/> of the connected company; BC runs the handshake against <paramref name="notificationUrl"/> first.</summary>
    public async Task<BcSubscription> CreateSubscriptionAsync(Uri notificationUrl, string entitySet, SecretText? clientState, CancellationToken cancellationToken)
    {
        var body = SubscriptionBody(notificationUrl, SubscriptionResource(entitySet), clientState);
        using var doc = await _http.SendAsync(new BcRequest(HttpMethod.Post, new Uri(_endpoints.ApiRoot, SubscriptionsSet)) { JsonBody = body }, cancellationToken).ConfigureAwait(false);
        var created = Subscription(doc!.RootElement);
        _log.Verbose($"Created BC subscription {created.Id} for {entitySet}, expiring {created.ExpirationDateTime:u}.");
        return created;
    }

    /// <summary>Every subscription the app's user holds in the environment.</summary>
    public async Task<IReadOnlyList<BcSubscription>> GetSubscriptionsAsync(CancellationToken cancellationToken)
    {
        var all = new List<BcSubscription>();
        await foreach (var subscription in _reader.ReadAsync(new Uri(_endpoints.ApiRoot, SubscriptionsSet), SubscriptionsSet, Subscription, null, cancellationToken).ConfigureAwait(false))
            all.Add(subscription);
        return all;
    }

    /// <summary>The subscription, or null when BC no longer has it (deleted, expired, or dropped after failed deliveries).</summary>
    public async Task<BcSubscription?> GetSubscriptionAsync(string subscriptionId, CancellationToken cancellationToken)
    {
        try
        {
            using var doc = await _http.SendAsync(BcRequest.Get(SubscriptionUri(subscriptionId)), cancellationToken).ConfigureAwait(false);
            return doc is null ? null : Subscription(doc.RootElement);
        }
        catch (BusinessCentralException e) when (e.StatusCode == 404)
        {
            return null;
        }
    }

    /// <summary>
    /// Renews for another three days: PATCH with If-Match and a body (BC refuses an empty one) carrying the same
    /// notificationUrl, resource and, when given, clientState; BC runs the handshake again.
    /// </summary>
    public async Task<BcSubscription> RenewSubscriptionAsync(BcSubscription current, SecretText? clientState, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(current);
        var body = SubscriptionBody(new Uri(current.NotificationUrl), current.Resource, clientState);
        var request = new BcRequest(HttpMethod.Patch, SubscriptionUri(current.Id)) { JsonBody = body, IfMatch = current.ETag ?? "*" };
        using var doc = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        var renewed = Subscription(doc!.RootElement);
        _log.Verbose($"Renewed BC subscription {renewed.Id}, now expiring {renewed.ExpirationDateTime:u}.");
        return renewed;
    }

    /// <summary>DELETE with If-Match (the etag when known, else "*"); false when BC did not have it any more.</summary>
    public async Task<bool> DeleteSubscriptionAsync(string subscriptionId, string? etag, CancellationToken cancellationToken)
    {
        try
        {
            await _http.SendAsync(new BcRequest(HttpMethod.Delete, SubscriptionUri(subscriptionId)) { IfMatch = etag ?? "*" }, cancellationToken).ConfigureAwait(false);
            _log.Verbose($"Deleted BC subscription {subscriptionId}.");
            return true;
        }
        catch (BusinessCentralException e) when (e.StatusCode == 404)
        {
            return false;
        }
    }

    /// <summary>The API v2.0 resources Business Central can send notifications for, read at run time (contacts is not documented as one).</summary>
    public async Task<IReadOnlyList<BcWebhookResource>> GetWebhookSupportedResourcesAsync(CancellationToken cancellationToken)
    {
        var uri = new Uri(_endpoints.ApiRoot, $"../microsoft/runtime/beta/companies({Company.Id:D})/webhookSupportedResources?$filter=" + Uri.EscapeDataString("resource eq 'v2.0*'"));
        var resources = new List<BcWebhookResource>();
        await foreach (var resource in _reader.ReadAsync(uri, "webhookSupportedResources", e => BcJson.Str(e, "resource"), null, cancellationToken).ConfigureAwait(false))
        {
            var slash = resource.IndexOf('/', StringComparison.Ordinal);
            if (slash > 0) resources.Add(new BcWebhookResource(resource, resource[..slash], resource[(slash + 1)..]));
        }
        return resources;
    }

    private Uri SubscriptionUri(string subscriptionId)
    {
        ArgumentException.ThrowIfNullOrEmpty(subscriptionId);
        return new Uri(_endpoints.ApiRoot, $"{SubscriptionsSet}('{Uri.EscapeDataString(subscriptionId.Replace("'", "''", StringComparison.Ordinal))}')");
    }

    private static string SubscriptionBody(Uri notificationUrl, string resource, SecretText? clientState)
    {
        ArgumentNullException.ThrowIfNull(notificationUrl);
        try
        {
            EndpointPolicy.RequireSecure(notificationUrl, "The notification URL");
        }
        catch (ArgumentException e)
        {
            throw new BusinessCentralConfigurationException(e.Message, e);
        }
        var fields = new Dictionary<string, string> { ["notificationUrl"] = notificationUrl.AbsoluteUri, ["resource"] = resource };
        if (clientState is not null)
        {
            var state = clientState.Reveal();
            if (state.Length > MaxClientStateLength)
                throw new BusinessCentralConfigurationException($"A clientState can be at most {MaxClientStateLength} characters; this one has {state.Length}.");
            fields["clientState"] = state;
        }
        return JsonSerializer.Serialize(fields);
    }

    private static BcSubscription Subscription(JsonElement e)
    {
        var clientState = BcJson.Str(e, "clientState");
        return new BcSubscription
        {
            Id = BcJson.Str(e, "subscriptionId"),
            Resource = BcJson.Str(e, "resource"),
            NotificationUrl = BcJson.Str(e, "notificationUrl"),
            ExpirationDateTime = BcJson.Time(e, "expirationDateTime"),
            LastModifiedDateTime = BcJson.Time(e, "lastModifiedDateTime"),
            ETag = e.TryGetProperty("@odata.etag", out var tag) ? tag.GetString() : null,
            ClientState = clientState.Length == 0 ? null : new SecretText(clientState),
        };
    }

    private static void RequireEntitySet(string entitySet)
    {
        if (string.IsNullOrEmpty(entitySet) || !EntitySetPattern().IsMatch(entitySet))
            throw new ArgumentException($"'{entitySet}' is not an entity set name (such as customers).", nameof(entitySet));
    }

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9]*$")]
    private static partial Regex EntitySetPattern();
}
