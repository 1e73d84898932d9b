using System.Globalization;
using MlConnector.Engine.Diagnostics;
using MlConnector.Engine.State;

namespace MlConnector.Engine.Sync;

/// <summary>How long a run's lease on its pair lasts without a heartbeat, and how long a run waits for a busy pair.</summary>
public sealed class SyncLeaseOptions
{
    /// <summary>Overrides <see cref="Duration"/> in seconds; meant for tests that kill a run and must not wait two minutes.</summary>
    public const string DurationVariable = "MLCONNECTOR_LEASE_SECONDS";

    /// <summary>A lease not renewed for this long expires (a killed run blocks the pair at most this long). Renewed every quarter of it.</summary>
    public TimeSpan Duration { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>How long to wait for another run of the pair to finish; zero: do not wait.</summary>
    public TimeSpan Wait { get; init; }

    internal TimeSpan Heartbeat => Duration / 4;

    internal TimeSpan Poll => Duration / 4 < TimeSpan.FromSeconds(1) ? Duration / 4 : TimeSpan.FromSeconds(1);

    /// <summary>The defaults, with <see cref="Duration"/> from <see cref="DurationVariable"/> when it holds a positive number of seconds.</summary>
    public static SyncLeaseOptions FromEnvironment(TimeSpan wait)
    {
        var configured = Environment.GetEnvironmentVariable(DurationVariable);
        return double.TryParse(configured, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds > 0
            ? new SyncLeaseOptions { Duration = TimeSpan.FromSeconds(seconds), Wait = wait }
            : new SyncLeaseOptions { Wait = wait };
    }
}

/// <summary>
/// One run's hold on its sync pair: taken before anything is read or sent, renewed by a heartbeat while the run lives,
/// released at the end. Another run of the same pair — another process, thread or runspace — waits for it or stops
/// with <see cref="BusyId"/>; a run killed while holding it blocks the pair only until the lease expires.
/// </summary>
public sealed class SyncLease : IAsyncDisposable
{
    public const string BusyId = "SyncPairBusy";
    public const string LostId = "SyncLeaseLost";

    private readonly ILeaseStore _store;
    private readonly SyncLeaseOptions _options;
    private readonly TimeProvider _time;
    private readonly IEngineLog _log;
    private readonly CancellationTokenSource _lost = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _heartbeat;

    private SyncLease(ILeaseStore store, LeaseHolder holder, SyncLeaseOptions options, TimeProvider time, IEngineLog log)
    {
        _store = store;
        Holder = holder;
        _options = options;
        _time = time;
        _log = log;
        _heartbeat = Task.Run(HeartbeatAsync);
    }

    public LeaseHolder Holder { get; }

    /// <summary>Cancelled when the lease could not be renewed before it expired: another run may now hold the pair.</summary>
    public CancellationToken Lost => _lost.Token;

    /// <summary>Takes the pair's lease, waiting up to <see cref="SyncLeaseOptions.Wait"/> while another run holds it.</summary>
    public static async Task<SyncLease> AcquireAsync(ILeaseStore store, string pairName, SyncLeaseOptions options, TimeProvider time, IEngineLog log, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(options);
        var holderId = Guid.NewGuid().ToString("N");
        var giveUpAt = time.GetUtcNow() + options.Wait;
        var waiting = false;
        while (true)
        {
            var now = time.GetUtcNow();
            var attempt = store.TryAcquire(new LeaseHolder(holderId, Environment.ProcessId, Environment.MachineName, now, now + options.Duration), now);
            if (attempt.Acquired) return new SyncLease(store, attempt.Holder, options, time, log);
            var other = attempt.Holder;
            if (now >= giveUpAt)
            {
                throw new MlConnectorException(BusyId, MlErrorCategory.ResourceBusy,
                    $"Sync pair {pairName} is busy: another run holds it — process {other.ProcessId} on {other.HostName}, started {Utc(other.StartedAt)}, " +
                    $"its lease expires {Utc(other.ExpiresAt)} unless renewed. Let that run finish, or pass -LeaseTimeout <seconds> to wait for it; " +
                    "a run that was killed blocks the pair only until its lease expires.");
            }
            if (!waiting)
            {
                log.Verbose($"Sync pair {pairName} is busy (process {other.ProcessId} on {other.HostName} since {Utc(other.StartedAt)}): waiting up to {options.Wait.TotalSeconds:0} s.");
                waiting = true;
            }
            var left = giveUpAt - now;
            await Task.Delay(left < options.Poll ? left : options.Poll, time, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Runs <paramref name="work"/> while the lease is held; if the lease is lost meanwhile, the work is cancelled and ends with <see cref="LostId"/>.</summary>
    public async Task RunAsync(Func<CancellationToken, Task> work, CancellationToken cancellationToken)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, Lost);
        try
        {
            await work(linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException e) when (Lost.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new MlConnectorException(LostId, MlErrorCategory.ResourceBusy,
                "The run lost its lease on the sync pair (it could not renew it before it expired) and stopped, so that it cannot run beside another. " +
                "What it had not finished is still queued and is sent by the next run.", e);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        try { await _heartbeat.ConfigureAwait(false); }
        catch (OperationCanceledException) { }
        try { _store.Release(Holder.HolderId); }
        catch (StateStoreException e) { _log.Verbose("The sync pair's lease could not be released (it expires by itself): " + e.Message); }
        _lost.Dispose();
        _stop.Dispose();
    }

    private async Task HeartbeatAsync()
    {
        var expiresAt = Holder.ExpiresAt;
        while (!_stop.IsCancellationRequested)
        {
            await Task.Delay(_options.Heartbeat, _time, _stop.Token).ConfigureAwait(false);
            var now = _time.GetUtcNow();
            try
            {
                if (_store.Renew(Holder.HolderId, now + _options.Duration))
                {
                    expiresAt = now + _options.Duration;
                    continue;
                }
            }
            catch (StateStoreException e)
            {
                _log.Verbose("The sync pair's lease could not be renewed this time: " + e.Message);
                if (now < expiresAt) continue;
            }
            await _lost.CancelAsync().ConfigureAwait(false);
            return;
        }
    }

    private static string Utc(DateTimeOffset time) => time.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
