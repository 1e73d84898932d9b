using System.Diagnostics;
using System.Management.Automation;
using MlConnector.Sandbox;
using MlConnector.Sandbox.Core;

namespace MlConnector.Module.Tests;

/// <summary>Ctrl+C (PowerShell.Stop) during a Business Central read that has no answer yet ends the cmdlet at once, as a stop and not an error.</summary>
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
    public async Task Stop_during_a_read_the_server_holds_ends_at_once_without_an_error_record()
    {
        var held = _sandbox.Faults.Add(new FaultRule { Service = SandboxService.BusinessCentral, PathContains = "/customers", Method = "GET", Hold = HoldPoint.BeforeApply });
        // Should Stop not reach the request, the hold ends after 20 s and the elapsed-time check below fails.
        using var safetyNet = new Timer(_ => _sandbox.Faults.Held.Release(held.Id), null, TimeSpan.FromSeconds(20), Timeout.InfiniteTimeSpan);
        using var shell = _powershell.Create();
        shell.AddCommand("Get-BcCustomer");
        var output = new PSDataCollection<PSObject>();
        var running = shell.BeginInvoke<PSObject, PSObject>(null, output);
        await _sandbox.Faults.Held.WaitForAsync(held.Id, TimeSpan.FromSeconds(30)); // the customers request is in flight

        var watch = Stopwatch.StartNew();
        shell.Stop();
        try { shell.EndInvoke(running); }
        catch (PipelineStoppedException) { }
        watch.Stop();

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"Stop took {watch.Elapsed.TotalMilliseconds:F0} ms: it waited for the server instead of cancelling the request.");
        Assert.Equal(PSInvocationState.Stopped, shell.InvocationStateInfo.State);
        Assert.Empty(shell.Streams.Error);

        // The connection survives the stop: without the hold the same read completes.
        _sandbox.Faults.Remove(held.Id);
        Assert.Equal(20, _powershell.Invoke("@(Get-BcCustomer).Count").Single().BaseObject);
    }

    public async Task DisposeAsync()
    {
        _powershell.Dispose();
        await _sandbox.DisposeAsync();
    }
}
