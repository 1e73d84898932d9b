using MlConnector.Engine.BusinessCentral;
using MlConnector.Engine.Diagnostics;
using MlConnector.Engine.Marketo;
using MlConnector.Engine.State;

namespace MlConnector.Engine.Sync;

/// <summary>
/// Which sync pair a run works for — a BC company and a Marketo instance — and that pair's state in the store. State
/// written before pairs existed is adopted by the first pair that registers, once.
/// </summary>
public static class SyncPairs
{
    public static SyncPairKey KeyOf(BusinessCentralClient bc, MarketoClient marketo)
    {
        ArgumentNullException.ThrowIfNull(bc);
        ArgumentNullException.ThrowIfNull(marketo);
        return SyncPairKey.Create(bc.TenantId, bc.Environment, bc.Company.Id, marketo.InstanceId);
    }

    /// <summary>For a run that writes: records the pair with its BC company name and company key prefix, adopting unclaimed state if it is new.</summary>
    public static SyncPair Register(IStateStore store, SyncPairKey key, string? bcCompanyName, string? companyKeyPrefix, TimeProvider time, IEngineLog log)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(key);
        var registration = store.RegisterPair(new SyncPair(key, bcCompanyName, companyKeyPrefix ?? "", time.GetUtcNow()));
        if (registration.AdoptedRows > 0)
        {
            log.Warning(EngineWarnings.UnclaimedStateAdopted,
                $"The state database held state written before sync pairs ({registration.AdoptedRows} checkpoint, record and job rows): it now belongs to " +
                $"the pair {key.PairId}, Business Central company '{bcCompanyName}' ({key.BcCompanyId:D}) with Marketo {key.MarketoInstance}. " +
                "If that state was written for another company or Marketo instance, run this pair once with -Resync.");
        }
        else if (registration.IsNew)
        {
            log.Verbose($"A new sync pair {key.PairId} ({key}): it starts from nothing, so every record is read and sent.");
        }
        return registration.Pair;
    }

    /// <summary>
    /// For -WhatIf and reads, without writing: the state a run of this pair would use — its own, or, for a pair new to
    /// the store, the unclaimed state it would adopt.
    /// </summary>
    public static IPairState Peek(IStateStore store, SyncPairKey key)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(key);
        var known = store.Pairs().Any(p => p.PairId == key.PairId);
        return store.Pair(!known && store.HasUnclaimedState() ? SyncPairKey.Unclaimed : key.PairId);
    }

    /// <summary>The pairs that send to one Marketo instance (what a replay without a BC connection can choose from).</summary>
    public static IReadOnlyList<SyncPair> ForMarketo(IStateStore store, string marketoInstance)
    {
        ArgumentNullException.ThrowIfNull(store);
        return store.Pairs().Where(p => string.Equals(p.Key.MarketoInstance, marketoInstance.Trim(), StringComparison.OrdinalIgnoreCase)).ToArray();
    }
}
