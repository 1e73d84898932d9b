using System.Security.Cryptography;
using MlConnector.Engine.Audit;
using MlConnector.Engine.BusinessCentral;
using MlConnector.Engine.Diagnostics;
using MlConnector.Engine.Security;
using MlConnector.Engine.State;

namespace MlConnector.Engine.Notifications;

/// <summary>A stored subscription next to what Business Central says about it now, and what the renewal pass must do.</summary>
public sealed record SubscriptionCheck(SubscriptionRecord Stored, BcSubscription? Current, DateTimeOffset BcNow, SubscriptionNeed Need);

public enum SubscriptionNeed { None, Renew, Recreate }

/// <summary>Gives the clientState kept at a location (reading a vault if need be), or null when it cannot be had.</summary>
public delegate Task<SecretText?> ClientStateSource(ClientStateLocation location, CancellationToken cancellationToken);

/// <summary>
/// One sync pair's webhook subscriptions: created in Business Central and recorded in the pair's state, listed with what
/// BC holds now, renewed before they expire (BC's clock decides), re-created when BC deleted them, and removed. The
/// clientState is sent to BC but only its location is stored. Subscriptions live three days; a pass that renews those
/// with less than a day left, run at least daily, never lets one lapse, and the poll on lastModifiedDateTime covers any gap.
/// </summary>
public sealed class BcSubscriptionManager
{
    /// <summary>Renew when less than this is left (BC subscriptions live three days).</summary>
    public static readonly TimeSpan DefaultRenewalWindow = TimeSpan.FromDays(1);

    public const string Customers = "customers";
    public const string Contacts = "contacts";

    private readonly BusinessCentralClient _bc;
    private readonly IPairState _state;
    private readonly TimeProvider _time;
    private readonly IEngineLog _log;
    private readonly IAuditTrail? _audit;
    private readonly string _correlationId = Guid.NewGuid().ToString("D");

    /// <param name="audit">Where each subscription created, renewed, re-created, removed or failed leaves one line (none when null).</param>
    public BcSubscriptionManager(BusinessCentralClient bc, IPairState state, TimeProvider time, IEngineLog log, IAuditTrail? audit = null)
    {
        ArgumentNullException.ThrowIfNull(bc);
        ArgumentNullException.ThrowIfNull(state);
        _bc = bc;
        _state = state;
        _time = time;
        _log = log;
        _audit = audit;
    }

    /// <summary>The vault secret that holds a pair's generated clientState (one per pair, shared by its subscriptions).</summary>
    public static string ClientStateSecretName(string pairId) => "MlConnector-BcClientState-" + pairId;

    /// <summary>A new clientState: 32 random bytes, base64url (43 characters).</summary>
    public static SecretText NewClientState()
        => new(Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_'));

    public IReadOnlyList<SubscriptionRecord> Stored => _state.Subscriptions.All();

    /// <summary>Whether Business Central lists <paramref name="entitySet"/> in webhookSupportedResources now.</summary>
    public async Task<bool> SupportsAsync(string entitySet, CancellationToken cancellationToken)
    {
        var listed = await _bc.GetWebhookSupportedResourcesAsync(cancellationToken).ConfigureAwait(false);
        return listed.Any(r => string.Equals(r.EntitySet, entitySet, StringComparison.Ordinal));
    }

    /// <summary>
    /// Subscribes to <paramref name="entitySet"/> with <paramref name="notificationUrl"/> (BC runs the handshake first).
    /// A live subscription of the pair to the same set and URL is kept (Existing); a stored one BC no longer has is replaced.
    /// </summary>
    public async Task<BcSubscriptionStatus> RegisterAsync(Uri notificationUrl, string entitySet, SecretText clientState, ClientStateLocation location, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(notificationUrl);
        var same = Stored.FirstOrDefault(s => s.EntitySet == entitySet && string.Equals(s.NotificationUrl, notificationUrl.AbsoluteUri, StringComparison.Ordinal));
        if (same is not null)
        {
            var current = await _bc.GetSubscriptionAsync(same.SubscriptionId, cancellationToken).ConfigureAwait(false);
            if (current is not null)
            {
                var refreshed = Refresh(same, current);
                return Status(refreshed, current, BcNow(), SubscriptionAction.Existing, "The pair already has this subscription; renew it with Update-BcSubscription.");
            }
            _state.Subscriptions.Remove(same.SubscriptionId);
        }
        var created = await _bc.CreateSubscriptionAsync(notificationUrl, entitySet, clientState, cancellationToken).ConfigureAwait(false);
        var now = _time.GetUtcNow();
        var record = new SubscriptionRecord(created.Id, entitySet, created.Resource, created.NotificationUrl, created.ExpirationDateTime, created.ETag, location, now, now);
        _state.Subscriptions.Save(record);
        return Status(record, created, BcNow(), SubscriptionAction.Registered,
            same is null ? null : $"Replaces subscription {same.SubscriptionId}, which Business Central no longer had.") with { ReplacedSubscriptionId = same?.SubscriptionId };
    }

    /// <summary>
    /// Each stored subscription beside what BC holds (one read of BC's subscriptions, whose Date header gives BC's clock):
    /// renew when less than <paramref name="renewWithin"/> is left (every one when null), re-create when BC no longer has it.
    /// Only the subscriptions in <paramref name="only"/> when it is given.
    /// </summary>
    public async Task<IReadOnlyList<SubscriptionCheck>> CheckAsync(TimeSpan? renewWithin, IReadOnlyCollection<string>? only, CancellationToken cancellationToken)
    {
        var stored = Stored.Where(s => only is null || only.Contains(s.SubscriptionId)).ToArray();
        if (stored.Length == 0) return [];
        var held = (await _bc.GetSubscriptionsAsync(cancellationToken).ConfigureAwait(false)).ToDictionary(s => s.Id, StringComparer.Ordinal);
        var bcNow = BcNow();
        return stored.Select(s =>
        {
            var current = held.GetValueOrDefault(s.SubscriptionId);
            var need = current is null || current.IsExpiredAt(bcNow) ? SubscriptionNeed.Recreate
                : renewWithin is null || current.ExpirationDateTime - bcNow <= renewWithin ? SubscriptionNeed.Renew
                : SubscriptionNeed.None;
            return new SubscriptionCheck(s, current, bcNow, need);
        }).ToArray();
    }

    /// <summary>What a check found, as a row (nothing done).</summary>
    public BcSubscriptionStatus Describe(SubscriptionCheck check, SubscriptionAction action = SubscriptionAction.None, string? reason = null)
        => Status(check.Stored, check.Current, check.BcNow, action, reason);

    /// <summary>
    /// Renews (PATCH with If-Match; BC runs the handshake again) or re-creates what the check found due. A re-created
    /// subscription gets a new id; its changes from the gap come from the poll on lastModifiedDateTime. A failure is
    /// reported as Failed with the reason and warned about; the stored subscription is kept for the next pass.
    /// </summary>
    public async Task<BcSubscriptionStatus> ApplyAsync(SubscriptionCheck check, ClientStateSource clientStateOf, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(check);
        ArgumentNullException.ThrowIfNull(clientStateOf);
        if (check.Need == SubscriptionNeed.None) return Status(Refresh(check.Stored, check.Current!), check.Current, check.BcNow, SubscriptionAction.None, null);
        try
        {
            if (check.Need == SubscriptionNeed.Renew)
            {
                var clientState = await clientStateOf(check.Stored.ClientState, cancellationToken).ConfigureAwait(false) ?? check.Current!.ClientState;
                try
                {
                    var renewed = await _bc.RenewSubscriptionAsync(check.Current!, clientState, cancellationToken).ConfigureAwait(false);
                    return Status(Refresh(check.Stored, renewed), renewed, BcNow(), SubscriptionAction.Renewed, null);
                }
                catch (BusinessCentralException e) when (e.StatusCode == 404)
                {
                    _log.Verbose($"Subscription {check.Stored.SubscriptionId} went away while it was being renewed: creating it again.");
                }
            }
            return await RecreateAsync(check.Stored, clientStateOf, cancellationToken).ConfigureAwait(false);
        }
        catch (BusinessCentralException e)
        {
            _log.Warning(EngineWarnings.SubscriptionNotRenewed,
                $"Subscription {check.Stored.SubscriptionId} ({check.Stored.EntitySet}) could not be {(check.Need == SubscriptionNeed.Renew ? "renewed" : "re-created")}: {e.Message} " +
                "The poll on lastModifiedDateTime still covers its changes; the next pass tries again.");
            return Status(check.Stored, check.Current, check.BcNow, SubscriptionAction.Failed, e.Message);
        }
    }

    /// <summary>The renewal pass: renews what expires within <paramref name="renewWithin"/>, re-creates what BC deleted; one row per stored subscription.</summary>
    public async Task<IReadOnlyList<BcSubscriptionStatus>> RenewDueAsync(TimeSpan renewWithin, ClientStateSource clientStateOf, CancellationToken cancellationToken)
    {
        var rows = new List<BcSubscriptionStatus>();
        foreach (var check in await CheckAsync(renewWithin, null, cancellationToken).ConfigureAwait(false))
            rows.Add(await ApplyAsync(check, clientStateOf, cancellationToken).ConfigureAwait(false));
        return rows;
    }

    /// <summary>Deletes the subscription in BC (with its current etag) and forgets it; one BC no longer has is just forgotten.</summary>
    public async Task<BcSubscriptionStatus> UnregisterAsync(SubscriptionRecord stored, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stored);
        var current = await _bc.GetSubscriptionAsync(stored.SubscriptionId, cancellationToken).ConfigureAwait(false);
        var deleted = current is not null && await _bc.DeleteSubscriptionAsync(stored.SubscriptionId, current.ETag, cancellationToken).ConfigureAwait(false);
        _state.Subscriptions.Remove(stored.SubscriptionId);
        return Status(stored, null, BcNow(), SubscriptionAction.Unregistered, deleted ? null : "Business Central no longer had it; it is forgotten here too.");
    }

    private async Task<BcSubscriptionStatus> RecreateAsync(SubscriptionRecord stored, ClientStateSource clientStateOf, CancellationToken cancellationToken)
    {
        var clientState = await clientStateOf(stored.ClientState, cancellationToken).ConfigureAwait(false);
        if (clientState is null)
        {
            var why = $"Business Central no longer has subscription {stored.SubscriptionId} and its clientState ({stored.ClientState}) is not available to create it again: " +
                "pass -ClientState, or run Register-BcSubscription again. The poll on lastModifiedDateTime covers the changes meanwhile.";
            _log.Warning(EngineWarnings.ClientStateUnavailable, why);
            return Status(stored, null, BcNow(), SubscriptionAction.Failed, why);
        }
        var created = await _bc.CreateSubscriptionAsync(new Uri(stored.NotificationUrl), stored.EntitySet, clientState, cancellationToken).ConfigureAwait(false);
        var now = _time.GetUtcNow();
        var record = stored with
        {
            SubscriptionId = created.Id, Resource = created.Resource, NotificationUrl = created.NotificationUrl, ExpiresAt = created.ExpirationDateTime,
            ETag = created.ETag, CreatedAt = now, UpdatedAt = now,
        };
        _state.Subscriptions.Save(record);
        _state.Subscriptions.Remove(stored.SubscriptionId);
        _log.Verbose($"Business Central no longer had subscription {stored.SubscriptionId} ({stored.EntitySet}): created {created.Id}. The poll on lastModifiedDateTime backfills the gap.");
        return Status(record, created, BcNow(), SubscriptionAction.Recreated,
            $"Business Central no longer had subscription {stored.SubscriptionId} (expired, or deleted after failed deliveries); the poll on lastModifiedDateTime backfills the gap.")
            with { ReplacedSubscriptionId = stored.SubscriptionId };
    }

    /// <summary>Keeps what BC says now (expiry, etag) when it differs from what is stored.</summary>
    private SubscriptionRecord Refresh(SubscriptionRecord stored, BcSubscription current)
    {
        if (stored.ExpiresAt == current.ExpirationDateTime && stored.ETag == current.ETag) return stored;
        var refreshed = stored with { ExpiresAt = current.ExpirationDateTime, ETag = current.ETag, UpdatedAt = _time.GetUtcNow() };
        _state.Subscriptions.Save(refreshed);
        return refreshed;
    }

    private DateTimeOffset BcNow() => _time.GetUtcNow() + _bc.ServerClockOffset;

    private BcSubscriptionStatus Status(SubscriptionRecord stored, BcSubscription? current, DateTimeOffset bcNow, SubscriptionAction action, string? reason)
        => Audited(new BcSubscriptionStatus
    {
        PairId = _state.PairId, EntitySet = stored.EntitySet, SubscriptionId = stored.SubscriptionId, NotificationUrl = stored.NotificationUrl,
        Status = current is not null && !current.IsExpiredAt(bcNow) ? SubscriptionState.Active : SubscriptionState.Gone,
        ExpiresAt = current?.ExpirationDateTime ?? stored.ExpiresAt,
        ExpiresIn = current is not null && !current.IsExpiredAt(bcNow) ? TimeSpan.FromSeconds(Math.Round((current.ExpirationDateTime - bcNow).TotalSeconds)) : null,
        Action = action, Reason = reason, ClientState = stored.ClientState.ToString(),
    });

    /// <summary>One audit line per change made (or tried) to a subscription; reads leave none.</summary>
    private BcSubscriptionStatus Audited(BcSubscriptionStatus row)
    {
        if (_audit is null || row.Action is SubscriptionAction.None or SubscriptionAction.Existing or SubscriptionAction.Skipped) return row;
        _audit.Append(
        [
            new AuditRecord
            {
                Time = _time.GetUtcNow(), CorrelationId = _correlationId, Direction = "BcSubscriptions", PairId = row.PairId, SourceType = "Subscription",
                SourceNumber = row.SubscriptionId ?? "-", TargetType = "BusinessCentral", TargetKey = row.EntitySet, Action = row.Action.ToString(), Reason = row.Reason,
            },
        ]);
        return row;
    }
}
