using System.Security.Cryptography;
using System.Text;
using MlConnector.Engine.BusinessCentral;
using MlConnector.Engine.Security;

namespace MlConnector.Engine.Notifications;

/// <summary>
/// A subscription the connector created: its id, the company and entity set it watches, and its clientState, kept only
/// as a SHA-256 digest so a notification's clientState can be compared in constant time without holding the secret.
/// </summary>
public sealed class KnownSubscription
{
    public KnownSubscription(string subscriptionId, Guid companyId, string entitySet, SecretText? clientState)
    {
        ArgumentException.ThrowIfNullOrEmpty(subscriptionId);
        ArgumentException.ThrowIfNullOrEmpty(entitySet);
        SubscriptionId = subscriptionId;
        CompanyId = companyId;
        EntitySet = entitySet;
        ClientStateDigest = Digest(clientState?.Reveal() ?? "");
    }

    public string SubscriptionId { get; }

    public Guid CompanyId { get; }

    public string EntitySet { get; }

    /// <summary>The sync pair that owns the subscription: its notifications become work for that pair only.</summary>
    public string? PairId { get; init; }

    internal byte[] ClientStateDigest { get; }

    /// <summary>From a subscription as Business Central returned it, with the clientState the connector keeps for it.</summary>
    public static KnownSubscription From(BcSubscription subscription, SecretText? clientState)
    {
        ArgumentNullException.ThrowIfNull(subscription);
        var resource = BcResourcePath.Parse(subscription.Resource)
            ?? throw new ArgumentException($"Subscription {subscription.Id} watches '{subscription.Resource}', which is not a company's entity set.", nameof(subscription));
        return new KnownSubscription(subscription.Id, resource.CompanyId, resource.EntitySet, clientState);
    }

    public override string ToString() => $"{SubscriptionId} ({EntitySet} of company {CompanyId})";

    internal static byte[] Digest(string value) => SHA256.HashData(Encoding.UTF8.GetBytes(value));
}

/// <summary>Where the handler looks subscriptions up; the state store implements it per sync pair.</summary>
public interface IKnownSubscriptions
{
    KnownSubscription? Find(string subscriptionId);
}

/// <summary>An in-memory lookup (ordinal, case-sensitive ids).</summary>
public sealed class KnownSubscriptionSet : IKnownSubscriptions
{
    private readonly Dictionary<string, KnownSubscription> _byId;

    public KnownSubscriptionSet(IEnumerable<KnownSubscription> subscriptions)
    {
        ArgumentNullException.ThrowIfNull(subscriptions);
        _byId = subscriptions.ToDictionary(s => s.SubscriptionId, StringComparer.Ordinal);
    }

    public KnownSubscription? Find(string subscriptionId) => _byId.GetValueOrDefault(subscriptionId);
}
