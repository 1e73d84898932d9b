using MlConnector.Engine.Marketo;
using MlConnector.Sandbox.Core;

namespace MlConnector.Engine.Tests.Marketo;

/// <summary>A sandbox with 120 leads shared by the transient-fault cases (each removes its fault again).</summary>
public sealed class SeededMarketoFixture : IAsyncLifetime
{
    public MarketoTestHost Test { get; private set; } = null!;

    public List<long> Undisturbed { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Test = await MarketoRetryTests.StartAsync();
        Undisturbed = await MarketoRetryTests.ReadAllAsync(Test);
    }

    public async Task DisposeAsync() => await Test.DisposeAsync();
}

/// <summary>Faults injected in the middle of a 12-page read: transient ones are absorbed, quota ones stop everything.</summary>
public sealed class MarketoRetryTests(SeededMarketoFixture seeded) : IClassFixture<SeededMarketoFixture>
{
    internal static async Task<MarketoTestHost> StartAsync()
        => await MarketoTestHost.StartAsync(o => o.MarketoLeads = 120, s => { s.PageSize = 10; s.RateWindow = TimeSpan.FromMilliseconds(300); });

    internal static async Task<List<long>> ReadAllAsync(MarketoTestHost test)
    {
        var ids = new List<long>();
        // By id rather than leadPartitionId: the sandbox does not match leadPartitionId filters (reported).
        var all = test.Sandbox.Marketo.Leads().Select(l => l.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        await foreach (var lead in test.Client.GetLeadsByFilterAsync("id", all, new[] { "email", "firstName" }, CancellationToken.None))
            ids.Add((long)lead["id"]!);
        return ids;
    }

    public static TheoryData<string> TransientFaults => new() { "604", "606", "608", "611", "615", "HTTP502", "reset" };

    [Theory]
    [MemberData(nameof(TransientFaults))]
    public async Task Transient_fault_mid_read_is_retried_and_the_read_is_exact(string fault)
    {
        var test = seeded.Test;
        var undisturbed = seeded.Undisturbed;
        Assert.Equal(120, undisturbed.Count);

        var rule = test.Sandbox.Faults.Add(new FaultRule
        {
            Service = SandboxService.Marketo, PathContains = "leads.json", NthCall = 5,
            ErrorCode = fault.StartsWith('6') ? fault : null,
            HttpStatus = fault == "HTTP502" ? 502 : null,
            ResetConnection = fault == "reset",
        });
        var calls = test.Client.CallCount;
        var retries = test.Log.Lines.Count(l => l.Contains("retry", StringComparison.Ordinal));
        var journal = test.Rest.Count;
        try
        {
            var disturbed = await ReadAllAsync(test);
            Assert.Equal(undisturbed, disturbed);
        }
        finally
        {
            test.Sandbox.Faults.Remove(rule.Id);
        }
        Assert.Equal(13, test.Client.CallCount - calls);
        Assert.Equal(fault == "reset" ? "reset" : fault.Replace("HTTP", ""), test.Rest.Skip(journal).Single(e => e.ErrorCode is not null).ErrorCode);
        Assert.Equal(retries + 1, test.Log.Lines.Count(l => l.Contains("retry", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Retries_are_bounded()
    {
        await using var test = await MarketoTestHost.StartAsync(settings: s => s.Retry.MaxAttempts = 3);
        test.Sandbox.Faults.Add(new FaultRule { Service = SandboxService.Marketo, PathContains = "describe", ErrorCode = "611" });
        var error = await Assert.ThrowsAsync<MarketoApiException>(() => test.Client.DescribeCompaniesAsync(CancellationToken.None));
        Assert.Equal("611", error.Code);
        Assert.Equal("MarketoUnavailable", error.ErrorId);
        Assert.Contains("after 3 attempts", error.Message);
        Assert.Equal(3, test.Rest.Count);
    }

    [Fact]
    public async Task Cancellation_reaches_the_back_off_delay()
    {
        await using var test = await MarketoTestHost.StartAsync(settings: s => { s.Retry.BaseDelay = TimeSpan.FromSeconds(30); s.Retry.MaxDelay = TimeSpan.FromSeconds(30); });
        test.Sandbox.Faults.Add(new FaultRule { Service = SandboxService.Marketo, PathContains = "describe", ErrorCode = "608" });
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        var started = DateTime.UtcNow;
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => test.Client.DescribeCompaniesAsync(cancel.Token));
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(15), "the 30 s back-off was waited out");
    }

    [Theory]
    [InlineData("607", "MarketoDailyQuotaExceeded")]
    [InlineData("1029", "MarketoExportQuotaExceeded")]
    public async Task Quota_fault_stops_the_read_with_the_reset_time_and_no_further_calls(string code, string errorId)
    {
        await using var test = await StartAsync();
        test.Sandbox.Faults.Add(new FaultRule { Service = SandboxService.Marketo, PathContains = "leads.json", NthCall = 4, ErrorCode = code });

        var error = await Assert.ThrowsAsync<MarketoQuotaExceededException>(() => ReadAllAsync(test));

        Assert.Equal(code, error.Code);
        Assert.Equal(errorId, error.ErrorId);
        Assert.Equal(MlErrorCategory.Quota, error.Category);
        var expectedReset = MarketoCentralTime.NextMidnight(test.Sandbox.Clock.GetUtcNow());
        Assert.Equal(expectedReset, error.ResetsAt);
        Assert.Contains(expectedReset.ToString("yyyy-MM-dd HH:mm zzz", System.Globalization.CultureInfo.InvariantCulture), error.Message);
        Assert.Equal(code, test.Rest[^1].ErrorCode);
        Assert.Equal(4, test.Rest.Count);

        if (code == "607")
        {
            // The instance's daily quota is gone: the gate refuses locally, Marketo sees nothing more.
            await Assert.ThrowsAsync<MarketoQuotaExceededException>(() => test.Client.DescribeLeadsAsync(CancellationToken.None));
            Assert.Equal(4, test.Rest.Count);
        }
        else
        {
            // Only the bulk allocation is gone: bulk calls are refused locally, other calls still go.
            await Assert.ThrowsAsync<MarketoQuotaExceededException>(() => test.Client.GetLeadExportStatusAsync("any-export", CancellationToken.None));
            Assert.Equal(4, test.Rest.Count);
            Assert.NotEmpty(await test.Client.DescribeLeadsAsync(CancellationToken.None));
            Assert.Equal(5, test.Rest.Count);
        }
        Assert.Contains(test.Log.Lines, l => l.StartsWith("DEBUG: Marketo GET /rest/v1/leads.json", StringComparison.Ordinal) && l.EndsWith($"errors {code}", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Daily_call_budget_stops_locally_with_a_clear_message()
    {
        await using var test = await MarketoTestHost.StartAsync(settings: s => s.DailyCallBudget = 2);
        await test.Client.DescribeCompaniesAsync(CancellationToken.None);
        await test.Client.DescribeCompaniesAsync(CancellationToken.None);
        var error = await Assert.ThrowsAsync<MarketoQuotaExceededException>(() => test.Client.DescribeCompaniesAsync(CancellationToken.None));
        Assert.Equal("MarketoDailyCallBudgetReached", error.ErrorId);
        Assert.Contains("budget of 2 calls", error.Message);
        Assert.Equal(2, test.Rest.Count);
        Assert.Single(test.Identity);
    }
}

/// <summary>The retry loop's bounds and what it says: attempt time-outs, the total-time bound, one attempt only, the jitter, the log line.</summary>
public sealed class MarketoRetryBoundsTests
{
    [Fact]
    public async Task An_attempt_that_gets_no_answer_in_time_is_retried_and_the_log_says_why()
    {
        // The attempt time-out also bounds the token call, so it stays well above what a loaded CI machine takes for one.
        await using var test = await MarketoTestHost.StartAsync(settings: s => s.Retry.AttemptTimeout = TimeSpan.FromSeconds(4));
        test.Sandbox.Faults.Add(new FaultRule { Service = SandboxService.Marketo, PathContains = "companies/describe", LatencyMs = 15000, Times = 1 });

        Assert.NotEmpty(await test.Client.DescribeCompaniesAsync(CancellationToken.None));

        Assert.Contains(test.Log.Lines, l => System.Text.RegularExpressions.Regex.IsMatch(l,
            @"^VERBOSE: Waiting \d+ ms: Marketo: retry 1 of GET rest/v1/companies/describe\.json after TimeoutException: No answer to GET rest/v1/companies/describe\.json within 4 s\.$"));
    }

    [Fact]
    public async Task Attempts_that_all_time_out_end_as_a_connection_failure()
    {
        await using var test = await MarketoTestHost.StartAsync(settings: s => { s.Retry.AttemptTimeout = TimeSpan.FromSeconds(4); s.Retry.MaxAttempts = 2; });
        test.Sandbox.Faults.Add(new FaultRule { Service = SandboxService.Marketo, PathContains = "companies/describe", LatencyMs = 15000 });

        var error = await Assert.ThrowsAsync<MlConnectorException>(() => test.Client.DescribeCompaniesAsync(CancellationToken.None));

        Assert.Equal("MarketoConnectionFailed", error.ErrorId);
        Assert.Equal(MlErrorCategory.Connection, error.Category);
        Assert.StartsWith("Marketo GET rest/v1/companies/describe.json could not be completed after 2 attempt(s): No answer", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Get_paging_token_has_its_own_longer_time_out()
    {
        await using var test = await MarketoTestHost.StartAsync(settings: s => s.Retry.AttemptTimeout = TimeSpan.FromSeconds(4));
        test.Sandbox.Faults.Add(new FaultRule { Service = SandboxService.Marketo, PathContains = "pagingtoken", LatencyMs = 6000 });

        Assert.False(string.IsNullOrEmpty(await test.Client.GetPagingTokenAsync(test.Sandbox.Clock.GetUtcNow().AddDays(-1), CancellationToken.None)));
        Assert.Single(test.Rest);
    }

    [Fact]
    public async Task No_retry_starts_once_the_total_time_is_spent()
    {
        await using var test = await MarketoTestHost.StartAsync(settings: s => { s.Retry.MaxTotalTime = TimeSpan.FromTicks(1); s.Retry.MaxAttempts = 10; });
        test.Sandbox.Faults.Add(new FaultRule { Service = SandboxService.Marketo, PathContains = "companies/describe", ErrorCode = "611" });

        await Assert.ThrowsAsync<MarketoApiException>(() => test.Client.DescribeCompaniesAsync(CancellationToken.None));

        Assert.Single(test.Rest);
    }

    [Fact]
    public async Task One_attempt_means_no_retry()
    {
        await using var test = await MarketoTestHost.StartAsync(settings: s => s.Retry.MaxAttempts = 1);
        test.Sandbox.Faults.Add(new FaultRule { Service = SandboxService.Marketo, PathContains = "companies/describe", ErrorCode = "611" });

        var error = await Assert.ThrowsAsync<MarketoApiException>(() => test.Client.DescribeCompaniesAsync(CancellationToken.None));

        Assert.Equal("611", error.Code);
        Assert.DoesNotContain("attempts", error.Message, StringComparison.Ordinal);
        Assert.Single(test.Rest);
        Assert.DoesNotContain(test.Log.Lines, l => l.Contains("retry", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_retry_line_names_the_attempt_the_delay_the_error_and_the_request_id()
    {
        await using var test = await MarketoTestHost.StartAsync();
        test.Sandbox.Faults.Add(new FaultRule { Service = SandboxService.Marketo, PathContains = "companies/describe", ErrorCode = "611", Times = 2 });

        await test.Client.DescribeCompaniesAsync(CancellationToken.None);

        var retries = test.Log.Lines.Where(l => l.Contains("Marketo: retry", StringComparison.Ordinal)).ToArray();
        Assert.Equal(2, retries.Length);
        Assert.Matches(@"^VERBOSE: Waiting \d+ ms: Marketo: retry 1 of GET rest/v1/companies/describe\.json after error 611 \(requestId [0-9a-f]{4}#[0-9a-f]+\)\.$", retries[0]);
        Assert.Matches(@"^VERBOSE: Waiting \d+ ms: Marketo: retry 2 of GET rest/v1/companies/describe\.json after error 611 \(requestId [0-9a-f]{4}#[0-9a-f]+\)\.$", retries[1]);
    }

    [Fact]
    public void The_jitter_stays_between_a_tenth_of_the_bound_and_the_bound()
    {
        var max = TimeSpan.FromSeconds(1);
        var samples = Enumerable.Range(0, 2000).Select(_ => MarketoRetry.Jitter(max)).ToArray();
        Assert.All(samples, d => Assert.InRange(d, max / 10, max));
        Assert.True(samples.Distinct().Count() > 100, "the pause is jittered");
    }
}
