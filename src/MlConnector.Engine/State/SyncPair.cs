using System.Security.Cryptography;
using System.Text;

namespace MlConnector.Engine.State;

/// <summary>
/// What a sync pair joins: a Business Central company (tenant, environment, company id) and a Marketo instance
/// (munchkin id). Normalised so the same pair always has the same <see cref="PairId"/>, however it was typed.
/// </summary>
public sealed record SyncPairKey
{
    /// <summary>The pair id of state written before pairs existed, until the first pair adopts it.</summary>
    public const string Unclaimed = "unclaimed";

    private SyncPairKey(string bcTenant, string bcEnvironment, Guid bcCompanyId, string marketoInstance)
    {
        BcTenant = bcTenant;
        BcEnvironment = bcEnvironment;
        BcCompanyId = bcCompanyId;
        MarketoInstance = marketoInstance;
        PairId = "pair-" + Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(
            string.Join('|', bcTenant, bcEnvironment, bcCompanyId.ToString("D"), marketoInstance))))[..16].ToLowerInvariant();
    }

    /// <summary>The Entra tenant id (a GUID when known, else the name given), lower case.</summary>
    public string BcTenant { get; }

    /// <summary>The BC environment name, lower case.</summary>
    public string BcEnvironment { get; }

    public Guid BcCompanyId { get; }

    /// <summary>The Marketo munchkin id, upper case (or the REST host when no munchkin id was given).</summary>
    public string MarketoInstance { get; }

    /// <summary>A stable id derived from the four parts: the same pair has the same id in every store.</summary>
    public string PairId { get; }

    public static SyncPairKey Create(string bcTenant, string bcEnvironment, Guid bcCompanyId, string marketoInstance)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(bcTenant);
        ArgumentException.ThrowIfNullOrWhiteSpace(bcEnvironment);
        ArgumentException.ThrowIfNullOrWhiteSpace(marketoInstance);
        return new SyncPairKey(bcTenant.Trim().ToLowerInvariant(), bcEnvironment.Trim().ToLowerInvariant(), bcCompanyId,
            marketoInstance.Trim().ToUpperInvariant());
    }

    public override string ToString() => $"{BcTenant}/{BcEnvironment}/{BcCompanyId:D} <-> {MarketoInstance}";
}

/// <summary>A sync pair as the store keeps it.</summary>
public sealed record SyncPair(SyncPairKey Key, string? BcCompanyName, string CompanyKeyPrefix, DateTimeOffset CreatedAt, DateTimeOffset? LastRunAt = null)
{
    public string PairId => Key.PairId;
}

/// <summary>What registering a pair did: the pair as stored, whether it was new, and how many rows of unclaimed state it adopted.</summary>
public sealed record PairRegistration(SyncPair Pair, bool IsNew, int AdoptedRows);
