using System.Management.Automation;
using MlConnector.Sandbox;

namespace MlConnector.Module.Tests;

/// <summary>
/// A downstream Select-Object -First 1 stops the pipeline while the engine is still working: the cmdlet cancels the
/// engine task and waits for it before disposing what it uses, so the pipeline ends cleanly, with no error record
/// and no task exception left unobserved (which would surface later, at random, from the finalizer thread).
/// </summary>
public sealed class PipelineStopTests : IAsyncLifetime
{
    private SandboxHost _sandbox = null!;
    private HostedPowerShell _powershell = null!;
    private const int Rounds = 8;
    private readonly List<Exception> _unobserved = new();
    private readonly string _home = Path.Combine(Path.GetTempPath(), "mlc-first-" + Guid.NewGuid().ToString("N"));

    public async Task InitializeAsync()
    {
        Environment.SetEnvironmentVariable("MLCONNECTOR_HOME", _home);
        _sandbox = await SandboxHost.StartAsync(new SandboxOptions { Customers = 40 });
        _powershell = new HostedPowerShell();
        _powershell.ConnectTo(_sandbox);
        TaskScheduler.UnobservedTaskException += Record;
    }

    private void Record(object? sender, UnobservedTaskExceptionEventArgs e)
    {
        lock (_unobserved) _unobserved.Add(e.Exception);
    }

    [Theory]
    [InlineData("Get-BcCustomer -IncludeFinancialDetails | Select-Object -First 1")]
    [InlineData("Get-BcContact | Select-Object -First 1")]
    [InlineData("Sync-MlCustomerToMarketo -Number (1..40 | ForEach-Object { 'C{0:D5}' -f $_ }) | Select-Object -First 1")]
    [InlineData("Sync-MlCustomerToMarketo | Select-Object -First 1")]
    public void Select_First_1_ends_cleanly_with_one_object_no_error_and_no_unobserved_task_exception(string pipeline)
    {
        // Each round stops the engine at a different point of its work (a fresh state store each time for the syncs).
        for (var round = 0; round < Rounds; round++)
        {
            using var shell = _powershell.Create();
            shell.AddScript($"$PSDefaultParameterValues['*-Ml*:StatePath'] = Join-Path $env:MLCONNECTOR_HOME 'state-{round}.db'; {pipeline}");
            var output = shell.Invoke();
            Assert.Single(output);
            Assert.Empty(shell.Streams.Error);
            Assert.Equal(PSInvocationState.Completed, shell.InvocationStateInfo.State);
        }

        // A task that faulted and was dropped reports itself when it is collected.
        for (var i = 0; i < 3; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }
        lock (_unobserved) Assert.Empty(_unobserved);

        // The connection and the state store are still usable afterwards.
        Assert.Equal(40, _powershell.Invoke("@(Get-BcCustomer).Count").Single().BaseObject);
    }

    public async Task DisposeAsync()
    {
        TaskScheduler.UnobservedTaskException -= Record;
        _powershell.Dispose();
        await _sandbox.DisposeAsync();
        try { Directory.Delete(_home, recursive: true); }
        catch (IOException) { } // a file still held by the OS is left to the temp folder's own cleanup
    }
}
