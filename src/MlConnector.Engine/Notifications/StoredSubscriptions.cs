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
/// <remarks>
/// Reads caused by unknown ids are bounded, since anyone can post one: an id missed less than a second ago does not read
/// again, and at most ten reads a second are made however many ids are posted.
/// </remarks>
public sealed class StoredSubscriptions : IKnownSubscriptions
{
    private static readonly TimeSpan MissWindow = TimeSpan.FromSeconds(1);
    private const int MaxReloadsPerWindow = 10;
    private readonly Func<IReadOnlyList<PairSubscription>> _read;
    private readonly Func<ClientStateLocation, SecretText?> _clientStateOf;
    private readonly TimeProvider _time;
    private readonly IEngineLog _log;
    private readonly HashSet<string> _warned = new(StringComparer.Ordinal);
    private readonly object _gate = new();
    private readonly Dictionary<string, DateTimeOffset> _recentMisses = new(StringComparer.Ordinal);
    private readonly Queue<DateTimeOffset> _recentReloads = new();
    private KnownSubscriptionSet _known = new([]);

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
            if (!MayReloadFor(subscriptionId)) return null;
            Reload();
            return _known.Find(subscriptionId);
        }
    }

    private bool MayReloadFor(string subscriptionId)
    {
        var now = _time.GetUtcNow();
        while (_recentReloads.Count > 0 && now - _recentReloads.Peek() >= MissWindow) _recentReloads.Dequeue();
        foreach (var stale in _recentMisses.Where(m => now - m.Value >= MissWindow).Select(m => m.Key).ToArray()) _recentMisses.Remove(stale);
        if (_recentMisses.ContainsKey(subscriptionId) || _recentReloads.Count >= MaxReloadsPerWindow) return false;
        if (_recentMisses.Count < 1000) _recentMisses[subscriptionId] = now;
        _recentReloads.Enqueue(now);
        return true;
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
    }

    private static string Where(ClientStateLocation location)
        => location.InVault ? $"not in the vault ({location})" : "kept by the caller and was not given";
}
