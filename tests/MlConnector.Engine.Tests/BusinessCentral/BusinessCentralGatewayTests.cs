using MlConnector.Engine.BusinessCentral;
using MlConnector.Sandbox.Core;

namespace MlConnector.Engine.Tests.BusinessCentral;

/// <summary>
/// Errors from the gateway in front of BC carry an HTML page or no body at all, not BC's {"error":...}: 502, 503 and
/// 504 are retried within the bounds, 413 is permanent (shared/api/business-central.md §4.7), and no message
/// carries the page's markup.
/// </summary>
public sealed class BusinessCentralGatewayTests
{
    [Fact]
    public async Task A_502_page_that_persists_stops_after_the_configured_attempts_as_unavailable()
    {
        await using var sandbox = await BcSandbox.StartAsync(5);
        using var client = await sandbox.ConnectAsync(sandbox.Settings(retry: r => r.MaxAttempts = 3));
        sandbox.Host.Faults.Add(new FaultRule { Service = SandboxService.BusinessCentral, PathContains = "/customers", HttpStatus = 502 });

        var e = await Assert.ThrowsAsync<BusinessCentralException>(() => BcSandbox.ToListAsync(client.GetCustomersAsync(new BcCustomerQuery(), default)));

        Assert.Equal("BusinessCentralUnavailable", e.ErrorId);
        Assert.Equal(MlErrorCategory.Connection, e.Category);
        Assert.Equal(502, e.StatusCode);
        Assert.Contains("3 attempt", e.Message, StringComparison.Ordinal);
        Assert.Contains("gateway", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("<", e.Message, StringComparison.Ordinal);
        Assert.Equal(3, sandbox.BcCalls("/customers").Count);
    }

    [Fact]
    public async Task An_empty_503_with_Retry_After_is_waited_out_then_the_read_succeeds()
    {
        await using var sandbox = await BcSandbox.StartAsync(5);
        using var client = await sandbox.ConnectAsync();
        sandbox.Host.Faults.Add(new FaultRule { Service = SandboxService.BusinessCentral, PathContains = "/customers", HttpStatus = 503, RetryAfterSeconds = 1, Times = 1 });

        var customers = await BcSandbox.ToListAsync(client.GetCustomersAsync(new BcCustomerQuery(), default));

        Assert.Equal(5, customers.Count);
        var calls = sandbox.BcCalls("/customers");
        Assert.Equal(503, calls[0].Status);
        // Timers may fire a millisecond or so early; a retry that ignored Retry-After comes within milliseconds.
        Assert.True(calls[1].Started - calls[0].Answered >= TimeSpan.FromSeconds(0.95), $"retried {calls[1].Started - calls[0].Answered} after the 503");
    }

    [Fact]
    public async Task A_413_page_is_permanent_and_not_retried()
    {
        await using var sandbox = await BcSandbox.StartAsync(5);
        using var client = await sandbox.ConnectAsync();
        sandbox.Host.Faults.Add(new FaultRule { Service = SandboxService.BusinessCentral, PathContains = "/customers", Method = "POST", HttpStatus = 413 });

        var e = await Assert.ThrowsAsync<BusinessCentralException>(() => client.CreateCustomerAsync(new Dictionary<string, object?> { ["displayName"] = "Too Large Ltd" }, default));

        Assert.Equal("BusinessCentralRequestRejected", e.ErrorId);
        Assert.Equal(MlErrorCategory.InvalidData, e.Category);
        Assert.Equal(413, e.StatusCode);
        Assert.DoesNotContain("<", e.Message, StringComparison.Ordinal);
        Assert.Single(sandbox.BcCalls("/customers"), c => c.Method == "POST");
    }
}
