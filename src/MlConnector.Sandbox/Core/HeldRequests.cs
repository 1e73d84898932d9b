namespace MlConnector.Sandbox.Core;

/// <summary>A request a <see cref="FaultRule.Hold"/> rule is holding: which rule, which journal sequence, and since when.</summary>
public sealed record HeldRequest(string RuleId, long Sequence, SandboxService Service, string Method, string Path, HoldPoint Point, DateTimeOffset Since)
{
    /// <summary>Cancelled once the server has seen the client go away (tests wait on it before releasing a request whose client left).</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public CancellationToken ClientGone { get; init; }
}

/// <summary>
/// Requests held by <see cref="FaultRule.Hold"/> rules until a test releases them (in C# or through
/// POST /admin/faults/{id}/release). A release frees the requests held at that moment; later matches of the
/// same rule are held again. Removing the rule, clearing the faults or stopping the sandbox frees them too.
/// </summary>
public sealed class HeldRequests
{
    private readonly object _gate = new();
    private readonly List<Entry> _held = new();
    private TaskCompletionSource _changed = NewSignal();

    public IReadOnlyList<HeldRequest> Snapshot()
    {
        lock (_gate) return _held.Select(e => e.Request).ToArray();
    }

    /// <summary>Frees the requests <paramref name="ruleId"/> holds now; returns how many.</summary>
    public int Release(string ruleId) => ReleaseWhere(e => e.Request.RuleId == ruleId);

    public int ReleaseAll() => ReleaseWhere(_ => true);

    /// <summary>Completes when <paramref name="ruleId"/> holds a request (at once if it already does).</summary>
    public async Task<HeldRequest> WaitForAsync(string ruleId, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                if (_held.FirstOrDefault(e => e.Request.RuleId == ruleId) is { } entry) return entry.Request;
                changed = _changed.Task;
            }
            try { await changed.WaitAsync(limit.Token).ConfigureAwait(false); }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException($"No request was held by fault rule {ruleId} within {timeout.TotalSeconds:0.#} s.");
            }
        }
    }

    /// <summary>Holds until released (or until <paramref name="stopping"/>: the sandbox is shutting down).</summary>
    internal async Task HoldAsync(HeldRequest request, CancellationToken stopping)
    {
        var entry = new Entry(request);
        lock (_gate)
        {
            _held.Add(entry);
            Signal();
        }
        try
        {
            await entry.Released.Task.WaitAsync(stopping).ConfigureAwait(false);
        }
        finally
        {
            lock (_gate) _held.Remove(entry);
        }
    }

    private int ReleaseWhere(Func<Entry, bool> match)
    {
        Entry[] released;
        lock (_gate)
        {
            released = _held.Where(match).ToArray();
            foreach (var entry in released) _held.Remove(entry);
            Signal();
        }
        foreach (var entry in released) entry.Released.TrySetResult();
        return released.Length;
    }

    private void Signal()
    {
        var previous = _changed;
        _changed = NewSignal();
        previous.TrySetResult();
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private sealed class Entry(HeldRequest request)
    {
        public HeldRequest Request { get; } = request;
        public TaskCompletionSource Released { get; } = NewSignal();
    }
}
