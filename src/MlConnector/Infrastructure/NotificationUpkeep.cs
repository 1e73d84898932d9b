using MlConnector.Connections;
using MlConnector.Engine.BusinessCentral;
using MlConnector.Engine.Diagnostics;
using MlConnector.Engine.Mapping;
using MlConnector.Engine.Notifications;
using MlConnector.Engine.Security;
using MlConnector.Engine.Sync;

namespace MlConnector.Infrastructure;

/// <summary>
/// What Invoke-MlSync does for change notifications, under the pair's lease: the renewal pass (renew what expires within
/// a day, re-create what Business Central deleted; the poll that follows backfills the gap) and the notified changes a
/// Receive-BcNotification endpoint queued, sent through the main flow. A pair without subscriptions costs nothing.
/// </summary>
internal static class NotificationUpkeep
{
    /// <param name="onPipeline">Runs a vault read on the pipeline thread (the cmdlet's OnPipelineAsync).</param>
    public static async Task RenewAsync(SyncContext context, ClientStates clientStates, Func<Func<SecretText?>, Task<SecretText?>> onPipeline, CancellationToken cancellationToken)
    {
        var log = context.Log;
        if (context.State.Subscriptions.All().Count == 0 || context.BusinessCentral is not { } bc) return;
        var manager = new BcSubscriptionManager(bc, context.State, context.Time, log, context.Audit);
        IReadOnlyList<BcSubscriptionStatus> rows;
        try
        {
            rows = await manager.RenewDueAsync(BcSubscriptionManager.DefaultRenewalWindow, (location, _) => onPipeline(() => clientStates.Resolve(location)), cancellationToken)
                .ConfigureAwait(false);
        }
        catch (BusinessCentralException e)
        {
            // The subscriptions could not even be read (say the app may not read them): the sync goes on, its poll covers every change.
            log.Warning(EngineWarnings.SubscriptionNotRenewed, $"The renewal pass could not run: {e.Message} The poll covers every change; the next run tries again.");
            return;
        }
        foreach (var row in rows.Where(r => r.Action is SubscriptionAction.Renewed or SubscriptionAction.Recreated))
            log.Verbose($"Subscription {row.SubscriptionId} ({row.EntitySet}) {row.Action.ToString().ToLowerInvariant()}; it expires {row.ExpiresAt:u}.{(row.Reason is null ? "" : " " + row.Reason)}");
    }

    /// <summary>The notified changes waiting in the pair's queue, sent; one result per record touched.</summary>
    public static IAsyncEnumerable<SyncResult> NotifiedAsync(SyncContext context, BcToMarketoMapper mapper, CancellationToken cancellationToken)
        => new NotificationWorker(context, mapper).RunAsync(cancellationToken);
}
