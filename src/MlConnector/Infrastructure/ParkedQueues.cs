using MlConnector.Connections;
using MlConnector.Engine.State;
using MlConnector.Engine.Sync;

namespace MlConnector.Infrastructure;

/// <summary>
/// The pairs whose parked records Get-MlParkedRecord, Clear-MlParkedRecord and Invoke-MlReplay -WhatIf look at.
/// Connected to both services: the connection's pair. To Marketo only: the pairs that send to it. Not connected: every
/// pair in the store. State from before pairs is included while no BC connection names its pair.
/// </summary>
internal static class ParkedQueues
{
    public static IReadOnlyList<IPairState> Pairs(IStateStore store, MlConnection? connection)
    {
        if (connection?.BusinessCentral is { } bc && connection.Marketo is { } connected)
            return [SyncPairs.Peek(store, SyncPairs.KeyOf(bc.Client, connected.Client))];
        var pairs = connection?.Marketo is { } marketo ? SyncPairs.ForMarketo(store, marketo.Client.InstanceId) : store.Pairs();
        var states = pairs.Select(p => store.Pair(p.PairId)).ToList();
        if (store.HasUnclaimedState()) states.Add(store.Pair(SyncPairKey.Unclaimed));
        return states;
    }

    /// <summary>The parked records of those pairs whose BC number matches any of the patterns (all, when none).</summary>
    public static IReadOnlyList<ParkedRecord> List(IStateStore store, MlConnection? connection, IReadOnlyCollection<string> patterns, SyncDirection? direction = null)
        => Pairs(store, connection).SelectMany(state => ParkedRecords.List(state, patterns, direction)).ToList();

    /// <summary>
    /// A -Direction parameter's value (kept a string on the cmdlets: a field of an engine value type would make the
    /// cmdlet class load the engine before the module's loader is in place).
    /// </summary>
    public static SyncDirection? DirectionOf(string? direction) => direction is null ? null : Enum.Parse<SyncDirection>(direction, ignoreCase: true);

    /// <summary>A BC number or pattern as the queue matches it: PowerShell's * and ?, or SQL LIKE's % and _.</summary>
    public static string ToPattern(string pattern) => pattern.Trim().Replace('%', '*').Replace('_', '?');
}
