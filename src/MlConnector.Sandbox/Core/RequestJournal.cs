using System.Collections.Concurrent;

namespace MlConnector.Sandbox.Core;

public enum SandboxService { Entra, BusinessCentral, Marketo, MarketoIdentity, Admin, ManagedIdentity }

/// <summary>
/// One served request, on the sandbox clock, so tests can check windows, concurrency and where a crash landed.
/// <see cref="Started"/>: the request was received. <see cref="Applied"/>: a write (any method but GET) was carried
/// out by the simulator without a response-level error; null for reads and for requests refused or answered by a
/// fault. <see cref="Answered"/>: the response began to leave; null when the connection was dropped.
/// <see cref="Released"/>: a held request was let go. <see cref="Dropped"/>: the client never got an answer (a reset
/// fault, or the client had gone away). <see cref="Completed"/>: the sandbox was done with the request.
/// </summary>
public sealed record JournalEntry(
    long Sequence,
    DateTimeOffset Started,
    DateTimeOffset Completed,
    SandboxService Service,
    string Method,
    string Path,
    int Status,
    string? ErrorCode,
    int RecordCount,
    bool CountedAgainstLimits,
    DateTimeOffset? Applied = null,
    DateTimeOffset? Answered = null,
    DateTimeOffset? Released = null,
    bool Dropped = false);

/// <summary>The request journal tests read to count calls, check limits and wait for a request to have happened.</summary>
public sealed class RequestJournal
{
    private readonly ConcurrentQueue<JournalEntry> _entries = new();
    private readonly object _signalGate = new();
    private TaskCompletionSource _added = NewSignal();
    private long _sequence;

    public long NextSequence() => Interlocked.Increment(ref _sequence);

    public void Add(JournalEntry entry)
    {
        _entries.Enqueue(entry);
        TaskCompletionSource added;
        lock (_signalGate)
        {
            added = _added;
            _added = NewSignal();
        }
        added.TrySetResult();
    }

    public IReadOnlyList<JournalEntry> Snapshot() => _entries.ToArray();

    public IReadOnlyList<JournalEntry> For(SandboxService service) => _entries.Where(e => e.Service == service).ToArray();

    /// <summary>The first entry (oldest first) that matches, as soon as it is journaled; a <see cref="TimeoutException"/> after <paramref name="timeout"/>.</summary>
    public async Task<JournalEntry> WaitForAsync(Func<JournalEntry, bool> match, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(match);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        while (true)
        {
            Task added;
            lock (_signalGate) added = _added.Task;
            if (_entries.FirstOrDefault(match) is { } entry) return entry;
            try { await added.WaitAsync(limit.Token).ConfigureAwait(false); }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException($"No matching request reached the sandbox journal within {timeout.TotalSeconds:0.#} s.");
            }
        }
    }

    public void Clear()
    {
        while (_entries.TryDequeue(out _)) { }
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
