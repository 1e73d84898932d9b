using MlConnector.Engine.Diagnostics;

namespace MlConnector.Engine.Marketo;

/// <summary>
/// Keeps one connection under its share of the instance's limits: at most N calls started in any sliding
/// window, at most M in flight, and the local daily budget. A call occupies the window from its start until
/// its response has been read (plus the window), so the server, which sees the call start a little later,
/// never counts more than N in any of its windows. Identity calls do not pass through here (not counted by Marketo).
/// After 606 nobody starts for one window; after 615 no more calls are in flight than the instance had room for
/// (the calls of ours it was still serving) until one window has passed. After 607 the gate is closed until the
/// reset; after 1029 only bulk calls are.
/// </summary>
internal sealed class MarketoQuotaGate : IDisposable
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(20);

    /// <summary>Shorter waits go untold (1 s, or a quarter window when it is shorter): the gate makes them all the time as a window turns over.</summary>
    private TimeSpan TellFrom => _window / 4 < TimeSpan.FromSeconds(1) ? _window / 4 : TimeSpan.FromSeconds(1);
    private readonly IEngineLog _log;
    private readonly TimeProvider _time;
    private readonly int _limit;
    private readonly TimeSpan _window;
    private readonly int? _dailyBudget;
    private readonly int _maxConcurrency;
    private readonly SemaphoreSlim _slots;
    private readonly object _lock = new();
    private readonly List<Entry> _entries = new();
    private DateTimeOffset _blockedUntil;
    private int _inFlight;
    private int _concurrencyCap;
    private DateTimeOffset _cappedUntil;
    private DateOnly _day;
    private long _dayCount;
    private MarketoQuotaExceededException? _closed;
    private MarketoQuotaExceededException? _bulkClosed;

    public MarketoQuotaGate(int callsPerWindow, TimeSpan window, int maxConcurrency, int? dailyBudget, TimeProvider time, IEngineLog? log = null)
    {
        _limit = callsPerWindow;
        _window = window;
        _dailyBudget = dailyBudget;
        _time = time;
        _maxConcurrency = maxConcurrency;
        _concurrencyCap = maxConcurrency;
        _log = log ?? NullEngineLog.Instance;
        _slots = new SemaphoreSlim(maxConcurrency, maxConcurrency);
    }

    public TimeSpan Window => _window;

    /// <summary>Calls counted against the daily budget on the current Marketo day.</summary>
    public long CallsToday
    {
        get
        {
            lock (_lock) return MarketoCentralTime.DateOf(_time.GetUtcNow()) == _day ? _dayCount : 0;
        }
    }

    /// <summary>Raises today's count to <paramref name="calls"/> when it is lower (calls made elsewhere today count too).</summary>
    public void CountCallsMadeToday(long calls)
    {
        lock (_lock)
        {
            var today = MarketoCentralTime.DateOf(_time.GetUtcNow());
            if (today != _day) { _day = today; _dayCount = 0; }
            if (calls > _dayCount) _dayCount = calls;
        }
    }

    /// <summary>Waits for a free slot in both the window and the concurrency limit; throws when a quota is used up.</summary>
    public async ValueTask<IDisposable> EnterAsync(bool bulk, CancellationToken cancellationToken)
    {
        ThrowIfClosed(bulk);
        await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var told = false;
            while (true)
            {
                TimeSpan wait;
                string cause;
                lock (_lock)
                {
                    ThrowIfClosed(bulk);
                    var now = _time.GetUtcNow();
                    if (WaitBeforeStart(now, out cause) is { } before) wait = before;
                    else
                    {
                        CountAgainstBudget(now);
                        var entry = new Entry();
                        _entries.Add(entry);
                        _inFlight++;
                        return new Lease(this, entry);
                    }
                }
                told = await WaitAsync(wait, cause, told, cancellationToken).ConfigureAwait(false);
            }
        }
        catch
        {
            _slots.Release();
            throw;
        }
    }

    /// <summary>
    /// Completes when a call could start as far as the window and the calls in flight go; takes no place. A caller about
    /// to build a large request waits here first, so that what it builds is not held through a wait of up to a window
    /// (long enough to outlive the garbage collector's young generations). <see cref="EnterAsync"/> still decides.
    /// </summary>
    public async ValueTask WaitForRoomAsync(CancellationToken cancellationToken)
    {
        var told = false;
        while (true)
        {
            TimeSpan wait;
            string cause;
            lock (_lock)
            {
                if (WaitBeforeStart(_time.GetUtcNow(), out cause) is not { } before) return;
                wait = before;
            }
            told = await WaitAsync(wait, cause, told, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>How long a call must wait before it may start (null: it may start now), and why. Under the lock.</summary>
    private TimeSpan? WaitBeforeStart(DateTimeOffset now, out string cause)
    {
        _entries.RemoveAll(e => e.Released is { } released && released <= now - _window);
        if (now < _blockedUntil)
        {
            cause = $"Marketo's quota gate holds every call for one {_window.TotalSeconds:0} s window after Marketo answered 606 (rate limit reached)";
            return _blockedUntil - now;
        }
        if (_inFlight >= ConcurrencyCap(now))
        {
            cause = "Marketo answered 615 (too many calls in flight): the quota gate waits for a call in flight to finish";
            return Poll;
        }
        cause = "";
        if (_entries.Count < _limit) return null;
        var frees = _entries.Where(e => e.Released is not null).Select(e => e.Released!.Value + _window).DefaultIfEmpty(now + Poll).Min();
        cause = $"Marketo's quota gate: this connection has started its {_limit} calls of the last {_window.TotalSeconds:0} s";
        return frees - now;
    }

    /// <summary>Waits (at least one poll); a long wait is told once per caller. Returns whether it has been told.</summary>
    private async Task<bool> WaitAsync(TimeSpan wait, string cause, bool told, CancellationToken cancellationToken)
    {
        if (!told && wait >= TellFrom)
        {
            _log.Waiting(wait, cause);
            told = true;
        }
        await Task.Delay(wait < Poll ? Poll : wait, _time, cancellationToken).ConfigureAwait(false);
        return told;
    }

    /// <summary>After a 606 the instance's window is full (other integrations share it): nobody starts for one window.</summary>
    public void HoldForWindow()
    {
        lock (_lock)
        {
            var until = _time.GetUtcNow() + _window;
            if (until > _blockedUntil) _blockedUntil = until;
        }
    }

    /// <summary>
    /// After a 615, called by the refused call while it still holds its lease: the instance had room only for the
    /// other calls of ours in flight (at least one), so no more than that many start until one window has passed.
    /// </summary>
    public void ConcurrencyRefused()
    {
        lock (_lock)
        {
            var room = Math.Max(1, _inFlight - 1);
            var now = _time.GetUtcNow();
            _concurrencyCap = Math.Min(ConcurrencyCap(now), room);
            _cappedUntil = now + _window;
        }
    }

    /// <summary>607: no further call until the reset. 1029: no further bulk call until the reset.</summary>
    public void Close(MarketoQuotaExceededException reason, bool bulkOnly)
    {
        lock (_lock)
        {
            if (bulkOnly) _bulkClosed = reason; else _closed = reason;
        }
    }

    public void Dispose() => _slots.Dispose();

    private void ThrowIfClosed(bool bulk)
    {
        lock (_lock)
        {
            var now = _time.GetUtcNow();
            if (_closed is { } closed && now < closed.ResetsAt) throw Again(closed);
            if (bulk && _bulkClosed is { } bulkClosed && now < bulkClosed.ResetsAt) throw Again(bulkClosed);
        }
    }

    private static MarketoQuotaExceededException Again(MarketoQuotaExceededException first)
        => new(first.ErrorId, first.Code, first.ResetsAt, first.Message, first.RequestId);

    private void CountAgainstBudget(DateTimeOffset now)
    {
        if (_dailyBudget is not { } budget) return;
        var today = MarketoCentralTime.DateOf(now);
        if (today != _day) { _day = today; _dayCount = 0; }
        if (_dayCount >= budget)
        {
            var resets = MarketoCentralTime.NextMidnight(now);
            throw new MarketoQuotaExceededException("MarketoDailyCallBudgetReached", null, resets,
                $"This connection's daily Marketo call budget of {budget} calls is used up; it resets at {resets:yyyy-MM-dd HH:mm zzz} (midnight US Central). Raise DailyCallBudget or wait.");
        }
        _dayCount++;
    }

    private int ConcurrencyCap(DateTimeOffset now)
    {
        if (now >= _cappedUntil) _concurrencyCap = _maxConcurrency;
        return _concurrencyCap;
    }

    private void Release(Entry entry)
    {
        lock (_lock)
        {
            entry.Released = _time.GetUtcNow();
            _inFlight--;
        }
        _slots.Release();
    }

    private sealed class Entry
    {
        public DateTimeOffset? Released { get; set; }
    }

    private sealed class Lease(MarketoQuotaGate gate, Entry entry) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0) gate.Release(entry);
        }
    }
}
