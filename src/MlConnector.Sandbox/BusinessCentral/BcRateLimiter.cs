using MlConnector.Sandbox.Core;

namespace MlConnector.Sandbox.BusinessCentral;

/// <summary>
/// BC's per-user operational limits: requests per sliding window, and concurrent requests (the rest queue,
/// up to a queue limit). Users are the token's app id: service principals are treated like users.
/// </summary>
public sealed class BcRateLimiter(BusinessCentralOptions options, SandboxClock clock)
{
    private readonly object _gate = new();
    private readonly Dictionary<string, UserState> _users = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Forgets all counters (after the limits were changed).</summary>
    public void Reset()
    {
        lock (_gate) _users.Clear();
    }

    public async Task<BcThrottle> EnterAsync(string user, CancellationToken cancellationToken)
    {
        UserState state;
        lock (_gate)
        {
            if (!_users.TryGetValue(user, out state!)) _users[user] = state = new UserState(options.MaxConcurrentRequests);
            var now = clock.GetUtcNow();
            while (state.Recent.Count > 0 && state.Recent.Peek() <= now - options.RateWindow) state.Recent.Dequeue();
            if (state.Recent.Count >= options.RequestsPerWindow)
            {
                var wait = state.Recent.Peek() + options.RateWindow - now;
                return BcThrottle.Rejected(state.Recent.Count + 1, options.RequestsPerWindow, (int)Math.Ceiling(Math.Max(1, wait.TotalSeconds)));
            }
            var limit = options.MaxConcurrentRequests + options.MaxQueuedRequests;
            if (state.InFlight >= limit) return BcThrottle.Rejected(state.InFlight + 1, limit, 1);
            state.Recent.Enqueue(now);
            state.InFlight++;
        }
        try
        {
            await state.Slots.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            lock (_gate) state.InFlight--;
            throw;
        }
        return BcThrottle.Admitted(() =>
        {
            state.Slots.Release();
            lock (_gate) state.InFlight--;
        });
    }

    private sealed class UserState(int slots)
    {
        public Queue<DateTimeOffset> Recent { get; } = new();
        public int InFlight { get; set; }
        public SemaphoreSlim Slots { get; } = new(Math.Max(1, slots));
    }
}

/// <summary>The limiter's answer: admitted (dispose to leave) or rejected with the numbers for the 429 message.</summary>
public sealed class BcThrottle : IDisposable
{
    private Action? _leave;

    public bool IsRejected { get; private init; }
    public int Actual { get; private init; }
    public int Maximum { get; private init; }
    public int RetryAfterSeconds { get; private init; }

    public static BcThrottle Admitted(Action leave) => new() { _leave = leave };

    public static BcThrottle Rejected(int actual, int maximum, int retryAfterSeconds) => new() { IsRejected = true, Actual = actual, Maximum = maximum, RetryAfterSeconds = retryAfterSeconds };

    public void Dispose() => Interlocked.Exchange(ref _leave, null)?.Invoke();
}
