using System.Diagnostics;
using System.Management.Automation;
using MlConnector.Sandbox;
using MlConnector.Sandbox.Core;

namespace MlConnector.Module.Tests;

/// <summary>Ctrl+C (PowerShell.Stop) during a slow Business Central read ends the cmdlet at once, as a stop and not an error.</summary>
public sealed class GetBcCustomerStopTests : IAsyncLifetime
{
    private SandboxHost _sandbox = null!;
    private HostedPowerShell _powershell = null!;

    public async Task InitializeAsync()
    {
        Environment.SetEnvironmentVariable("MLCONNECTOR_HOME", Path.Combine(Path.GetTempPath(), "mlc-stop-" + Guid.NewGuid().ToString("N")));
        _sandbox = await SandboxHost.StartAsync(new SandboxOptions { Customers = 20 });
        _powershell = new HostedPowerShell();
        _powershell.ConnectTo(_sandbox, marketo: false);
    }

    [Fact]
    public async Task Stop_during_a_slow_read_ends_within_a_second_without_an_error_record()
    {
        var slow = _sandbox.Faults.Add(new FaultRule { Service = SandboxService.BusinessCentral, PathContains = "/customers", LatencyMs = 30_000 });
        using var shell = _powershell.Create();
        shell.AddCommand("Get-BcCustomer");
        var output = new PSDataCollection<PSObject>();
        var running = shell.BeginInvoke<PSObject, PSObject>(null, output);
        await WaitForCustomersRequestAsync();

        var watch = Stopwatch.StartNew();
        shell.Stop();
        try { shell.EndInvoke(running); }
        catch (PipelineStoppedException) { }
        watch.Stop();

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(1), $"Stop took {watch.Elapsed.TotalMilliseconds:F0} ms.");
        Assert.Equal(PSInvocationState.Stopped, shell.InvocationStateInfo.State);
        Assert.Empty(shell.Streams.Error);

        // The connection survives the stop: without the latency the same read completes.
        _sandbox.Faults.Remove(slow.Id);
        Assert.Equal(20, _powershell.Invoke("@(Get-BcCustomer).Count").Single().BaseObject);
    }

    /// <summary>
    /// The sandbox journals a request only when it ends, so "in flight" is a pause long enough for the (already
    /// signed-in) cmdlet to have sent its first customers request into the 30 s latency.
    /// </summary>
    private static Task WaitForCustomersRequestAsync() => Task.Delay(TimeSpan.FromSeconds(1));

    public async Task DisposeAsync()
    {
        _powershell.Dispose();
        await _sandbox.DisposeAsync();
    }
}
