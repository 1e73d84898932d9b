using System.Security.Cryptography;
using System.Text;
using MlConnector.Sandbox.Core;

namespace MlConnector.Sandbox.BusinessCentral.Webhooks;

/// <summary>
/// Business Central's webhook side: the subscriptions API, webhookSupportedResources, change capture from every company's
/// table triggers (a subscription watches one company's entity set), and the notification job. Everything is timed on the sandbox clock. The job runs in the background
/// (<see cref="BcWebhookOptions.AutomaticDelivery"/>) or when a test calls <see cref="DeliverDueAsync"/>.
/// </summary>
public sealed class BcWebhooks
{
    /// <summary>Where the runtime API starts: {Environment}/api/microsoft/runtime/beta/.</summary>
    public const string RuntimeApiMarker = "/api/microsoft/runtime/beta/";

    private readonly SandboxClock _clock;
    private readonly IReadOnlyList<BcDataStore> _companies;
    private readonly SubscriptionTable _table;
    private readonly ValidationHandshake _handshake;
    private readonly NotificationDispatcher _dispatcher;
    private readonly SubscriptionEndpoints _endpoints;
    private readonly CancellationTokenSource _stopping = new();
    private int _loopStarted;

    /// <param name="companies">Every company of the environment; the first one stamps the tenant-level subscription rows.</param>
    public BcWebhooks(BusinessCentralOptions options, SandboxClock clock, IReadOnlyList<BcDataStore> companies)
    {
        ArgumentOutOfRangeException.ThrowIfZero(companies.Count);
        Options = options.Webhooks;
        _clock = clock;
        _companies = companies;
        UserId = new Guid(SHA256.HashData(Encoding.UTF8.GetBytes("app-user:" + (options.RegisteredAppIds.FirstOrDefault() ?? "")))[..16]);
        var http = WebhookHttp.Create();
        _table = new SubscriptionTable(Options);
        _handshake = new ValidationHandshake(Options, http, clock, Journal);
        _dispatcher = new NotificationDispatcher(Options, _table, http, clock, Journal);
        _endpoints = new SubscriptionEndpoints(this);
        foreach (var company in companies) company.Changed += (record, change) => OnChanged(company, record, change);
    }

    public BcWebhookOptions Options { get; }

    public WebhookJournal Journal { get; } = new();

    /// <summary>The app's BC user (userId, systemCreatedBy of its subscriptions).</summary>
    public Guid UserId { get; }

    public IReadOnlyList<BcWebhookSubscription> Subscriptions => _table.All();

    public int PendingNotifications => _table.PendingCount;

    /// <summary>When the notification job next runs for new changes (sandbox clock); null when nothing new is pending.</summary>
    public DateTimeOffset? NextJobAt => _table.NextJobAt;

    /// <summary>Runs the notification job now: removes expired subscriptions and sends whatever is due on the sandbox clock.</summary>
    public Task<IReadOnlyList<WebhookJournalEntry>> DeliverDueAsync(CancellationToken cancellationToken = default) => _dispatcher.RunAsync(cancellationToken);

    /// <summary>The next attempt number and time of a notification URL that is waiting for a retry, or null.</summary>
    public (int NextAttempt, DateTimeOffset RetryAt)? RetryState(string notificationUrl) => _table.RetryState(notificationUrl);

    /// <summary>Subscriptions and webhookSupportedResources requests; null for every other request.</summary>
    internal async Task<BcResponse?> TryExecuteAsync(BcRequest request, CancellationToken cancellationToken)
    {
        if (request.ApiRoot.EndsWith(RuntimeApiMarker, StringComparison.Ordinal)) return WebhookSupportedResources.Execute(request, CompanyIds, Options);
        var path = request.Path;
        if (path != "subscriptions" && !path.StartsWith("subscriptions(", StringComparison.Ordinal) && !path.StartsWith("subscriptions/", StringComparison.Ordinal)) return null;
        return await _endpoints.ExecuteAsync(request, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Ends the background job with the host.</summary>
    internal void StopWith(CancellationToken stopping) => stopping.Register(_stopping.Cancel);

    internal BcWebhookSubscription? Find(string key) => Guid.TryParseExact(key, "N", out var id) && key == id.ToString("N") ? _table.Find(id) : null;

    internal Task<bool> HandshakeAsync(string notificationUrl, string subscriptionId, CancellationToken cancellationToken)
        => _handshake.RunAsync(notificationUrl, subscriptionId, cancellationToken);

    private IReadOnlySet<Guid> CompanyIds => _companies.Select(c => c.Company.Id).ToHashSet();

    /// <summary>The company and entity set a subscription resource watches, or BC's refusal.</summary>
    internal (Guid CompanyId, string EntitySet) SubscribableEntitySet(string resource)
    {
        var (company, entitySet) = SubscriptionResource.Parse(resource);
        if (!CompanyIds.Contains(company)) throw BcErrors.CompanyNotFound(company.ToString("D"));
        if (!WebhookSupportedResources.EntitySets(Options).Contains(entitySet, StringComparer.Ordinal))
            throw BcErrors.BadRequest($"The resource '{resource}' does not support webhook notifications; see webhookSupportedResources.");
        if (!WebhookSupportedResources.Simulated.Contains(entitySet))
            throw new BcException(501, "BadRequest_NotImplemented", $"The sandbox does not simulate '{entitySet}'.");
        return (company, entitySet);
    }

    internal void StampNew(BcWebhookSubscription subscription)
    {
        _companies[0].Stamp(subscription);
        subscription.CreatedAt = subscription.LastModified;
        subscription.ExpirationDateTime = BcTime.SqlRound(_clock.GetUtcNow() + Options.Expiration);
    }

    internal bool TryAdd(BcWebhookSubscription subscription)
    {
        if (!_table.TryAdd(subscription)) return false;
        EnsureLoop();
        return true;
    }

    internal static void CopyInto(BcWebhookSubscription from, BcWebhookSubscription to)
    {
        to.NotificationUrl = from.NotificationUrl;
        to.Resource = from.Resource;
        to.CompanyId = from.CompanyId;
        to.EntitySet = from.EntitySet;
        to.ClientState = from.ClientState;
    }

    /// <summary>Applies a renewal that passed its handshake; false when the subscription went away meanwhile.</summary>
    internal bool Renew(BcWebhookSubscription subscription, BcWebhookSubscription renewed)
    {
        if (_table.Find(subscription.Id) is null) return false;
        CopyInto(renewed, subscription);
        _companies[0].Stamp(subscription);
        subscription.ExpirationDateTime = BcTime.SqlRound(_clock.GetUtcNow() + Options.Expiration);
        return true;
    }

    internal void Remove(BcWebhookSubscription subscription) => _table.Remove(subscription);

    /// <summary>With <see cref="BcWebhookOptions.RemoveExpiredAtOnce"/>, an expired subscription is gone before any API call sees it.</summary>
    internal void RemoveExpiredNow()
    {
        if (!Options.RemoveExpiredAtOnce) return;
        var now = _clock.GetUtcNow();
        foreach (var expired in _table.RemoveExpired(now)) _dispatcher.Removal(expired, now, "expired");
    }

    /// <summary>A table trigger of one company: runs under its store's lock; undone with the change if its transaction rolls back.</summary>
    private void OnChanged(BcDataStore company, BcRecord record, BcChangeType change)
    {
        var entitySet = record switch { BcCustomer => "customers", BcContact => "contacts", _ => null };
        if (entitySet is null) return;
        var rows = _table.Record(company.Company.Id, entitySet, record.Id, change, _clock.GetUtcNow());
        if (rows.Count > 0) company.OnRollback(() => _table.Forget(rows));
    }

    private void EnsureLoop()
    {
        if (Interlocked.Exchange(ref _loopStarted, 1) == 1) return;
        _ = Task.Run(RunLoopAsync);
    }

    private async Task RunLoopAsync()
    {
        var token = _stopping.Token;
        while (!token.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(Options.DispatchInterval, token).ConfigureAwait(false);
                if (Options.AutomaticDelivery) await _dispatcher.RunAsync(token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                return;
            }
            catch (Exception)
            {
                // A failed pass leaves its notifications pending; the next pass tries again, as BC's job queue would.
            }
        }
    }
}
