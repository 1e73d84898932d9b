using System.Text.Json;
using System.Text.RegularExpressions;

namespace MlConnector.Sandbox.BusinessCentral.Webhooks;

/// <summary>
/// {API root}/subscriptions (shared/api/business-central.md §5.1, §5.2): list, read one by its quoted key, create and renew
/// (each after a successful handshake; expiry = now + 3 days whatever the body says), delete; If-Match on PATCH and DELETE.
/// </summary>
internal sealed partial class SubscriptionEndpoints(BcWebhooks webhooks)
{
    private const int MaxClientState = 2048;
    private const string EntityType = "Microsoft.NAV.subscriptions";

    /// <summary>The subscriptions properties of $metadata: these three are written, the rest are the server's and ignored.</summary>
    private static readonly HashSet<string> ReadOnly = new(StringComparer.Ordinal)
    {
        "subscriptionId", "timestamp", "userId", "lastModifiedDateTime", "expirationDateTime", "systemCreatedAt", "systemCreatedBy", "systemModifiedAt", "systemModifiedBy",
    };

    public async Task<BcResponse> ExecuteAsync(BcRequest request, CancellationToken cancellationToken)
    {
        try
        {
            webhooks.RemoveExpiredNow();
            var match = PathPattern().Match(request.Path);
            if (!match.Success) throw request.Path.StartsWith("subscriptions(", StringComparison.Ordinal) ? BcErrors.Syntax() : BcErrors.SegmentNotFound(request.Path.Split('/')[^1]);
            if (!match.Groups["key"].Success)
            {
                return request.Method switch
                {
                    "GET" => List(request),
                    "POST" => await CreateAsync(request, cancellationToken).ConfigureAwait(false),
                    _ => throw BcErrors.MethodNotAllowed(request.Method, "subscriptions"),
                };
            }
            var key = match.Groups["key"].Value.Replace("''", "'", StringComparison.Ordinal);
            var subscription = webhooks.Find(key) ?? throw NotFound(key);
            return request.Method switch
            {
                "GET" => Entity(request, subscription, 200),
                "PATCH" => await RenewAsync(request, subscription, cancellationToken).ConfigureAwait(false),
                "DELETE" => Delete(request, subscription),
                _ => throw BcErrors.MethodNotAllowed(request.Method, "subscriptions"),
            };
        }
        catch (BcException e)
        {
            return BcResponse.Error(e);
        }
    }

    private BcResponse List(BcRequest request)
    {
        var all = webhooks.Subscriptions;
        return BcResponse.Json(200, writer =>
        {
            writer.WriteStartObject();
            writer.WriteString("@odata.context", request.ApiRoot + "$metadata#subscriptions");
            writer.WriteStartArray("value");
            foreach (var subscription in all) subscription.Write(writer);
            writer.WriteEndArray();
            writer.WriteEndObject();
        }, all.Count);
    }

    private async Task<BcResponse> CreateAsync(BcRequest request, CancellationToken cancellationToken)
    {
        var fields = Read(BcResources.RequireObject(request));
        var subscription = new BcWebhookSubscription { Id = Guid.NewGuid(), UserId = webhooks.UserId };
        Apply(subscription, fields, creating: true);
        if (webhooks.Subscriptions.Count >= webhooks.Options.MaxSubscriptions) throw LimitReached();
        if (!await webhooks.HandshakeAsync(subscription.NotificationUrl, subscription.SubscriptionId, cancellationToken).ConfigureAwait(false)) throw HandshakeFailed();

        webhooks.StampNew(subscription);
        if (!webhooks.TryAdd(subscription)) throw LimitReached();
        var response = Entity(request, subscription, 201);
        response.Headers["Location"] = $"{request.ApiRoot}subscriptions('{subscription.SubscriptionId}')";
        return response;
    }

    private async Task<BcResponse> RenewAsync(BcRequest request, BcWebhookSubscription subscription, CancellationToken cancellationToken)
    {
        BcResources.CheckETag(request, subscription);
        var fields = Read(BcResources.RequireObject(request));
        var renewed = new BcWebhookSubscription { Id = subscription.Id, UserId = subscription.UserId };
        BcWebhooks.CopyInto(subscription, renewed);
        Apply(renewed, fields, creating: false);
        if (!await webhooks.HandshakeAsync(renewed.NotificationUrl, subscription.SubscriptionId, cancellationToken).ConfigureAwait(false)) throw HandshakeFailed();
        if (!webhooks.Renew(subscription, renewed)) throw NotFound(subscription.SubscriptionId);
        return Entity(request, subscription, 200);
    }

    private BcResponse Delete(BcRequest request, BcWebhookSubscription subscription)
    {
        BcResources.CheckETag(request, subscription);
        webhooks.Remove(subscription);
        return BcResponse.NoContent();
    }

    private static BcResponse Entity(BcRequest request, BcWebhookSubscription subscription, int status)
        => BcResponse.Json(status, writer => subscription.Write(writer, request.ApiRoot + "$metadata#subscriptions/$entity"), 1);

    private static Dictionary<string, string> Read(JsonElement body)
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var property in body.EnumerateObject())
        {
            if (property.Name.StartsWith('@') || ReadOnly.Contains(property.Name)) continue;
            if (property.Name is not ("notificationUrl" or "resource" or "clientState"))
                throw BcErrors.BadRequest($"The property '{property.Name}' does not exist on type '{EntityType}'. Make sure to only use property names that are defined by the type.");
            fields[property.Name] = property.Value.ValueKind switch
            {
                JsonValueKind.String => property.Value.GetString()!,
                JsonValueKind.Null => "",
                _ => throw BcErrors.BadRequest("Invalid Request Body"),
            };
        }
        return fields;
    }

    private void Apply(BcWebhookSubscription subscription, Dictionary<string, string> fields, bool creating)
    {
        if (fields.TryGetValue("notificationUrl", out var url) || creating)
        {
            if (string.IsNullOrWhiteSpace(url)) throw new BcException(400, "BadRequest_RequiredParamNotProvided", "Field 'notificationUrl' must not be blank or empty.");
            if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
                throw BcErrors.BadRequest($"The notificationUrl '{url}' is not an absolute http or https URL.");
            subscription.NotificationUrl = url;
        }
        if (fields.TryGetValue("resource", out var resource) || creating)
        {
            if (string.IsNullOrWhiteSpace(resource)) throw new BcException(400, "BadRequest_RequiredParamNotProvided", "Field 'resource' must not be blank or empty.");
            (subscription.CompanyId, subscription.EntitySet) = webhooks.SubscribableEntitySet(resource);
            subscription.Resource = resource;
        }
        if (fields.TryGetValue("clientState", out var clientState))
        {
            if (clientState.Length > MaxClientState) throw BcErrors.StringTooLong(clientState, MaxClientState);
            subscription.ClientState = clientState;
        }
    }

    private BcException HandshakeFailed() => new(webhooks.Options.HandshakeFailureStatus, webhooks.Options.HandshakeFailureCode,
        $"The subscription could not be validated: the notification URL did not answer the validation request with HTTP 200 and the validation token within {webhooks.Options.HandshakeTimeout.TotalSeconds:0.###} seconds.");

    private BcException LimitReached() => new(webhooks.Options.LimitReachedStatus, webhooks.Options.LimitReachedCode,
        $"The maximum number of webhook subscriptions ({webhooks.Options.MaxSubscriptions}) has been reached.");

    private static BcException NotFound(string key) => BcErrors.RecordNotFound("API Webhook Subscription", $"Subscription Id='{key}'");

    [GeneratedRegex(@"^subscriptions(?:\('(?<key>(?:[^']|'')*)'\))?$")]
    private static partial Regex PathPattern();
}
