using MlConnector.Engine.Audit;
using MlConnector.Engine.Diagnostics;
using MlConnector.Engine.State;
using MlConnector.Engine.Sync;

namespace MlConnector.Engine.Notifications;

/// <summary>
/// One notification endpoint's intake, whatever hosts it: the handler's decision, then what it accepted enqueued as
/// notified jobs in the queue of the pair that owns each subscription (never another pair's), deletions and rejections
/// audited. It reads nothing from Business Central: the answer goes back at once and a worker fetches afterwards.
/// When the state store cannot take the batch the answer is 503, so Business Central delivers it again later.
/// Thread-safe: requests may be received concurrently.
/// </summary>
public sealed class NotificationReceiver
{
    private readonly NotificationHandler _handler;
    private readonly IStateStore _store;
    private readonly IAuditTrail _audit;
    private readonly TimeProvider _time;
    private readonly IEngineLog _log;
    private readonly object _gate;

    /// <param name="storeGate">Held around every use of <paramref name="store"/> (share it with whatever else uses that store instance).</param>
    public NotificationReceiver(IKnownSubscriptions subscriptions, IStateStore store, object storeGate, IAuditTrail audit, TimeProvider time, IEngineLog log)
    {
        _handler = new NotificationHandler(subscriptions);
        _store = store;
        _gate = storeGate;
        _audit = audit;
        _time = time;
        _log = log;
    }

    /// <summary>Raised after a batch put work into a pair's queue (the pair id), for a worker to wake up.</summary>
    public event Action<string>? Enqueued;

    /// <summary>Decides (handler) and accepts (queues, audits) one request.</summary>
    public async Task<NotificationReceipt> ReceiveAsync(NotificationRequest request, CancellationToken cancellationToken)
        => Accept(await DecideAsync(request, cancellationToken).ConfigureAwait(false));

    /// <summary>The handler's decision alone: nothing is queued or audited (what -WhatIf shows).</summary>
    public Task<NotificationResult> DecideAsync(NotificationRequest request, CancellationToken cancellationToken) => _handler.HandleAsync(request, cancellationToken);

    /// <summary>Queues what <paramref name="result"/> accepted for the pairs owning its subscriptions and audits the rest.</summary>
    public NotificationReceipt Accept(NotificationResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        if (result.Kind == NotificationResultKind.ValidationHandshake) return NotificationReceipt.From(result);

        var now = _time.GetUtcNow();
        var correlationId = Guid.NewGuid().ToString("D");
        var pairs = new HashSet<string>(StringComparer.Ordinal);
        try
        {
            lock (_gate)
            {
                foreach (var byPair in result.Changes.GroupBy(c => c.PairId))
                {
                    if (byPair.Key is not { } pairId) continue;
                    Queue(pairId).Enqueue(byPair.Select(c => NotifiedJobs.Entity(c, now)), now);
                    pairs.Add(pairId);
                }
                foreach (var collection in result.Collections)
                {
                    if (collection.PairId is not { } pairId) continue;
                    EnqueueCollection(pairId, collection, now);
                    pairs.Add(pairId);
                }
                _audit.Append(Deletions(result, correlationId, now).Concat(Rejections(result, correlationId, now)).ToList());
            }
        }
        catch (Exception e) when (e is StateStoreException or IOException or UnauthorizedAccessException)
        {
            _log.Warning(EngineWarnings.NotificationNotQueued, $"A notification batch could not be queued ({e.Message}); answered 503 so that Business Central delivers it again.");
            return NotificationReceipt.From(result) with { StatusCode = 503, Enqueued = 0, Collections = 0, Failure = e.Message };
        }
        foreach (var pairId in pairs) Enqueued?.Invoke(pairId);
        return NotificationReceipt.From(result) with { PairIds = pairs.Order(StringComparer.Ordinal).ToArray() };
    }

    /// <summary>What <see cref="Accept"/> would answer, with nothing queued or audited (-WhatIf).</summary>
    public NotificationReceipt Describe(NotificationResult result) => NotificationReceipt.From(result);

    private IWorkQueue Queue(string pairId) => _store.Pair(pairId).Queue(SyncDirection.BcToMarketo);

    /// <summary>A re-read already waiting for the entity set keeps the earlier instant (or "everything").</summary>
    private void EnqueueCollection(string pairId, CollectionNotification collection, DateTimeOffset now)
    {
        var queue = Queue(pairId);
        var jobId = NotifiedJobs.CollectionJobId(collection.EntitySet);
        var waiting = queue.Take(QueuedJobStatus.Pending, NotifiedJobs.TargetType, int.MaxValue).FirstOrDefault(j => j.JobId == jobId);
        var after = collection.ModifiedAfter;
        if (waiting is not null)
        {
            var earlier = NotifiedJobs.Read(waiting);
            after = earlier.Everything || after is null ? null : earlier.ModifiedAfter < after ? earlier.ModifiedAfter : after;
        }
        queue.Enqueue([NotifiedJobs.Collection(collection.EntitySet, collection.SubscriptionId, after, now)], now);
    }

    private IEnumerable<AuditRecord> Deletions(NotificationResult result, string correlationId, DateTimeOffset now)
        => result.Deletions.Select(d => new AuditRecord
        {
            Time = now, CorrelationId = correlationId, Direction = nameof(SyncDirection.BcToMarketo), PairId = d.PairId,
            SourceType = NotifiedJobs.SourceTypeOf(d.EntitySet), SourceNumber = d.EntityId.ToString("D"), TargetType = d.EntitySet == "contacts" ? "Lead" : "Company",
            Action = nameof(SyncAction.Skipped),
            Reason = $"{SyncReasons.DeletedInBusinessCentral}: Business Central notified that {d.EntitySet}({d.EntityId:D}) was deleted; deletions do not cross to Marketo",
        });

    private IEnumerable<AuditRecord> Rejections(NotificationResult result, string correlationId, DateTimeOffset now)
        => result.Rejected.Select(r => new AuditRecord
        {
            Time = now, CorrelationId = correlationId, Direction = nameof(SyncDirection.BcToMarketo),
            PairId = r.PairId,
            SourceType = "Notification", SourceNumber = r.SubscriptionId ?? "-", TargetType = "Queue",
            Action = "Rejected", Reason = r.Reason + ": " + r.Message,
        });
}

/// <summary>
/// What the endpoint answers (status, content type, body, headers — hand them to the host's response) and what it did
/// with the request: notifications received, jobs enqueued, collection re-reads, deletions audited, items rejected.
/// </summary>
public sealed record NotificationReceipt
{
    public required int StatusCode { get; init; }
    public required string ContentType { get; init; }
    public required string Body { get; init; }
    public required IReadOnlyDictionary<string, string> Headers { get; init; }

    /// <summary>ValidationHandshake, Notifications or Rejected (the whole request).</summary>
    public required string Kind { get; init; }
    public int Received { get; init; }

    /// <summary>Changed entities queued for the worker (one job per entity).</summary>
    public int Enqueued { get; init; }
    public int Collections { get; init; }
    public int Deleted { get; init; }
    public int Rejected { get; init; }

    /// <summary>The first rejection's reason word (e.g. WrongClientState), when any.</summary>
    public string? RejectedReason { get; init; }

    /// <summary>The pairs that were given work.</summary>
    public IReadOnlyList<string> PairIds { get; init; } = [];

    /// <summary>Why the batch could not be queued (the answer is then 503).</summary>
    public string? Failure { get; init; }

    internal static NotificationReceipt From(NotificationResult result) => new()
    {
        StatusCode = result.StatusCode, ContentType = result.ContentType, Body = result.ResponseBody,
        Headers = result.ResponseHeaders, Kind = result.Kind.ToString(), Received = result.Received,
        Enqueued = result.Changes.Count, Collections = result.Collections.Count, Deleted = result.Deletions.Count, Rejected = result.Rejected.Count,
        RejectedReason = result.Rejected.FirstOrDefault()?.Reason.ToString(),
    };
}
