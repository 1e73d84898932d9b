using System.Net;
using MlConnector.Engine.Diagnostics;
using MlConnector.Engine.Http;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace MlConnector.Engine.BusinessCentral;

/// <summary>
/// The retry policy for BC calls: 429/502/503/504 and transport failures, Retry-After when BC sends one, otherwise
/// exponential back-off with jitter; bounded in attempts, per-attempt time and total time. Delays run on the
/// injected TimeProvider and honour the caller's CancellationToken.
/// </summary>
internal static class BcResilience
{
    /// <summary>429 and 503 (throttling, queue), 502 and 504 (a gateway lost or timed out the request): shared/api/business-central.md §4.7.</summary>
    public static bool IsRetryableStatus(HttpStatusCode status)
        => status is HttpStatusCode.TooManyRequests or HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout;

    /// <summary>The retryable statuses that mean "slow down" rather than "the gateway failed".</summary>
    public static bool IsThrottling(HttpStatusCode status) => status is HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable;

    public static ResiliencePipeline<HttpResponseMessage> Build(BcRetryOptions options, TimeProvider time, IEngineLog log)
    {
        var builder = new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = time };
        builder.AddTimeout(new TimeoutStrategyOptions { Timeout = options.TotalTimeout });
        if (options.MaxAttempts > 1)
        {
            builder.AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                MaxRetryAttempts = options.MaxAttempts - 1,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.BaseDelay,
                MaxDelay = options.MaxDelay,
                ShouldHandle = new PredicateBuilder<HttpResponseMessage>()
                    // A host that does not resolve or refuses the connection will not answer the next attempt either.
                    .Handle<HttpRequestException>(e => !Unreachable.IsPermanent(e))
                    .Handle<IOException>(e => !Unreachable.IsPermanent(e))
                    .Handle<TimeoutRejectedException>()
                    .HandleResult(r => IsRetryableStatus(r.StatusCode)),
                DelayGenerator = args => new ValueTask<TimeSpan?>(RetryAfter(args.Outcome.Result, time, options.MaxDelay)),
                OnRetry = args =>
                {
                    var why = args.Outcome.Result is { } r ? ((int)r.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture) : args.Outcome.Exception?.GetType().Name;
                    var told = args.Outcome.Result?.Headers.RetryAfter is { } after
                        ? $" with Retry-After {(after.Delta is { } delta ? delta.TotalSeconds.ToString("0.#", System.Globalization.CultureInfo.InvariantCulture) + " s" : after.Date?.ToString("u", System.Globalization.CultureInfo.InvariantCulture))}"
                        : "";
                    log.Waiting(args.RetryDelay, $"BC retry {args.AttemptNumber + 1} of {options.MaxAttempts - 1} after {why}{told}");
                    return default;
                },
            });
        }
        builder.AddTimeout(new TimeoutStrategyOptions { Timeout = options.AttemptTimeout });
        return builder.Build();
    }

    /// <summary>The server's Retry-After (seconds or date), capped; null lets the back-off decide.</summary>
    private static TimeSpan? RetryAfter(HttpResponseMessage? response, TimeProvider time, TimeSpan cap)
    {
        var header = response?.Headers.RetryAfter;
        if (header is null) return null;
        var delay = header.Delta ?? (header.Date is { } date ? date - time.GetUtcNow() : null);
        if (delay is null) return null;
        if (delay < TimeSpan.Zero) return TimeSpan.Zero;
        return delay > cap ? cap : delay;
    }
}
