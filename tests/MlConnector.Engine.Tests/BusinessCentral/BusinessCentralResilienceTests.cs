using System.Diagnostics;
using MlConnector.Engine.BusinessCentral;
using MlConnector.Sandbox.Core;

namespace MlConnector.Engine.Tests.BusinessCentral;

/// <summary>Faults and clock jumps in the middle of long reads. Tests share one sandbox; each clears the faults and connects anew.</summary>
public sealed class BusinessCentralResilienceTests(BusinessCentralResilienceTests.Fixture fixture) : IClassFixture<BusinessCentralResilienceTests.Fixture>
{
    private const int Customers = 120;

    public sealed class Fixture : IAsyncLifetime
    {
        public BcSandbox Sandbox { get; private set; } = null!;

        public async Task InitializeAsync() => Sandbox = await BcSandbox.StartAsync(Customers);

        public async Task DisposeAsync() => await Sandbox.DisposeAsync();
    }

    private BcSandbox Start()
    {
        fixture.Sandbox.Host.Faults.Clear();
        while (fixture.Sandbox.Log.Lines.TryDequeue(out _)) { }
        return fixture.Sandbox;
    }

    [Theory]
    [InlineData(429, null, false)]
    [InlineData(429, 1, false)]
    [InlineData(502, null, false)]
    [InlineData(503, null, false)]
    [InlineData(504, null, false)]
    [InlineData(null, null, true)]
    public async Task A_fault_mid_read_is_retried_and_the_read_matches_an_undisturbed_one(int? status, int? retryAfter, bool reset)
    {
        var sandbox = Start();
        using var client = await sandbox.ConnectAsync(sandbox.Settings(pageSize: 20));
        var undisturbed = await ReadIds(client);

        sandbox.Host.Faults.Add(new FaultRule
        {
            Service = SandboxService.BusinessCentral, PathContains = "/customers", NthCall = 3,
            HttpStatus = status, RetryAfterSeconds = retryAfter, ResetConnection = reset,
        });
        var before = sandbox.BcCalls("/customers").Count;
        var watch = Stopwatch.StartNew();
        var disturbed = await ReadIds(client);

        Assert.Equal(undisturbed, disturbed);
        Assert.Equal(Customers, disturbed.Distinct().Count());
        Assert.Equal(6 + 1, sandbox.BcCalls("/customers").Count - before); // 6 pages + the one repeat
        if (retryAfter is int seconds) Assert.True(watch.Elapsed >= TimeSpan.FromSeconds(seconds * 0.9), $"Retry-After ignored: {watch.Elapsed}");
        Assert.Contains(sandbox.Log.Lines, l => l.Contains("BC retry 1", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_401_mid_read_renews_the_token_once_and_the_call_succeeds()
    {
        var sandbox = Start();
        using var client = await sandbox.ConnectAsync(sandbox.Settings(pageSize: 20));
        var undisturbed = await ReadIds(client);
        var tokens = sandbox.TokenRequests();

        sandbox.Host.Faults.Add(new FaultRule { Service = SandboxService.BusinessCentral, PathContains = "/customers", NthCall = 3, HttpStatus = 401 });
        Assert.Equal(undisturbed, await ReadIds(client));
        Assert.Equal(tokens + 1, sandbox.TokenRequests());
    }

    [Fact]
    public async Task Moving_the_clock_past_token_expiry_renews_once_per_expiry_without_errors()
    {
        var sandbox = Start();
        using var client = await sandbox.ConnectAsync(sandbox.Settings(pageSize: 20));
        var undisturbed = await ReadIds(client);
        var tokens = sandbox.TokenRequests();
        var before = sandbox.BcCalls("/").Count;

        var ids = await ReadIds(client, page =>
        {
            if (page.PageNumber is 2 or 4) sandbox.Host.Clock.Advance(TimeSpan.FromMinutes(61));
        });

        Assert.Equal(undisturbed, ids);
        Assert.Equal(tokens + 2, sandbox.TokenRequests());
        Assert.DoesNotContain(sandbox.BcCalls("/").Skip(before), e => e.Status == 401);
        Assert.True(await client.EnsureTokenAsync(default) > sandbox.Host.Clock.GetUtcNow().AddMinutes(50));
    }

    [Fact]
    public async Task A_permanent_503_stops_after_the_configured_attempts()
    {
        var sandbox = Start();
        using var client = await sandbox.ConnectAsync(sandbox.Settings(retry: r => r.MaxAttempts = 3));
        sandbox.Host.Faults.Add(new FaultRule { Service = SandboxService.BusinessCentral, PathContains = "/customers", HttpStatus = 503 });
        var before = sandbox.BcCalls("/customers").Count;

        var e = await Assert.ThrowsAsync<BusinessCentralException>(() => ReadIds(client));
        Assert.Equal("BusinessCentralThrottled", e.ErrorId);
        Assert.Equal(MlErrorCategory.Throttled, e.Category);
        Assert.Equal(503, e.StatusCode);
        Assert.Contains("3 attempt", e.Message, StringComparison.Ordinal);
        Assert.Equal(3, sandbox.BcCalls("/customers").Count - before);
    }

    [Fact]
    public async Task Cancelling_during_a_retry_delay_ends_promptly()
    {
        var sandbox = Start();
        using var client = await sandbox.ConnectAsync(sandbox.Settings(retry: r =>
        {
            r.BaseDelay = TimeSpan.FromSeconds(30);
            r.MaxDelay = TimeSpan.FromSeconds(30);
        }));
        sandbox.Host.Faults.Add(new FaultRule { Service = SandboxService.BusinessCentral, PathContains = "/customers", HttpStatus = 429 });

        var before = sandbox.BcCalls("/customers").Count;
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        var watch = Stopwatch.StartNew();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => ReadIds(client, cancellationToken: cts.Token));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(15), $"took {watch.Elapsed}: the 30 s back-off was waited out");
        Assert.Equal(1, sandbox.BcCalls("/customers").Count - before);
    }

    [Fact]
    public async Task The_total_time_bound_ends_a_retry_loop()
    {
        var sandbox = Start();
        using var client = await sandbox.ConnectAsync(sandbox.Settings(retry: r =>
        {
            r.MaxAttempts = 100;
            r.BaseDelay = TimeSpan.FromMilliseconds(100);
            r.MaxDelay = TimeSpan.FromMilliseconds(100);
            r.TotalTimeout = TimeSpan.FromSeconds(1);
        }));
        sandbox.Host.Faults.Add(new FaultRule { Service = SandboxService.BusinessCentral, PathContains = "/customers", ResetConnection = true });

        var watch = Stopwatch.StartNew();
        var e = await Assert.ThrowsAsync<BusinessCentralException>(() => ReadIds(client));
        // Without the bound, 100 attempts 100 ms apart take at least 10 s.
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(8), $"took {watch.Elapsed}");
        Assert.Equal("BusinessCentralTimeout", e.ErrorId);
        Assert.Equal(MlErrorCategory.Connection, e.Category);
    }

    private static async Task<List<Guid>> ReadIds(BusinessCentralClient client, Action<BcPageProgress>? onPage = null, CancellationToken cancellationToken = default)
        => (await BcSandbox.ToListAsync(client.GetCustomersAsync(new BcCustomerQuery { OnPage = onPage }, cancellationToken), cancellationToken)).Select(c => c.Id).ToList();
}
