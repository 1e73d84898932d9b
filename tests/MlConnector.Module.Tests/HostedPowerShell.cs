using System.Management.Automation;
using System.Management.Automation.Runspaces;

namespace MlConnector.Module.Tests;

/// <summary>A runspace with the built module imported, for tests that drive cmdlets in-process.</summary>
internal sealed class HostedPowerShell : IDisposable
{
    private readonly Runspace _runspace;

    public HostedPowerShell()
    {
        var state = InitialSessionState.CreateDefault2();
        if (OperatingSystem.IsWindows()) state.ExecutionPolicy = Microsoft.PowerShell.ExecutionPolicy.Bypass;
        state.ImportPSModule(BuiltModule.Manifest);
        _runspace = RunspaceFactory.CreateRunspace(state);
        _runspace.Open();
    }

    public PowerShell Create()
    {
        var shell = PowerShell.Create();
        shell.Runspace = _runspace;
        return shell;
    }

    public IReadOnlyList<PSObject> Invoke(string script)
    {
        using var shell = Create();
        shell.AddScript(script);
        var output = shell.Invoke();
        if (shell.HadErrors) throw new InvalidOperationException(string.Join(Environment.NewLine, shell.Streams.Error));
        return output;
    }

    public void Dispose() => _runspace.Dispose();
}
