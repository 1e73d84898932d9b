using MlConnector.Engine.Security;

namespace MlConnector.Engine.BusinessCentral;

/// <summary>
/// A webhook subscription as Business Central holds it (entity set subscriptions). The clientState is a secret: it is
/// kept as <see cref="SecretText"/>, which prints as "***".
/// </summary>
public sealed record BcSubscription
{
    /// <summary>subscriptionId: opaque (32 hex characters online).</summary>
    public required string Id { get; init; }

    /// <summary>The watched collection, as it was registered (e.g. /api/v2.0/companies(…)/customers).</summary>
    public required string Resource { get; init; }

    public required string NotificationUrl { get; init; }

    /// <summary>Three days after creation or the last renewal; Business Central deletes it then.</summary>
    public DateTimeOffset ExpirationDateTime { get; init; }

    public DateTimeOffset LastModifiedDateTime { get; init; }

    /// <summary>The @odata.etag a renewal or delete must send as If-Match.</summary>
    public string? ETag { get; init; }

    public SecretText? ClientState { get; init; }

    public bool IsExpiredAt(DateTimeOffset instant) => ExpirationDateTime <= instant;
}

/// <summary>One row of webhookSupportedResources: "v2.0/customers" is API version "v2.0", entity set "customers".</summary>
public sealed record BcWebhookResource(string Resource, string ApiVersion, string EntitySet);
