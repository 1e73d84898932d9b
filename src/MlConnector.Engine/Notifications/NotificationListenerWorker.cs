using MlConnector.Engine.Diagnostics;
using MlConnector.Engine.State;
using MlConnector.Engine.Sync;

namespace MlConnector.Engine.Notifications;

/// <summary>
/// The background half of a self-hosted endpoint, for one sync pair: woken when a batch is queued (and every few
/// seconds, for work queued elsewhere), it takes the pair's lease only while it sends — a scheduled Invoke-MlSync of
/// the same pair runs between two batches (give it -LeaseTimeout) and the worker waits while one runs — and hands the
/// notified jobs to a <see cref="NotificationWorker"/>. Failures are retried with a growing pause; what is not sent
/// stays queued. Its clients and state store are its own: nothing else may use them while it runs.
/// </summary>
public sealed class NotificationListenerWorker
{
    private static readonly TimeSpan IdlePoll = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan LeaseWait = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan MaxPause = TimeSpan.FromMinutes(1);

    /// <summary>A worker (and the Marketo scope it probed) serves this long before a fresh one re-reads describe and CRM sync.</summary>
    private static readonly TimeSpan WorkerLifetime = TimeSpan.FromMinutes(10);

    private readonly Func<NotificationWorker> _createWorker;
    private readonly ILeaseStore _lease;
    private readonly string _pairName;
    private readonly TimeProvider _time;
    private readonly IEngineLog _log;
    private readonly SemaphoreSlim _wake = new(0, int.MaxValue);
    private readonly CancellationTokenSource _stop = new();
    private readonly CancellationTokenSource _drain = new();
    private readonly List<TimeSpan> _latencies = new();
    private Task? _loop;
    private long _handled, _written, _failedRecords, _failures, _busy;

    /// <param name="createWorker">A worker over the pair's context; called again every ten minutes.</param>
    public NotificationListenerWorker(string pairId, string pairName, Func<NotificationWorker> createWorker, ILeaseStore lease, TimeProvider time, IEngineLog log)
    {
        PairId = pairId;
        _pairName = pairName;
        _createWorker = createWorker;
        _lease = lease;
        _time = time;
        _log = log;
    }

    public string PairId { get; }

    /// <summary>Notified jobs sent so far.</summary>
    public long Handled => Interlocked.Read(ref _handled);

    /// <summary>Marketo records created or updated.</summary>
    public long Written => Interlocked.Read(ref _written);

    /// <summary>Marketo records that failed (parked for replay).</summary>
    public long FailedRecords => Interlocked.Read(ref _failedRecords);

    /// <summary>Passes that failed as a whole (BC or Marketo unreachable, the store locked); their jobs stayed queued.</summary>
    public long Failures => Interlocked.Read(ref _failures);

    /// <summary>Times the pair's lease was held by another run when the worker wanted it.</summary>
    public long LeaseBusy => Interlocked.Read(ref _busy);

    public string? LastError { get; private set; }

    /// <summary>Arrival at the endpoint to the end of the Marketo writes, per handled job (the last 1,000).</summary>
    public IReadOnlyList<TimeSpan> Latencies
    {
        get { lock (_latencies) return _latencies.ToArray(); }
    }

    internal void Start() => _loop ??= Task.Run(RunAsync);

    /// <summary>Something was queued for <paramref name="pairId"/>: look now rather than at the next idle poll.</summary>
    public void Wake(string pairId)
    {
        if (pairId == PairId) _wake.Release();
    }

    /// <summary>Sends what is queued, until nothing is or <paramref name="deadline"/> passes (then the pass in progress is cancelled; its jobs stay queued).</summary>
    internal async Task StopAsync(CancellationToken deadline)
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        using (deadline.Register(_drain.Cancel))
        {
            if (_loop is not null) await _loop.ConfigureAwait(false);
        }
        _stop.Dispose();
        _drain.Dispose();
    }

    private async Task RunAsync()
    {
        NotificationWorker? worker = null;
        var createdAt = DateTimeOffset.MinValue;
        var pause = TimeSpan.Zero;
        while (true)
        {
            var draining = _stop.IsCancellationRequested || !await WaitAsync(pause > TimeSpan.Zero ? pause : IdlePoll).ConfigureAwait(false);
            if (worker is null || _time.GetUtcNow() - createdAt > WorkerLifetime)
            {
                worker = _createWorker();
                createdAt = _time.GetUtcNow();
            }
            try
            {
                if (worker.HasWork) await SendAsync(worker, draining).ConfigureAwait(false);
                pause = TimeSpan.Zero;
                LastError = null;
            }
            catch (MlConnectorException e) when (e.ErrorId == SyncLease.BusyId)
            {
                Interlocked.Increment(ref _busy);
                _log.Verbose($"The notification worker waits: {e.Message}");
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested && !_drain.IsCancellationRequested && !draining)
            {
                // Asked to stop while waiting for the lease: the next turn drains.
            }
            catch (OperationCanceledException) when (_drain.IsCancellationRequested)
            {
                _log.Verbose("The drain time ran out: what was not sent stays queued for the next run.");
                return;
            }
            catch (Exception e)
            {
                Interlocked.Increment(ref _failures);
                LastError = Redactor.Redact(e.Message);
                pause = pause == TimeSpan.Zero ? IdlePoll : TimeSpan.FromTicks(Math.Min(pause.Ticks * 2, MaxPause.Ticks));
                _log.Warning(EngineWarnings.NotificationWorkerFailed,
                    $"The notification worker for pair {PairId} could not send this time ({LastError}); what was queued stays queued and is tried again in {pause.TotalSeconds:0} s.");
                // A failed worker may hold a half-probed Marketo scope: start the next pass afresh.
                worker = null;
            }
            if (draining) return;
        }
    }

    /// <summary>Waits for a wake-up or the pause; false when a stop was asked for.</summary>
    private async Task<bool> WaitAsync(TimeSpan pause)
    {
        try
        {
            await _wake.WaitAsync(pause, _stop.Token).ConfigureAwait(false);
            while (_wake.CurrentCount > 0) _wake.Wait(0);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private async Task SendAsync(NotificationWorker worker, bool draining)
    {
        var options = SyncLeaseOptions.FromEnvironment(draining ? TimeSpan.Zero : LeaseWait);
        await using var lease = await SyncLease.AcquireAsync(_lease, _pairName, options, _time, _log, draining ? _drain.Token : _stop.Token).ConfigureAwait(false);
        var before = worker.Handled;
        await lease.RunAsync(async token =>
        {
            await foreach (var result in worker.RunAsync(token).ConfigureAwait(false))
            {
                if (result.Action is SyncAction.Created or SyncAction.Updated) Interlocked.Increment(ref _written);
                else if (result.Action == SyncAction.Failed) Interlocked.Increment(ref _failedRecords);
            }
        }, _drain.Token).ConfigureAwait(false);
        Interlocked.Add(ref _handled, worker.Handled - before);
        lock (_latencies)
        {
            _latencies.AddRange(worker.Latencies.TakeLast((int)Math.Min(worker.Handled - before, 1000)));
            if (_latencies.Count > 1000) _latencies.RemoveRange(0, _latencies.Count - 1000);
        }
    }
}
