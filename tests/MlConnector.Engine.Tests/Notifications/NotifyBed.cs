using System.Net;
using System.Net.Sockets;
using MlConnector.Engine.Mapping;
using MlConnector.Engine.Marketo;
using MlConnector.Engine.Notifications;
using MlConnector.Engine.Security;
using MlConnector.Engine.State;
using MlConnector.Engine.State.Sqlite;
using MlConnector.Engine.Sync;
using MlConnector.Engine.Sync.BcToMarketo;
using MlConnector.Engine.Tests.BusinessCentral;
using MlConnector.Engine.Tests.Sync;
using MlConnector.Sandbox;
using MlConnector.Sandbox.BusinessCentral.Webhooks;

namespace MlConnector.Engine.Tests.Notifications;

/// <summary>
/// The whole notification path on loopback: a sandbox whose notification job runs when the test says (its clock decides
/// what is due), a pair with a customers subscription, and the self-hosted <see cref="NotificationListener"/> — its
/// receiver on a state-store instance of its own and, unless left out, its background worker on another — in front of
/// real BC and Marketo simulators. The test thread uses <see cref="Sync"/>'s store.
/// </summary>
internal sealed class NotifyBed : IAsyncDisposable
{
    public static readonly TimeSpan Delay = TimeSpan.FromSeconds(30);
    private readonly object _receiverGate = new();
    private readonly SqliteStateStore _receiverStore;
    private readonly SqliteStateStore? _workerStore;

    private NotifyBed(SyncSandbox sync, Uri url, bool withWorker, Func<IStateStore, IStateStore>? wrapReceiverStore)
    {
        Sync = sync;
        Url = url;
        _receiverStore = SqliteStateStore.Open(sync.Sqlite.Path);
        var receiverStore = wrapReceiverStore?.Invoke(_receiverStore) ?? _receiverStore;
        Known = new StoredSubscriptions(() => { lock (_receiverGate) return StoredSubscriptions.ReadAll(receiverStore); },
            location => location.InVault && location.SecretName == SecretName ? ClientState : null, sync.Host.Clock, sync.Log);
        Receiver = new NotificationReceiver(Known, receiverStore, _receiverGate, sync.Audit, sync.Host.Clock, sync.Log);
        if (withWorker)
        {
            _workerStore = SqliteStateStore.Open(sync.Sqlite.Path);
            var state = _workerStore.Pair(sync.Pair.PairId);
            Worker = new NotificationListenerWorker(sync.Pair.PairId, sync.Pair.PairId, () => new NotificationWorker(sync.Context(state: state), Mapper()), state.Lease, sync.Host.Clock, sync.Log);
        }
        Listener = NotificationListener.Start(new NotificationListenerOptions { Prefix = url.ToString(), DrainTimeout = TimeSpan.FromSeconds(60) }, Receiver, Worker, sync.Log);
        Subscriptions = new BcSubscriptionManager(sync.BusinessCentral, sync.State, sync.Host.Clock, sync.Log, sync.Audit);
    }

    public SyncSandbox Sync { get; }
    public Uri Url { get; }
    public StoredSubscriptions Known { get; }
    public NotificationReceiver Receiver { get; }
    public NotificationListenerWorker? Worker { get; }
    public NotificationListener Listener { get; }
    public BcSubscriptionManager Subscriptions { get; }
    public SecretText ClientState { get; } = BcSubscriptionManager.NewClientState();
    public string SecretName => BcSubscriptionManager.ClientStateSecretName(Sync.Pair.PairId);
    public ClientStateLocation Location => new("TestVault", SecretName);
    public BcWebhooks Webhooks => Sync.Host.BusinessCentral.Webhooks;
    public IWorkQueue Queue => Sync.State.Queue(SyncDirection.BcToMarketo);

    /// <summary>A sandbox with <paramref name="customers"/>, a first full sync done, the listener started and a customers subscription registered.</summary>
    public static async Task<NotifyBed> StartAsync(int customers = 40, Action<SandboxOptions>? configure = null, bool withWorker = true,
        Action<MarketoSettings>? marketo = null, Func<IStateStore, IStateStore>? wrapReceiverStore = null, bool initialSync = true, string? companyKeyPrefix = null)
    {
        var sync = await SyncSandbox.StartAsync(customers, o =>
        {
            o.BusinessCentral.Webhooks.AutomaticDelivery = false;
            configure?.Invoke(o);
        }, marketoSettings: marketo, companyKeyPrefix: companyKeyPrefix);
        try
        {
            if (initialSync) await sync.RunAsync();
            var bed = new NotifyBed(sync, new Uri($"http://127.0.0.1:{FreePort()}/bc/notifications/"), withWorker, wrapReceiverStore);
            await bed.RegisterAsync(BcSubscriptionManager.Customers);
            return bed;
        }
        catch
        {
            await sync.DisposeAsync();
            throw;
        }
    }

    /// <summary>Subscribes the pair to <paramref name="entitySet"/> with the bed's URL and clientState.</summary>
    public async Task<BcSubscriptionStatus> RegisterAsync(string entitySet)
    {
        return await Subscriptions.RegisterAsync(Url, entitySet, ClientState, Location, default);
    }

    public BcToMarketoMapper Mapper() => new(MappingLoader.Default(), Sync.Pair.CompanyKeyPrefix);

    public static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    /// <summary>Moves the sandbox clock past the notification delay and runs BC's notification job.</summary>
    public async Task<IReadOnlyList<WebhookJournalEntry>> DeliverAsync(TimeSpan? by = null)
    {
        Sync.Host.Clock.Advance(by ?? Delay);
        return await Webhooks.DeliverDueAsync();
    }

    /// <summary>Runs the notification worker on the test thread (for a bed without the background worker).</summary>
    public Task<List<SyncResult>> WorkAsync()
        => BcSandbox.ToListAsync(new NotificationWorker(Sync.Context(), Mapper()).RunAsync(CancellationToken.None));

    public IReadOnlyList<QueuedJob> NotifiedJobs() => Queue.Take(QueuedJobStatus.Pending, Engine.Notifications.NotifiedJobs.TargetType, 10_000);

    /// <summary>Marketo write calls (sync companies) that carried the company key.</summary>
    public int CompanyWrites(string customerNumber)
        => Sync.Host.Marketo.Writes.Snapshot().Count(c => c.Object == "company" && c.Keys.Contains(customerNumber.ToLowerInvariant()));

    /// <summary>A field of Marketo's company for a BC customer number (admin view), or null.</summary>
    public string? MarketoCompanyField(string customerNumber, string field)
        => Sync.Host.Marketo.CompanyByExternalId(customerNumber)?.Fields.GetValueOrDefault(field);

    /// <summary>Waits (bounded, not timed) until <paramref name="condition"/> holds.</summary>
    public static async Task<bool> WaitForAsync(Func<bool> condition, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromMinutes(2));
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) return false;
            await Task.Delay(50);
        }
        return true;
    }

    public async ValueTask DisposeAsync()
    {
        await Listener.DisposeAsync();
        _workerStore?.Dispose();
        _receiverStore.Dispose();
        await Sync.DisposeAsync();
    }
}
