using System.Collections.Concurrent;

namespace MlConnector.Sandbox.Core;

public enum SandboxService { Entra, BusinessCentral, Marketo, MarketoIdentity, Admin, ManagedIdentity }

/// <summary>One served request. Started/Completed are sandbox-clock times, so tests can check windows and concurrency.</summary>
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
    bool CountedAgainstLimits);

/// <summary>The request journal tests read to count calls and check limits.</summary>
public sealed class RequestJournal
{
    private readonly ConcurrentQueue<JournalEntry> _entries = new();
    private long _sequence;

    public long NextSequence() => Interlocked.Increment(ref _sequence);

    public void Add(JournalEntry entry) => _entries.Enqueue(entry);

    public IReadOnlyList<JournalEntry> Snapshot() => _entries.ToArray();

    public IReadOnlyList<JournalEntry> For(SandboxService service) => _entries.Where(e => e.Service == service).ToArray();

    public void Clear()
    {
        while (_entries.TryDequeue(out _)) { }
    }
}
