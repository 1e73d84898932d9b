namespace MlConnector.Sandbox.BusinessCentral.Webhooks;

/// <summary>A change waiting to be sent: BC's "API Webhook Notification" row (time = server time of the change).</summary>
internal sealed class PendingNotification(BcWebhookSubscription subscription, Guid entityId, BcChangeType changeType, DateTimeOffset changedAt)
{
    public BcWebhookSubscription Subscription { get; } = subscription;
    public Guid EntityId { get; } = entityId;
    public BcChangeType ChangeType { get; } = changeType;
    public DateTimeOffset ChangedAt { get; } = changedAt;
}

/// <summary>What one run of the notification job sends to one URL.</summary>
internal sealed record DueDelivery(string NotificationUrl, IReadOnlyList<PendingNotification> Notifications, int Attempt, DateTimeOffset DueAt);

/// <summary>How a delivery ended, as BC classifies the answer (shared/api/business-central.md §5.6).</summary>
internal enum DeliveryResult { Delivered, Retryable, Rejected }

/// <summary>
/// The webhook tables: subscriptions, pending notifications, per-URL failure state and the next run of the notification job.
/// All members lock; nothing here calls out.
/// </summary>
internal sealed class SubscriptionTable(BcWebhookOptions options)
{
    private readonly object _gate = new();
    private readonly Dictionary<Guid, BcWebhookSubscription> _subscriptions = new();
    private readonly List<PendingNotification> _pending = new();
    private readonly Dictionary<string, UrlFailures> _failures = new(StringComparer.Ordinal);
    private DateTimeOffset? _jobDueAt;

    public int PendingCount
    {
        get { lock (_gate) return _pending.Count; }
    }

    public DateTimeOffset? NextJobAt
    {
        get { lock (_gate) return _jobDueAt; }
    }

    public IReadOnlyList<BcWebhookSubscription> All()
    {
        lock (_gate) return _subscriptions.Values.OrderBy(s => s.CreatedAt).ThenBy(s => s.SubscriptionId, StringComparer.Ordinal).ToArray();
    }

    public BcWebhookSubscription? Find(Guid id)
    {
        lock (_gate) return _subscriptions.GetValueOrDefault(id);
    }

    /// <summary>Adds <paramref name="subscription"/> unless the cap is reached; false when it is.</summary>
    public bool TryAdd(BcWebhookSubscription subscription)
    {
        lock (_gate)
        {
            if (_subscriptions.Count >= options.MaxSubscriptions) return false;
            _subscriptions.Add(subscription.Id, subscription);
            return true;
        }
    }

    public bool Remove(BcWebhookSubscription subscription)
    {
        lock (_gate) return RemoveCore(subscription);
    }

    /// <summary>Removes the expired subscriptions (and their pending notifications) and returns them.</summary>
    public IReadOnlyList<BcWebhookSubscription> RemoveExpired(DateTimeOffset now)
    {
        lock (_gate)
        {
            var expired = _subscriptions.Values.Where(s => s.IsExpired(now)).ToArray();
            foreach (var subscription in expired) RemoveCore(subscription);
            return expired;
        }
    }

    /// <summary>A table trigger fired: one pending row per live subscription on the company's entity set; schedules the job when none is.</summary>
    public IReadOnlyList<PendingNotification> Record(Guid companyId, string entitySet, Guid entityId, BcChangeType change, DateTimeOffset now)
    {
        lock (_gate)
        {
            var added = new List<PendingNotification>();
            foreach (var subscription in _subscriptions.Values)
            {
                if (subscription.IsExpired(now) || subscription.CompanyId != companyId || !string.Equals(subscription.EntitySet, entitySet, StringComparison.Ordinal)) continue;
                var row = new PendingNotification(subscription, entityId, change, now);
                _pending.Add(row);
                added.Add(row);
            }
            if (added.Count > 0) _jobDueAt ??= now + options.NotificationDelay;
            return added;
        }
    }

    /// <summary>Drops rows again (the change that made them was rolled back).</summary>
    public void Forget(IReadOnlyList<PendingNotification> rows)
    {
        lock (_gate)
        {
            var forgotten = new HashSet<PendingNotification>(rows);
            _pending.RemoveAll(forgotten.Contains);
            if (_pending.Count == 0) _jobDueAt = null;
        }
    }

    /// <summary>
    /// What is due now: every URL with pending rows when the job is due, except URLs waiting for a retry, which go when
    /// their retry time has come (with whatever is pending for them by then).
    /// </summary>
    public IReadOnlyList<DueDelivery> TakeDue(DateTimeOffset now)
    {
        lock (_gate)
        {
            var jobDueAt = _jobDueAt;
            var jobDue = jobDueAt <= now;
            if (jobDue) _jobDueAt = null;
            var due = new List<DueDelivery>();
            foreach (var group in _pending.GroupBy(p => p.Subscription.NotificationUrl, StringComparer.Ordinal))
            {
                var failures = _failures.GetValueOrDefault(group.Key);
                DateTimeOffset? dueAt = failures is null ? (jobDue ? jobDueAt : null) : failures.RetryAt <= now ? failures.RetryAt : null;
                if (dueAt is null) continue;
                due.Add(new DueDelivery(group.Key, group.ToArray(), (failures?.Count ?? 0) + 1, dueAt.Value));
            }
            return due;
        }
    }

    /// <summary>Applies a delivery's outcome; returns the subscriptions BC deletes because of it.</summary>
    public IReadOnlyList<BcWebhookSubscription> Complete(DueDelivery delivery, DeliveryResult result, DateTimeOffset now)
    {
        lock (_gate)
        {
            if (result == DeliveryResult.Delivered)
            {
                var delivered = new HashSet<PendingNotification>(delivery.Notifications);
                _pending.RemoveAll(delivered.Contains);
                _failures.Remove(delivery.NotificationUrl);
                return [];
            }
            var doomed = _subscriptions.Values.Where(s => string.Equals(s.NotificationUrl, delivery.NotificationUrl, StringComparison.Ordinal)).ToArray();
            if (result == DeliveryResult.Retryable && doomed.Length > 0)
            {
                var failures = _failures.TryGetValue(delivery.NotificationUrl, out var known) ? known : _failures[delivery.NotificationUrl] = new UrlFailures();
                failures.Count++;
                if (failures.Count <= options.RetrySchedule.Count)
                {
                    failures.RetryAt = now + options.RetrySchedule[failures.Count - 1];
                    return [];
                }
            }
            foreach (var subscription in doomed) RemoveCore(subscription);
            return doomed;
        }
    }

    /// <summary>When the URL waits for a retry: the attempt number of the next try and its time.</summary>
    public (int NextAttempt, DateTimeOffset RetryAt)? RetryState(string notificationUrl)
    {
        lock (_gate) return _failures.TryGetValue(notificationUrl, out var f) ? (f.Count + 1, f.RetryAt) : null;
    }

    private bool RemoveCore(BcWebhookSubscription subscription)
    {
        if (!_subscriptions.Remove(subscription.Id)) return false;
        _pending.RemoveAll(p => p.Subscription == subscription);
        if (!_subscriptions.Values.Any(s => string.Equals(s.NotificationUrl, subscription.NotificationUrl, StringComparison.Ordinal)))
            _failures.Remove(subscription.NotificationUrl);
        if (_pending.Count == 0) _jobDueAt = null;
        return true;
    }

    private sealed class UrlFailures
    {
        public int Count { get; set; }
        public DateTimeOffset RetryAt { get; set; }
    }
}
