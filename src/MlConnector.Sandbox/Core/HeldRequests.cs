namespace MlConnector.Sandbox.Core;

/// <summary>
/// A request a <see cref="FaultRule.Hold"/> rule is holding: which rule, which journal sequence, and since when;
/// <see cref="ClientGone"/> once the server has noticed that its client closed the connection (it notices that a
/// moment after the client went, not at once).
/// </summary>
public sealed record HeldRequest(string RuleId, long Sequence, SandboxService Service, string Method, string Path, HoldPoint Point, DateTimeOffset Since)
{
    public bool ClientGone { get; init; }
}

/// <summary>
/// Requests held by <see cref="FaultRule.Hold"/> rules until a test releases them (in C# or through
/// POST /admin/faults/{id}/release) or drops them (POST /admin/faults/{id}/drop: the request is lost where it is held,
/// so one held before it was applied is never applied). A release or drop frees the requests held at that moment;
/// later matches of the same rule are held again. Removing the rule, clearing the faults or stopping the sandbox
/// releases them too.
/// </summary>
public sealed class HeldRequests
{
    private readonly object _gate = new();
    private readonly List<Entry> _held = new();
    private TaskCompletionSource _changed = NewSignal();

    public IReadOnlyList<HeldRequest> Snapshot()
    {
        lock (_gate) return _held.Select(e => e.Current).ToArray();
    }

    /// <summary>Frees the requests <paramref name="ruleId"/> holds now; returns how many.</summary>
    public int Release(string ruleId) => ReleaseWhere(e => e.Request.RuleId == ruleId, drop: false);

    /// <summary>
    /// Loses the requests <paramref name="ruleId"/> holds now, as a connection that breaks there would: one held before
    /// it was applied is never applied, one held before its answer has its answer dropped. Returns how many.
    /// </summary>
    public int Drop(string ruleId) => ReleaseWhere(e => e.Request.RuleId == ruleId, drop: true);

    public int ReleaseAll() => ReleaseWhere(_ => true, drop: false);

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
                if (_held.FirstOrDefault(e => e.Request.RuleId == ruleId) is { } entry) return entry.Current;
                changed = _changed.Task;
            }
            try { await changed.WaitAsync(limit.Token).ConfigureAwait(false); }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException($"No request was held by fault rule {ruleId} within {timeout.TotalSeconds:0.#} s.");
            }
        }
    }

    /// <summary>
    /// Completes when the server has noticed that the client of every request <paramref name="ruleId"/> holds has gone
    /// (closed its connection, or was killed). A test that releases a request after killing its client waits for this
    /// first, so the journal shows the answer dropped rather than written into a connection the server still thinks open.
    /// </summary>
    public async Task WaitForClientGoneAsync(string ruleId, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        Entry[] entries;
        lock (_gate) entries = _held.Where(e => e.Request.RuleId == ruleId).ToArray();
        if (entries.Length == 0) throw new InvalidOperationException($"Fault rule {ruleId} holds no request.");
        try
        {
            await Task.WhenAll(entries.Select(e => Task.Delay(Timeout.Infinite, e.ClientAborted).ContinueWith(_ => { }, TaskScheduler.Default)))
                .WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"The clients of the requests held by fault rule {ruleId} did not go away within {timeout.TotalSeconds:0.#} s.");
        }
    }

    /// <summary>Holds until released or dropped (or until <paramref name="stopping"/>: the sandbox is shutting down); true when dropped.</summary>
    internal async Task<bool> HoldAsync(HeldRequest request, CancellationToken clientAborted, CancellationToken stopping)
    {
        var entry = new Entry(request, clientAborted);
        lock (_gate)
        {
            _held.Add(entry);
            Signal();
        }
        try
        {
            return await entry.Released.Task.WaitAsync(stopping).ConfigureAwait(false);
        }
        finally
        {
            lock (_gate) _held.Remove(entry);
        }
    }

    private int ReleaseWhere(Func<Entry, bool> match, bool drop)
    {
        Entry[] released;
        lock (_gate)
        {
            released = _held.Where(match).ToArray();
            foreach (var entry in released) _held.Remove(entry);
            Signal();
        }
        foreach (var entry in released) entry.Released.TrySetResult(drop);
        return released.Length;
    }

    private void Signal()
    {
        var previous = _changed;
        _changed = NewSignal();
        previous.TrySetResult();
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private sealed class Entry(HeldRequest request, CancellationToken clientAborted)
    {
        public HeldRequest Request { get; } = request;
        public CancellationToken ClientAborted { get; } = clientAborted;
        public HeldRequest Current => Request with { ClientGone = ClientAborted.IsCancellationRequested };
        /// <summary>Completes with true when the request is dropped, false when released.</summary>
        public TaskCompletionSource<bool> Released { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
