using MlConnector.Engine.Marketo;
using Microsoft.Extensions.Time.Testing;

namespace MlConnector.Engine.Tests.Marketo;

/// <summary>
/// The retry pipeline alone, on a fake clock: back-off sleeps on the connector's clock and is jittered, a 606 waits at
/// least a whole window, the total-time bound holds to the tick, a cancelled caller is not retried, an error that
/// needed no retry surfaces as Marketo sent it, and a cancellation that is neither the caller's nor the time-out's
/// is not turned into a time-out.
/// </summary>
public sealed class MarketoRetryClockTests
{
    private const string What = "POST rest/v1/leads.json";
    private static readonly DateTimeOffset Start = new(2026, 3, 10, 12, 0, 0, TimeSpan.Zero);

    private static (MarketoRetry Retry, FakeTimeProvider Time, CollectingLog Log) Retry(Action<MarketoRetryOptions>? configure = null, MarketoQuotaGate? gate = null)
    {
        var options = new MarketoRetryOptions { MaxAttempts = 4, BaseDelay = TimeSpan.FromSeconds(10), MaxDelay = TimeSpan.FromSeconds(60) };
        configure?.Invoke(options);
        var time = new FakeTimeProvider(Start);
        var log = new CollectingLog();
        return (new MarketoRetry(options, gate, time, log), time, log);
    }

    private static string[] RetryLines(CollectingLog log) => log.Lines.Where(l => l.Contains("Marketo: retry", StringComparison.Ordinal)).ToArray();

    private static async Task WaitForAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!condition() && DateTime.UtcNow < deadline) await Task.Delay(5);
        Assert.True(condition());
    }

    [Fact]
    public async Task A_back_off_sleeps_on_the_connectors_clock_not_the_machines()
    {
        var (retry, time, log) = Retry(o => { o.BaseDelay = TimeSpan.FromMinutes(1); o.MaxDelay = TimeSpan.FromMinutes(5); });
        var attempts = 0;
        var call = retry.ExecuteAsync(_ => ++attempts == 1 ? throw new HttpRequestException("reset") : Task.FromResult(7), What, null, CancellationToken.None);

        await WaitForAsync(() => RetryLines(log).Length == 1);
        await Task.Delay(200);
        Assert.Equal(1, attempts);
        time.Advance(TimeSpan.FromMinutes(5));
        await Task.WhenAny(call, Task.Delay(TimeSpan.FromSeconds(2)));
        Assert.True(call.IsCompleted, "the back-off ends when the connector's clock says so");
        Assert.Equal(7, await call);
        Assert.Equal(2, attempts);
    }

    [Fact]
    public async Task Back_off_delays_are_jittered_not_the_bare_exponential_steps()
    {
        var delays = new List<string>();
        for (var run = 0; run < 3; run++)
        {
            var (retry, time, log) = Retry(o => o.MaxAttempts = 2);
            var attempts = 0;
            var call = retry.ExecuteAsync(_ => ++attempts == 1 ? throw new HttpRequestException("reset") : Task.FromResult(1), What, null, CancellationToken.None);
            await WaitForAsync(() => RetryLines(log).Length == 1);
            delays.Add(RetryLines(log)[0].Split(':')[1]);
            time.Advance(TimeSpan.FromSeconds(60));
            await call;
        }
        Assert.True(delays.Distinct().Count() > 1, "three first delays, each the bare 10 s step unless jittered: " + string.Join(",", delays));
    }

    [Fact]
    public async Task A_606_waits_at_least_the_whole_window_and_at_most_a_quarter_second_more()
    {
        var (retry, time, log) = Retry();
        var attempts = 0;
        var call = retry.ExecuteAsync(_ => ++attempts == 1 ? throw new MarketoApiException("606", "Max rate limit exceeded", null, 200, What) : Task.FromResult(1), What, null, CancellationToken.None);

        await WaitForAsync(() => RetryLines(log).Length == 1);
        var line = RetryLines(log)[0];
        var waited = System.Text.RegularExpressions.Regex.Match(line, @"Waiting (?<s>[\d.]+) s").Groups["s"].Value;
        var seconds = double.Parse(waited, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(seconds, 20.0, 20.3);
        Assert.Contains("after error 606 (requestId -)", line, StringComparison.Ordinal);

        time.Advance(TimeSpan.FromSeconds(20) - TimeSpan.FromTicks(1));
        await Task.Delay(200);
        Assert.Equal(1, attempts);
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(1, await call);
    }

    [Fact]
    public async Task No_retry_starts_when_the_attempt_ends_exactly_at_the_total_time()
    {
        var (retry, time, _) = Retry(o => o.MaxTotalTime = TimeSpan.FromSeconds(30));
        var attempts = 0;
        var error = await Assert.ThrowsAsync<MlConnectorException>(() => retry.ExecuteAsync<int>(_ =>
        {
            attempts++;
            time.Advance(TimeSpan.FromSeconds(30));
            throw new HttpRequestException("reset");
        }, What, null, CancellationToken.None));

        Assert.Equal(1, attempts);
        Assert.Equal("MarketoConnectionFailed", error.ErrorId);
    }

    [Fact]
    public async Task A_caller_that_cancelled_is_not_retried_even_when_the_attempt_ends_in_a_transient_fault()
    {
        var (retry, _, log) = Retry();
        using var cancel = new CancellationTokenSource();
        var attempts = 0;
        await Assert.ThrowsAnyAsync<Exception>(() => retry.ExecuteAsync<int>(_ =>
        {
            attempts++;
            cancel.Cancel();
            throw new HttpRequestException("reset while the caller stopped");
        }, What, null, cancel.Token));

        Assert.Equal(1, attempts);
        Assert.Empty(RetryLines(log));
    }

    [Fact]
    public async Task An_error_on_the_first_attempt_surfaces_as_Marketo_sent_it()
    {
        var (retry, _, _) = Retry();
        var sent = new MarketoApiException("1003", "Invalid value for field", "req-1", 200, What);

        var surfaced = await Assert.ThrowsAsync<MarketoApiException>(() => retry.ExecuteAsync<int>(_ => throw sent, What, null, CancellationToken.None));

        Assert.Same(sent, surfaced);
    }

    [Fact]
    public async Task A_cancellation_that_is_neither_the_callers_nor_the_time_out_is_not_a_time_out()
    {
        var (retry, _, _) = Retry(o => o.MaxAttempts = 1);

        await Assert.ThrowsAsync<OperationCanceledException>(() => retry.ExecuteAsync<int>(
            _ => throw new OperationCanceledException("cancelled by something else"), What, null, CancellationToken.None));
    }
}
