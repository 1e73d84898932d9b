namespace MlConnector.Sandbox.Marketo;

/// <summary>
/// One Sync Leads or Sync Companies call: when it reached the gate and when it answered (times on the sandbox clock
/// and positions in one sequence of events), and the keys of its records (lookup field or externalCompanyId values,
/// lower-cased). Two calls overlap, that is were in flight together, when each arrived before the other completed.
/// </summary>
public sealed record MarketoWriteCall(long Id, string Object, DateTimeOffset ReceivedAt, long ReceivedOrder, IReadOnlyList<string> Keys)
{
    public DateTimeOffset? CompletedAt { get; set; }
    public long? CompletedOrder { get; set; }

    public bool Overlaps(MarketoWriteCall other)
        => other.Id != Id && other.ReceivedOrder < (CompletedOrder ?? long.MaxValue) && ReceivedOrder < (other.CompletedOrder ?? long.MaxValue);
}

/// <summary>
/// The record of write calls tests read to check that a client never has the same key in two calls in flight
/// (GET /admin/marketo/writes), and the event order that decides which calls overlap.
/// </summary>
public sealed class MarketoWriteLog(TimeProvider clock)
{
    private readonly object _gate = new();
    private readonly Dictionary<long, MarketoWriteCall> _calls = new();
    private long _order;

    /// <summary>Events so far (arrivals at the gate and completions of write calls).</summary>
    public long Events => Interlocked.Read(ref _order);

    /// <summary>The next position in the event sequence (the gate takes one when a request arrives).</summary>
    public long NextOrder() => Interlocked.Increment(ref _order);

    public MarketoWriteCall Begin(string obj, MarketoRequest request, IEnumerable<string> keys)
    {
        lock (_gate)
        {
            var call = new MarketoWriteCall(_calls.Count + 1, obj, request.ReceivedAt, request.ReceivedOrder,
                keys.Select(k => k.ToLowerInvariant()).Distinct(StringComparer.Ordinal).ToArray());
            _calls.Add(call.Id, call);
            return call;
        }
    }

    public void Complete(MarketoWriteCall call)
    {
        lock (_gate)
        {
            call.CompletedAt = clock.GetUtcNow();
            call.CompletedOrder = NextOrder();
        }
    }

    public MarketoWriteCall? Get(long id)
    {
        lock (_gate) return _calls.GetValueOrDefault(id);
    }

    public IReadOnlyList<MarketoWriteCall> Snapshot()
    {
        lock (_gate) return _calls.Values.OrderBy(c => c.Id).ToArray();
    }

    public void Clear()
    {
        lock (_gate) _calls.Clear();
    }
}
