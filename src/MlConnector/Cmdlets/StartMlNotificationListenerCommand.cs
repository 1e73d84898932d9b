using System.Management.Automation;
using System.Net;
using System.Security;
using MlConnector.Connections;
using MlConnector.Engine.Mapping;
using MlConnector.Engine.Notifications;
using MlConnector.Engine.State;
using MlConnector.Engine.Sync;
using MlConnector.Infrastructure;
using MlConnector.Output;

namespace MlConnector.Cmdlets;

/// <summary>
/// A self-hosted notification endpoint (System.Net.HttpListener) for a VM or a hybrid worker: it answers Business
/// Central's handshake and notifications at once (bodies up to 1 MB) and queues each change for the pair owning its
/// subscription, while a background worker fetches each changed customer of the connection's pair by id with its
/// contacts and upserts them into Marketo through the main flow, holding the pair's lease only while it sends. Returns
/// the running listener; with -Wait it runs until Ctrl+C. Stopping drains: requests in flight are answered and what is
/// queued is sent (up to -DrainTimeout); anything left stays queued for the next run.
/// </summary>
[Cmdlet(VerbsLifecycle.Start, "MlNotificationListener", SupportsShouldProcess = true)]
[OutputType(typeof(MlNotificationListener))]
public sealed class StartMlNotificationListenerCommand : SyncCmdlet
{
    /// <summary>The HttpListener prefix, e.g. http://+:8080/bc/notifications/ (ending with a slash).</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [ValidatePattern("^https?://[^/]+(/.*)?/$")]
    public string Prefix { get; set; } = "";

    /// <summary>A .json or .psd1 mapping file applied on top of the default map.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? MappingPath { get; set; }

    /// <summary>The clientState of subscriptions registered with your own -ClientState and no vault.</summary>
    [Parameter]
    public SecureString? ClientState { get; set; }

    /// <summary>The vault holding the pair's generated clientState (as given to Register-BcSubscription); default: the default vault.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Vault { get; set; }

    /// <summary>Seconds a stop waits for requests in flight and queued changes; what is left stays queued.</summary>
    [Parameter]
    [ValidateRange(1, 3600)]
    public int DrainTimeout { get; set; } = 30;

    /// <summary>Runs in the foreground until Ctrl+C, writing the listener's messages to the verbose and warning streams.</summary>
    [Parameter]
    public SwitchParameter Wait { get; set; }

    protected override void EndProcessing()
    {
        var connection = RequireConnection();
        RequireBusinessCentral();
        RequireMarketo();
        var mapping = MappingFile.Load(this, MappingPath, ErrorIdPrefix);
        var pair = PairOf(connection);
        if (!ShouldProcess(Prefix, $"Listen for Business Central notifications and send pair {pair.Key.PairId}'s changes to Marketo {pair.Key.MarketoInstance}")) return;

        var listener = StartListener(connection, pair, mapping);
        NotificationListeners.Add(listener);
        WriteVerbose($"Listening on {Prefix} (listener {listener.Id}); the worker sends pair {listener.PairId}'s notified changes.");
        if (!Wait)
        {
            WriteObject(listener);
            return;
        }
        listener.Log.Attach(EngineLog);
        try
        {
            RunPumped(async cancel =>
            {
                // Until Ctrl+C, or a Stop-MlNotificationListener from elsewhere.
                try
                {
                    while (listener.State == "Running") await Task.Delay(250, cancel).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    // Ctrl+C: drain below.
                }
                await NotificationListeners.StopAsync(listener).ConfigureAwait(false);
            });
        }
        finally
        {
            listener.Log.Attach(null);
        }
        WriteObject(listener);
    }

    /// <summary>Opens the listener's two state-store connections (the receiver's, the worker's) and starts it; on failure releases them and ends with an error.</summary>
    private MlNotificationListener StartListener(Connections.MlConnection connection, PairTarget pair, MappingSet mapping)
    {
        var log = new ListenerLog();
        var receiverStore = OpenState();
        var workerStore = OpenState();
        try
        {
            var registered = SyncPairs.Register(workerStore, pair.Key, pair.BcCompanyName, pair.CompanyKeyPrefix, TimeProvider.System, log);
            var storeGate = new object();
            var audit = AuditFor(workerStore);
            var receiver = new NotificationReceiver(KnownSubscriptions(receiverStore, storeGate, registered.PairId, log), receiverStore, storeGate, audit, TimeProvider.System, log);
            var state = workerStore.Pair(registered.PairId);
            var mapper = new BcToMarketoMapper(mapping, pair.CompanyKeyPrefix);
            var worker = new NotificationListenerWorker(registered.PairId, $"{registered.PairId} ({pair.BcCompanyName} <-> Marketo {pair.Key.MarketoInstance})",
                () => new NotificationWorker(new SyncContext
                {
                    BusinessCentral = connection.BusinessCentral!.Client, Marketo = connection.Marketo!.Client, State = state, Audit = audit, Log = log,
                }, mapper), state.Lease, TimeProvider.System, log);
            var engine = NotificationListener.Start(new NotificationListenerOptions { Prefix = Prefix, DrainTimeout = TimeSpan.FromSeconds(DrainTimeout) }, receiver, worker, log);
            return new MlNotificationListener(NotificationListeners.NextId(), engine, registered.PairId, pair.BcCompanyName, pair.Key.MarketoInstance, log,
                [receiverStore, workerStore], () => { lock (storeGate) return receiverStore.Pair(registered.PairId).Queue(SyncDirection.BcToMarketo).Take(QueuedJobStatus.Pending, NotifiedJobs.TargetType, 100_000).Count; });
        }
        catch (Exception e)
        {
            receiverStore.Dispose();
            workerStore.Dispose();
            if (e is HttpListenerException)
            {
                ThrowTerminatingError(ErrorRecords.Create(new InvalidOperationException($"Cannot listen on {Prefix}: {e.Message}", e), ErrorIdPrefix + "CannotListen",
                    ErrorCategory.ResourceUnavailable, Prefix, "Use a free port; on Windows a non-administrator needs a URL reservation first (netsh http add urlacl url=<prefix> user=<you>)."));
            }
            if (e is MlConnector.Engine.MlConnectorException) ThrowTerminatingError(ErrorRecords.From(e, ErrorIdPrefix, Prefix));
            throw;
        }
    }

    /// <summary>
    /// Every pair's subscriptions with their clientStates, resolved now: the listener cannot read the vault once this
    /// cmdlet has returned. The pair's own clientState is made sure of first (generated into the vault if need be), so
    /// subscriptions Register-BcSubscription makes while the listener runs (which reuse it) are checked too.
    /// </summary>
    private StoredSubscriptions KnownSubscriptions(IStateStore store, object storeGate, string pairId, ListenerLog log)
    {
        var subscriptions = StoredSubscriptions.ReadAll(store);
        if (subscriptions.Count == 0)
            WriteWarning($"No sync pair of '{store.Location}' has a subscription yet: register one with Register-BcSubscription -NotificationUrl <the public URL of {Prefix}>.");
        var clientStates = ClientStates.For(this, ErrorIdPrefix, ClientState);
        var (_, own, generated) = clientStates.ForPair(pairId, Vault, store: true);
        if (generated) WriteVerbose($"Generated a clientState for pair {pairId} and kept it in the vault ({own}); Register-BcSubscription uses it.");
        var clientStateOf = clientStates.ResolveAll(subscriptions.Select(s => s.Record.ClientState).Append(own));
        return new StoredSubscriptions(() => { lock (storeGate) return StoredSubscriptions.ReadAll(store); }, clientStateOf, TimeProvider.System, log);
    }
}
