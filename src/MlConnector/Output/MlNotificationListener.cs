using MlConnector.Engine.Notifications;
using MlConnector.Engine.State;
using MlConnector.Infrastructure;

namespace MlConnector.Output;

/// <summary>
/// A self-hosted notification endpoint started by Start-MlNotificationListener, live: its counters change while it runs.
/// Stop it with Stop-MlNotificationListener (or Ctrl+C under -Wait).
/// </summary>
public sealed class MlNotificationListener
{
    private readonly NotificationListener _listener;
    private readonly IReadOnlyList<IStateStore> _stores;
    private readonly Func<int> _pending;

    internal MlNotificationListener(int id, NotificationListener listener, string pairId, string? bcCompanyName, string munchkinId, ListenerLog log,
        IReadOnlyList<IStateStore> stores, Func<int> pending)
    {
        Id = id;
        _listener = listener;
        PairId = pairId;
        BcCompanyName = bcCompanyName;
        MunchkinId = munchkinId;
        Log = log;
        _stores = stores;
        _pending = pending;
    }

    /// <summary>This session's number for the listener.</summary>
    public int Id { get; }
    public string Prefix => _listener.Prefix;

    /// <summary>The sync pair whose notified changes the worker sends (notifications for other pairs are queued for their own runs).</summary>
    public string PairId { get; }
    public string? BcCompanyName { get; }
    public string MunchkinId { get; }
    public string State => _listener.IsRunning ? "Running" : "Stopped";
    public DateTimeOffset StartedAt => _listener.StartedAt;
    public long Requests => _listener.Counts.Requests;
    public long Handshakes => _listener.Counts.Handshakes;
    public long Notifications => _listener.Counts.Notifications;
    public long Enqueued => _listener.Counts.Enqueued;
    public long Rejected => _listener.Counts.Rejected;

    /// <summary>Batches answered 503 because the state store could not take them (Business Central delivers them again).</summary>
    public long Unavailable => _listener.Counts.Unavailable;

    /// <summary>Notified changes waiting in the pair's queue now.</summary>
    public int Pending => _listener.IsRunning ? _pending() : 0;

    /// <summary>Notified jobs the worker has sent.</summary>
    public long Handled => _listener.Worker?.Handled ?? 0;

    /// <summary>Marketo records the worker created or updated.</summary>
    public long Written => _listener.Worker?.Written ?? 0;
    public long FailedRecords => _listener.Worker?.FailedRecords ?? 0;

    /// <summary>Times the worker found the pair's lease held by another run (a scheduled Invoke-MlSync) and waited.</summary>
    public long LeaseBusy => _listener.Worker?.LeaseBusy ?? 0;
    public long WorkerFailures => _listener.Worker?.Failures ?? 0;
    public string? LastError => _listener.Worker?.LastError;
    public string? LastWarning => Log.LastWarning;

    /// <summary>Median time from a notification's arrival to the end of its Marketo writes (the last 1,000 changes).</summary>
    public TimeSpan? MedianLatency => Median(_listener.Worker?.Latencies ?? []);

    internal ListenerLog Log { get; }

    internal Task StopAsync() => _listener.StopAsync();

    /// <summary>Releases the listener's state-store connections (after it stopped).</summary>
    internal async Task DisposeAsync()
    {
        await _listener.DisposeAsync().ConfigureAwait(false);
        foreach (var store in _stores) store.Dispose();
    }

    private static TimeSpan? Median(IReadOnlyList<TimeSpan> values)
    {
        if (values.Count == 0) return null;
        var sorted = values.Order().ToArray();
        return sorted[sorted.Length / 2];
    }
}
