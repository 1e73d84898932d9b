using MlConnector.Engine.Diagnostics;
using MlConnector.Engine.Http;
using Polly;
using Polly.Retry;

namespace MlConnector.Engine.Marketo;

/// <summary>
/// The retry pipeline (Polly) around one logical Marketo call: bounded attempts and total time, exponential
/// jittered back-off for transient codes, a whole window after 606 (the gate, told by the channel, holds every
/// caller), a short jittered pause after 615 (then the gate lets the call start only when a slot is free). Every delay and attempt observes the caller's token; an attempt that runs longer
/// than its time-out becomes a retryable <see cref="TimeoutException"/>.
/// </summary>
internal sealed class MarketoRetry
{
    private static readonly ResiliencePropertyKey<long> StartedKey = new("mlconnector.marketo.started");
    private static readonly ResiliencePropertyKey<string> WhatKey = new("mlconnector.marketo.what");
    private readonly MarketoRetryOptions _options;
    private readonly MarketoQuotaGate? _gate;
    private readonly TimeProvider _time;
    private readonly IEngineLog _log;
    private readonly ResiliencePipeline _pipeline;

    public MarketoRetry(MarketoRetryOptions options, MarketoQuotaGate? gate, TimeProvider time, IEngineLog log)
    {
        _options = options;
        _gate = gate;
        _time = time;
        _log = log;
        _pipeline = options.MaxAttempts <= 1
            ? ResiliencePipeline.Empty
            : new ResiliencePipelineBuilder { TimeProvider = time }.AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = options.MaxAttempts - 1,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.BaseDelay,
                MaxDelay = options.MaxDelay,
                ShouldHandle = args => ValueTask.FromResult(ShouldRetry(args.Outcome.Exception, args.Context)),
                DelayGenerator = args => ValueTask.FromResult(DelayFor(args.Outcome.Exception)),
                OnRetry = args =>
                {
                    _log.Waiting(args.RetryDelay, Redactor.Redact($"Marketo: retry {args.AttemptNumber + 1} of {(args.Context.Properties.TryGetValue(WhatKey, out var what) ? what : "a call")} after {Describe(args.Outcome.Exception)}"));
                    return default;
                },
            }).Build();
    }

    public async Task<T> ExecuteAsync<T>(Func<CancellationToken, Task<T>> attempt, string what, TimeSpan? attemptTimeout, CancellationToken cancellationToken)
    {
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(StartedKey, _time.GetTimestamp());
        context.Properties.Set(WhatKey, what);
        var attempts = 0;
        try
        {
            return await _pipeline.ExecuteAsync(async (ctx, state) =>
            {
                attempts++;
                return await WithTimeoutAsync(state, attemptTimeout ?? _options.AttemptTimeout, what, ctx.CancellationToken).ConfigureAwait(false);
            }, context, attempt).ConfigureAwait(false);
        }
        catch (MarketoApiException e) when (attempts > 1)
        {
            throw new MarketoApiException(e.Code, e.VendorMessage, e.RequestId, e.HttpStatus, what, attempts);
        }
        catch (Exception e) when (Unreachable.Classify(e) is { } reason)
        {
            throw UnreachableFailure(reason, what, e);
        }
        catch (Exception e) when (IsTransport(e))
        {
            throw new MlConnectorException("MarketoConnectionFailed", MlErrorCategory.Connection,
                Redactor.Redact($"Marketo {what} could not be completed after {attempts} attempt(s): {e.Message}"), e);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    private async Task<T> WithTimeoutAsync<T>(Func<CancellationToken, Task<T>> attempt, TimeSpan timeout, string what, CancellationToken cancellationToken)
    {
        using var timeoutSource = new CancellationTokenSource(timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeoutSource.Token);
        try
        {
            return await attempt(linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException e) when (timeoutSource.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"No answer to {what} within {timeout.TotalSeconds:0.#} s.", e);
        }
    }

    private bool ShouldRetry(Exception? exception, ResilienceContext context)
    {
        if (exception is null || context.CancellationToken.IsCancellationRequested) return false;
        if (context.Properties.TryGetValue(StartedKey, out var started) && _time.GetElapsedTime(started) >= _options.MaxTotalTime) return false;
        return exception switch
        {
            MarketoApiException api => api.Kind is MarketoErrorKind.Transient or MarketoErrorKind.RateLimited or MarketoErrorKind.Concurrency,
            _ => IsTransport(exception) && !Unreachable.IsPermanent(exception),
        };
    }

    /// <summary>A host that does not resolve or refuses the connection: no retry will help, so say what to check.</summary>
    private static MlConnectorException UnreachableFailure(UnreachableReason reason, string what, Exception failure)
    {
        var said = Unreachable.Describe(failure);
        return reason == UnreachableReason.HostNotFound
            ? new MlConnectorException("MarketoInstanceNotFound", MlErrorCategory.Connection, Redactor.Redact(
                $"The Marketo instance was not found: its host name does not resolve ({said}). Check the Munchkin id (Marketo Admin > Integration > Munchkin) or -BaseUri."), failure)
            : new MlConnectorException("MarketoHostRefused", MlErrorCategory.Connection, Redactor.Redact(
                $"Marketo {what}: the host refused the connection ({said}). Check -BaseUri and -IdentityUri."), failure);
    }

    private TimeSpan? DelayFor(Exception? exception) => exception switch
    {
        MarketoApiException { Kind: MarketoErrorKind.RateLimited } => (_gate?.Window ?? TimeSpan.FromSeconds(20)) + Jitter(TimeSpan.FromMilliseconds(250)),
        MarketoApiException { Kind: MarketoErrorKind.Concurrency } => Jitter(_options.ConcurrencyBackoff),
        _ => null,
    };

    /// <summary>Between a tenth of <paramref name="max"/> and <paramref name="max"/>.</summary>
    internal static TimeSpan Jitter(TimeSpan max) => TimeSpan.FromTicks((long)(max.Ticks * (0.1 + 0.9 * Random.Shared.NextDouble())));

    private static bool IsTransport(Exception e) => e is HttpRequestException or TimeoutException or IOException;

    private static string Describe(Exception? e) => e switch
    {
        MarketoApiException api => $"error {api.Code} (requestId {api.RequestId ?? "-"})",
        null => "no error",
        _ => e.GetType().Name + ": " + e.Message,
    };
}
