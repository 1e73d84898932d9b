using MlConnector.Engine.Diagnostics;
using MlConnector.Engine.Security;
using MlConnector.Engine.State;

namespace MlConnector.Engine.Notifications;

/// <summary>A subscription of a state store with the pair that owns it.</summary>
public sealed record PairSubscription(string PairId, SubscriptionRecord Record);

/// <summary>
/// The subscriptions every pair of a state store keeps, as the handler looks them up: each tagged with its pair and
/// holding its clientState, which the host resolves (from the vault, or as the caller gave it). When a notification
/// names an id not known yet, the store is read again (at most once a second), so a subscription registered or
/// re-created while a listener runs is found without a restart. A subscription whose clientState cannot be had is left
/// out: its notifications are rejected as unknown.
/// </summary>
public sealed class StoredSubscriptions : IKnownSubscriptions
{
    private static readonly TimeSpan ReloadInterval = TimeSpan.FromSeconds(1);
    private readonly Func<IReadOnlyList<PairSubscription>> _read;
    private readonly Func<ClientStateLocation, SecretText?> _clientStateOf;
    private readonly TimeProvider _time;
    private readonly IEngineLog _log;
    private readonly HashSet<string> _warned = new(StringComparer.Ordinal);
    private readonly object _gate = new();
    private KnownSubscriptionSet _known = new([]);
    private DateTimeOffset _loadedAt = DateTimeOffset.MinValue;

    /// <param name="read">Reads every pair's subscriptions (the host serialises it with its other uses of the store).</param>
    /// <param name="clientStateOf">The clientState kept at a location, or null when it is not available.</param>
    public StoredSubscriptions(Func<IReadOnlyList<PairSubscription>> read, Func<ClientStateLocation, SecretText?> clientStateOf, TimeProvider time, IEngineLog log)
    {
        _read = read;
        _clientStateOf = clientStateOf;
        _time = time;
        _log = log;
        Reload();
    }

    /// <summary>Every pair's subscriptions in <paramref name="store"/>.</summary>
    public static IReadOnlyList<PairSubscription> ReadAll(IStateStore store)
    {
        ArgumentNullException.ThrowIfNull(store);
        return store.Pairs().SelectMany(p => store.Pair(p.PairId).Subscriptions.All().Select(s => new PairSubscription(p.PairId, s))).ToArray();
    }

    /// <summary>How many subscriptions the handler knows now.</summary>
    public int Count { get; private set; }

    public KnownSubscription? Find(string subscriptionId)
    {
        lock (_gate)
        {
            if (_known.Find(subscriptionId) is { } known) return known;
            if (_time.GetUtcNow() - _loadedAt < ReloadInterval) return null;
            Reload();
            return _known.Find(subscriptionId);
        }
    }

    /// <summary>Reads the store again now (after registering a subscription in this process).</summary>
    public void Refresh()
    {
        lock (_gate) Reload();
    }

    private void Reload()
    {
        var known = new List<KnownSubscription>();
        foreach (var (pairId, record) in _read())
        {
            var resource = BcResourcePath.Parse(record.Resource);
            if (resource is null) continue;
            if (_clientStateOf(record.ClientState) is not { } clientState)
            {
                if (_warned.Add(record.SubscriptionId))
                {
                    _log.Warning(EngineWarnings.ClientStateUnavailable,
                        $"The clientState of subscription {record.SubscriptionId} ({record.EntitySet}, pair {pairId}) is {Where(record.ClientState)}: its notifications are rejected " +
                        "until it can be had (pass -ClientState, or register the subscription again).");
                }
                continue;
            }
            known.Add(new KnownSubscription(record.SubscriptionId, resource.CompanyId, resource.EntitySet, clientState) { PairId = pairId });
        }
        _known = new KnownSubscriptionSet(known.DistinctBy(k => k.SubscriptionId, StringComparer.Ordinal));
        Count = known.Count;
        _loadedAt = _time.GetUtcNow();
    }

    private static string Where(ClientStateLocation location)
        => location.InVault ? $"not in the vault ({location})" : "kept by the caller and was not given";
}
