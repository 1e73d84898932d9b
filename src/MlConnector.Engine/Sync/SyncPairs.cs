using MlConnector.Engine.Audit;
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

    /// <summary>
    /// For a run that writes: records the pair with its BC company name and company key prefix, adopting unclaimed state
    /// if it is new. Refused (<see cref="CompanyKeyPrefixRequired"/>) before anything is written when another BC company of
    /// this home syncs to the same Marketo instance and the two could write the same company keys.
    /// </summary>
    public static SyncPair Register(IStateStore store, SyncPairKey key, string? bcCompanyName, string? companyKeyPrefix, TimeProvider time, IEngineLog log)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(key);
        CheckCompanyKeys(store, key, bcCompanyName, companyKeyPrefix);
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
    /// A store this open created empty holds no checkpoints or content hashes: every record is read and sent again (as
    /// upserts, so Marketo gets no duplicates). Said as a warning (<see cref="EngineWarnings.StateCreated"/>) when the
    /// audit trail shows earlier runs — the database was deleted or emptied — else, on a first run, as verbose.
    /// </summary>
    public static void ReportCreatedStore(IStateStore store, IAuditTrail audit, IEngineLog log)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(audit);
        if (!store.Created) return;
        if (audit.HasHistory)
        {
            log.Warning(EngineWarnings.StateCreated,
                $"The state database '{store.Location}' was missing or empty and has been created again, though the audit trail in '{audit.Location}' shows earlier runs: " +
                "with no checkpoints or content hashes left, every customer and contact is read and sent to Marketo again (as updates, so no duplicates are made).");
        }
        else
        {
            log.Verbose($"A new state database at '{store.Location}': this first run reads and sends every customer and contact.");
        }
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

    /// <summary>The error id of a refused pair whose company keys could collide with another pair's in the same Marketo instance.</summary>
    public const string CompanyKeyPrefixRequired = "CompanyKeyPrefixRequired";

    /// <summary>
    /// Customer numbers repeat across BC companies (C00001 is in every CRONUS company), so two companies syncing into one
    /// Marketo instance need different, non-empty company key prefixes.
    /// </summary>
    public static void CheckCompanyKeys(IStateStore store, SyncPairKey key, string? bcCompanyName, string? companyKeyPrefix)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(key);
        var prefix = companyKeyPrefix ?? "";
        foreach (var other in store.Pairs())
        {
            if (other.PairId == key.PairId || !string.Equals(other.Key.MarketoInstance, key.MarketoInstance, StringComparison.Ordinal)) continue;
            if (prefix.Length > 0 && other.CompanyKeyPrefix.Length > 0 && !string.Equals(prefix, other.CompanyKeyPrefix, StringComparison.OrdinalIgnoreCase)) continue;
            var theirs = other.CompanyKeyPrefix.Length == 0 ? "no company key prefix" : $"company key prefix '{other.CompanyKeyPrefix}'";
            var ours = prefix.Length == 0 ? "no prefix" : $"the same prefix '{prefix}'";
            throw new MlConnectorException(CompanyKeyPrefixRequired, MlErrorCategory.InvalidConfiguration,
                $"Business Central company '{bcCompanyName ?? key.BcCompanyId.ToString("D")}' would sync into Marketo {key.MarketoInstance} with {ours}, but company " +
                $"'{other.BcCompanyName ?? other.Key.BcCompanyId.ToString("D")}' (sync pair {other.PairId}) already syncs there with {theirs}: customer numbers repeat across " +
                "companies, so both would write the same Marketo companies. Give each company its own prefix: Connect-MlBusinessCentral ... -CompanyKeyPrefix <prefix> " +
                $"(with -SaveProfile to keep it), for this company and, if it has none, for '{other.BcCompanyName}' too — run that company once with its prefix " +
                "before this one (its customers are then sent again under the prefixed keys). Nothing was written.");
        }
    }

    /// <summary>The pairs that send to one Marketo instance (what a replay without a BC connection can choose from).</summary>
    public static IReadOnlyList<SyncPair> ForMarketo(IStateStore store, string marketoInstance)
    {
        ArgumentNullException.ThrowIfNull(store);
        return store.Pairs().Where(p => string.Equals(p.Key.MarketoInstance, marketoInstance.Trim(), StringComparison.OrdinalIgnoreCase)).ToArray();
    }
}
