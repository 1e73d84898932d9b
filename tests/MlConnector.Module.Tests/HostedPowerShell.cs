using System.Management.Automation;
using System.Management.Automation.Runspaces;
using MlConnector.Sandbox;

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

    /// <summary>Connects this runspace to a sandbox's Business Central and (unless told not to) its Marketo, failing the test on any error.</summary>
    public void ConnectTo(SandboxHost sandbox, bool marketo = true)
    {
        var entra = sandbox.Entra.Options;
        var bc = sandbox.BusinessCentral.Options;
        using var connect = Create();
        connect.AddCommand("Connect-MlBusinessCentral")
            .AddParameter("TenantId", entra.TenantId).AddParameter("ClientId", entra.ClientId).AddParameter("ClientSecret", Secure(entra.ClientSecret))
            .AddParameter("Environment", bc.EnvironmentName).AddParameter("Company", bc.CompanyName)
            .AddParameter("BaseUri", sandbox.HttpBaseUri).AddParameter("AuthorityHost", sandbox.HttpsBaseUri)
            .AddParameter("SandboxTlsThumbprint", sandbox.CertificateSha1Thumbprint);
        if (marketo)
        {
            var options = sandbox.Marketo.Options;
            connect.AddStatement().AddCommand("Connect-MlMarketo")
                .AddParameter("MunchkinId", options.MunchkinId).AddParameter("ClientId", options.ClientId).AddParameter("ClientSecret", Secure(options.ClientSecret))
                .AddParameter("BaseUri", sandbox.HttpBaseUri);
        }
        connect.Invoke();
        Assert.False(connect.HadErrors, string.Join(Environment.NewLine, connect.Streams.Error));
    }

    private static System.Security.SecureString Secure(string text)
    {
        var secure = new System.Security.SecureString();
        foreach (var c in text) secure.AppendChar(c);
        secure.MakeReadOnly();
        return secure;
    }

    public void Dispose() => _runspace.Dispose();
}
