using System.Management.Automation;
using System.Security;
using MlConnector.Connections;
using MlConnector.Engine.Notifications;
using MlConnector.Engine.Security;
using MlConnector.Engine.State;
using MlConnector.Engine.Sync;

namespace MlConnector.Infrastructure;

/// <summary>
/// What the BC subscription cmdlets share: the sync pair of the connection (subscriptions belong to it), the pair's
/// state, the subscription manager, and clientStates from the vault or -ClientState. Changes run under the pair's lease,
/// so a manual renewal and a scheduled Invoke-MlSync never re-create the same subscription twice.
/// </summary>
public abstract class SubscriptionCmdlet : SyncCmdlet
{
    private protected PairTarget RequirePair()
    {
        var connection = RequireConnection();
        RequireBusinessCentral();
        RequireMarketo();
        return PairOf(connection);
    }

    /// <summary>Clientstates from the vault, or <paramref name="given"/> for those the caller keeps.</summary>
    private protected ClientStates ClientStatesWith(SecureString? given) => ClientStates.For(this, ErrorIdPrefix, given);

    /// <summary>A <see cref="ClientStateSource"/> that reads the vault on the pipeline thread from engine work.</summary>
    private protected ClientStateSource SourceOf(ClientStates states) => (location, _) => OnPipelineAsync(() => states.Resolve(location));

    /// <summary>
    /// Runs <paramref name="work"/> with the pair's subscription manager through the pump. With <paramref name="change"/>
    /// the pair is registered first and its lease held for the work (waiting up to -LeaseTimeout); without, or under
    /// -WhatIf (the work's ShouldProcess then refuses every change), it only reads.
    /// </summary>
    private protected void RunOnPair(IStateStore store, PairTarget pair, bool change, Func<BcSubscriptionManager, CancellationToken, Task> work)
    {
        var bc = RequireBusinessCentral().Client;
        var log = EngineLog;
        var whatIf = MyInvocation.BoundParameters.TryGetValue("WhatIf", out var given) ? ((SwitchParameter)given).IsPresent
            : SessionState.PSVariable.GetValue("WhatIfPreference") is true or SwitchParameter { IsPresent: true };
        RunPumped(async cancel =>
        {
            if (!change || whatIf)
            {
                await work(new BcSubscriptionManager(bc, store.Pair(pair.Key.PairId), TimeProvider.System, log), cancel).ConfigureAwait(false);
                return;
            }
            var registered = SyncPairs.Register(store, pair.Key, pair.BcCompanyName, pair.CompanyKeyPrefix, TimeProvider.System, log);
            var state = store.Pair(registered.PairId);
            var options = SyncLeaseOptions.FromEnvironment(TimeSpan.FromSeconds(LeaseTimeout));
            await using var lease = await SyncLease.AcquireAsync(state.Lease, $"{registered.PairId} ({pair.BcCompanyName} <-> Marketo {pair.Key.MarketoInstance})",
                options, TimeProvider.System, log, cancel).ConfigureAwait(false);
            var audit = AuditFor(store);
            await lease.RunAsync(token => work(new BcSubscriptionManager(bc, state, TimeProvider.System, log, audit), token), cancel).ConfigureAwait(false);
        });
    }

    /// <summary>"customers subscription 3f2a… -> https://…" for ShouldProcess.</summary>
    private protected static string Describe(SubscriptionRecord subscription) => $"{subscription.EntitySet} subscription {subscription.SubscriptionId} -> {subscription.NotificationUrl}";
}
