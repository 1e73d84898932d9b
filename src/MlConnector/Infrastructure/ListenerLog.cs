using System.Collections.Concurrent;
using MlConnector.Engine.Diagnostics;

namespace MlConnector.Infrastructure;

/// <summary>
/// The engine log of a listener that outlives the cmdlet that started it: keeps the last messages (redacted) and counts
/// warnings; while a cmdlet waits on the listener (-Wait) they also go to that cmdlet's streams.
/// </summary>
internal sealed class ListenerLog : IEngineLog
{
    private const int Kept = 200;
    private readonly ConcurrentQueue<string> _recent = new();
    private IEngineLog? _sink;
    private long _warnings;

    public long Warnings => Interlocked.Read(ref _warnings);

    public string? LastWarning { get; private set; }

    public IReadOnlyList<string> Recent => _recent.ToArray();

    /// <summary>Also sends messages to <paramref name="sink"/> until detached (null).</summary>
    public void Attach(IEngineLog? sink) => Volatile.Write(ref _sink, sink);

    public void Verbose(string message)
    {
        Keep("VERBOSE: " + message);
        Volatile.Read(ref _sink)?.Verbose(message);
    }

    public void Debug(string message) => Volatile.Read(ref _sink)?.Debug(message);

    public void Warning(string code, string message)
    {
        Interlocked.Increment(ref _warnings);
        LastWarning = Redactor.Redact(message);
        Keep("WARNING: " + message);
        Volatile.Read(ref _sink)?.Warning(code, message);
    }

    private void Keep(string line)
    {
        _recent.Enqueue(Redactor.Redact(line));
        while (_recent.Count > Kept) _recent.TryDequeue(out _);
    }
}
