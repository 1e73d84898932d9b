using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using MlConnector.Sandbox.Core;

namespace MlConnector.Engine.Tests.Azurite;

/// <summary>
/// azurite-table (the Azure Storage emulator's table service) on a free loopback port, in memory, from a
/// temporary working folder: the command line of Start-Azurite in build/Azurite.psm1, which installs the
/// pinned npm package into .tools/azurite (and is asked to when that folder is missing). With
/// <c>httpsWithOAuth</c> it serves HTTPS with the sandbox's certificate and checks bearer tokens (--oauth basic).
/// </summary>
public sealed class AzuriteServer : IAsyncDisposable
{
    public const string AccountName = "devstoreaccount1";

    // The emulator's well-known development account key (published by Microsoft; not a secret).
    private const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
    private static readonly TimeSpan AnswerTimeout = TimeSpan.FromMinutes(2);

    private readonly Process _process;
    private readonly StringBuilder _output;
    private bool _stopped;

    private AzuriteServer(Process process, StringBuilder output, int port, string location, X509Certificate2? certificate)
    {
        _process = process;
        _output = output;
        Port = port;
        Location = location;
        Certificate = certificate;
    }

    /// <summary>The TLS certificate when serving HTTPS (clients pin it), else null.</summary>
    public X509Certificate2? Certificate { get; }

    public int Port { get; }

    /// <summary>The temporary working folder, removed on dispose.</summary>
    public string Location { get; }

    public bool HasExited => _stopped || _process.HasExited;

    public Uri TableEndpoint => new($"{(Certificate is null ? "http" : "https")}://127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)}/{AccountName}");

    public string ConnectionString =>
        $"DefaultEndpointsProtocol=http;AccountName={AccountName};AccountKey={AccountKey};TableEndpoint={TableEndpoint};";

    public static async Task<AzuriteServer> StartAsync(bool httpsWithOAuth = false, CancellationToken cancellationToken = default)
    {
        var script = await EnsureInstalledAsync(cancellationToken).ConfigureAwait(false);
        for (var attempt = 1; ; attempt++)
        {
            var server = Launch(script, FreeLoopbackPort(), httpsWithOAuth ? SandboxCertificate.ForProcess() : null);
            if (await server.WaitUntilAnswersAsync(cancellationToken).ConfigureAwait(false)) return server;
            var output = server.Output;
            await server.DisposeAsync().ConfigureAwait(false);
            // The free port was released before azurite bound it; something else may have taken it meanwhile.
            if (attempt == 3 || !output.Contains("EADDRINUSE", StringComparison.Ordinal))
                throw new InvalidOperationException($"azurite-table exited before answering on port {server.Port}: {output}");
        }
    }

    private string Output
    {
        get { lock (_output) return _output.ToString(); }
    }

    /// <summary>A handler that trusts exactly this server's certificate (plain HTTP needs no trust).</summary>
    public HttpClientHandler CreateHandler()
    {
        var thumbprint = Certificate?.Thumbprint;
        return new HttpClientHandler
        {
            ServerCertificateCustomValidationCallback = (_, cert, _, _) => cert is not null && string.Equals(cert.Thumbprint, thumbprint, StringComparison.OrdinalIgnoreCase),
        };
    }

    private static AzuriteServer Launch(string script, int port, X509Certificate2? certificate)
    {
        var location = Directory.CreateTempSubdirectory("mlc-azurite-").FullName;
        var tls = Array.Empty<string>();
        if (certificate is not null)
        {
            File.WriteAllText(Path.Combine(location, "cert.pem"), certificate.ExportCertificatePem());
            File.WriteAllText(Path.Combine(location, "key.pem"), certificate.GetRSAPrivateKey()!.ExportPkcs8PrivateKeyPem());
            tls = ["--cert", Path.Combine(location, "cert.pem"), "--key", Path.Combine(location, "key.pem"), "--oauth", "basic"];
        }
        var start = new ProcessStartInfo("node")
        {
            WorkingDirectory = location,
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in new[] { script, "--tableHost", "127.0.0.1", "--tablePort", port.ToString(CultureInfo.InvariantCulture),
                     "--inMemoryPersistence", "--disableTelemetry", "--silent" }.Concat(tls))
            start.ArgumentList.Add(argument);
        var output = new StringBuilder();
        var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new AzuriteServer(process, output, port, location, certificate);
    }

    /// <summary>True once the table endpoint answers any HTTP status; false if the process exits first.</summary>
    private async Task<bool> WaitUntilAnswersAsync(CancellationToken cancellationToken)
    {
        using var http = new HttpClient(CreateHandler()) { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow + AnswerTimeout;
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited) return false;
            try
            {
                using var response = await http.GetAsync(new Uri(TableEndpoint + "/Tables"), cancellationToken).ConfigureAwait(false);
                return true;
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested) { }
            await Task.Delay(200, cancellationToken).ConfigureAwait(false);
        }
        await DisposeAsync().ConfigureAwait(false);
        throw new TimeoutException($"azurite-table did not answer on port {Port} within {AnswerTimeout}: {Output}");
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>The installed azurite-table script; runs build/Azurite.psm1's Install-Azurite (through the repository's pwsh tool) when it is missing.</summary>
    private static async Task<string> EnsureInstalledAsync(CancellationToken cancellationToken)
    {
        var root = RepositoryRoot();
        var script = Path.Combine(root, ".tools", "azurite", "node_modules", "azurite", "dist", "src", "table", "main.js");
        if (File.Exists(script)) return script;

        var module = Path.Combine(root, "build", "Azurite.psm1");
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = root, UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { "pwsh", "-NoProfile", "-NonInteractive", "-Command", $"Import-Module '{module}'; Install-Azurite | Out-Null" })
            start.ArgumentList.Add(argument);
        using var install = Process.Start(start)!;
        var stderr = install.StandardError.ReadToEndAsync(cancellationToken);
        var stdout = await install.StandardOutput.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
        await install.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        if (install.ExitCode != 0 || !File.Exists(script))
            throw new InvalidOperationException($"Installing azurite failed ({install.ExitCode}); run 'dotnet tool restore' first. {stdout} {await stderr.ConfigureAwait(false)}");
        return script;
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "build", "Azurite.psm1"))) return dir.FullName;
        throw new InvalidOperationException("build/Azurite.psm1 was not found above " + AppContext.BaseDirectory);
    }

    public async ValueTask DisposeAsync()
    {
        if (_stopped) return;
        _stopped = true;
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync().ConfigureAwait(false);
        }
        _process.Dispose();
        try { Directory.Delete(Location, recursive: true); }
        catch (DirectoryNotFoundException) { }
    }
}
