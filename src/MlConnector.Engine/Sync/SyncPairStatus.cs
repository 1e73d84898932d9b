using MlConnector.Engine.State;

namespace MlConnector.Engine.Sync;

/// <summary>
/// What the connector believes about one sync pair (Get-MlSyncState): who it joins, where its reads stand, what waits
/// in its queue, when it last ran and who holds it now. Flat, so it exports to CSV as it is.
/// </summary>
public sealed class SyncPairStatus
{
    /// <summary>The pair's id; "unclaimed" for state written before sync pairs that no pair has adopted yet.</summary>
    public required string PairId { get; init; }
    public string? BcTenant { get; init; }
    public string? BcEnvironment { get; init; }
    public Guid? BcCompanyId { get; init; }
    public string? BcCompanyName { get; init; }
    public string? MunchkinId { get; init; }
    public string? CompanyKeyPrefix { get; init; }

    /// <summary>The newest customer change the BC → Marketo flow has read.</summary>
    public DateTimeOffset? CustomersReadUntil { get; init; }

    /// <summary>The newest contact change the BC → Marketo flow has read.</summary>
    public DateTimeOffset? ContactsReadUntil { get; init; }

    public DateTimeOffset? FinancialsRefreshedAt { get; init; }

    /// <summary>Where the Marketo lead change feed was read up to (the reverse flow), if it has run.</summary>
    public DateTimeOffset? LeadChangesReadUntil { get; init; }

    /// <summary>Target records whose last written content the pair remembers (BC → Marketo).</summary>
    public int Records { get; init; }
    public int Pending { get; init; }
    public int Parked { get; init; }
    public DateTimeOffset? CreatedAt { get; init; }
    public DateTimeOffset? LastRunAt { get; init; }

    /// <summary>"process@host" of the run holding the pair's lease now; empty when none does.</summary>
    public string? LeaseHolder { get; init; }
    public int? LeaseProcessId { get; init; }
    public string? LeaseHost { get; init; }
    public DateTimeOffset? LeaseStartedAt { get; init; }
    public DateTimeOffset? LeaseExpiresAt { get; init; }

    /// <summary>The pair's BC webhook subscriptions with their expiry as last recorded: "customers until 2026-11-30 06:00Z (id)", joined by "; ".</summary>
    public string? Subscriptions { get; init; }

    /// <summary>The earliest recorded expiry of the pair's subscriptions (Get-BcSubscription asks Business Central).</summary>
    public DateTimeOffset? SubscriptionsExpireAt { get; init; }

    /// <summary>One row per pair of the store, oldest first, then the unclaimed state if any is left.</summary>
    public static IReadOnlyList<SyncPairStatus> Of(IStateStore store, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(store);
        var rows = store.Pairs().Select(pair => Of(store.Pair(pair.PairId), pair, now)).ToList();
        if (store.HasUnclaimedState()) rows.Add(Of(store.Pair(SyncPairKey.Unclaimed), null, now));
        return rows;
    }

    private static SyncPairStatus Of(IPairState state, SyncPair? pair, DateTimeOffset now)
    {
        var queue = state.Queue(SyncDirection.BcToMarketo);
        var reverse = state.Queue(SyncDirection.MarketoToBc);
        var lease = state.Lease.Current(now);
        var subscriptions = state.Subscriptions.All();
        return new SyncPairStatus
        {
            PairId = state.PairId,
            BcTenant = pair?.Key.BcTenant, BcEnvironment = pair?.Key.BcEnvironment, BcCompanyId = pair?.Key.BcCompanyId, BcCompanyName = pair?.BcCompanyName,
            MunchkinId = pair?.Key.MarketoInstance, CompanyKeyPrefix = pair?.CompanyKeyPrefix,
            CustomersReadUntil = state.Checkpoints.Get(SyncCheckpoints.Customers),
            ContactsReadUntil = state.Checkpoints.Get(SyncCheckpoints.Contacts),
            FinancialsRefreshedAt = state.Checkpoints.Get(SyncCheckpoints.FinancialsRefreshed),
            LeadChangesReadUntil = state.Checkpoints.GetWatermark(SyncCheckpoints.LeadChanges)?.At,
            Records = state.Records(SyncDirection.BcToMarketo).Count(),
            Pending = queue.Count(QueuedJobStatus.Pending) + reverse.Count(QueuedJobStatus.Pending),
            Parked = queue.Count(QueuedJobStatus.Parked) + reverse.Count(QueuedJobStatus.Parked),
            CreatedAt = pair?.CreatedAt, LastRunAt = pair?.LastRunAt,
            LeaseHolder = lease is null ? null : $"{lease.ProcessId}@{lease.HostName}",
            LeaseProcessId = lease?.ProcessId, LeaseHost = lease?.HostName, LeaseStartedAt = lease?.StartedAt, LeaseExpiresAt = lease?.ExpiresAt,
            Subscriptions = subscriptions.Count == 0 ? null
                : string.Join("; ", subscriptions.Select(s => $"{s.EntitySet} until {s.ExpiresAt.UtcDateTime:yyyy-MM-dd HH:mm}Z ({s.SubscriptionId})")),
            SubscriptionsExpireAt = subscriptions.Count == 0 ? null : subscriptions.Min(s => s.ExpiresAt),
        };
    }
}
