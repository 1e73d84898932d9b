using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MlConnector.Sandbox.BusinessCentral;
using MlConnector.Sandbox.Core;
using MlConnector.Sandbox.Entra;
using MlConnector.Sandbox.Identity;
using MlConnector.Sandbox.Marketo;

namespace MlConnector.Sandbox;

/// <summary>
/// The whole sandbox on loopback: Entra, Business Central, Marketo and Azure Automation's managed-identity
/// endpoint behind one Kestrel server with an HTTP and an HTTPS listener, a shared clock, fault injector and
/// request journal.
/// Tests host it in-process; Program.cs runs it standalone.
/// </summary>
public sealed class SandboxHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private SandboxHost(WebApplication app, SandboxOptions options, SandboxClock clock, RequestJournal journal,
        FaultInjector faults, X509Certificate2 certificate, EntraSimulator entra, BusinessCentralSimulator bc, MarketoSimulator marketo,
        ManagedIdentitySimulator managedIdentity)
    {
        _app = app;
        Options = options;
        Clock = clock;
        Journal = journal;
        Faults = faults;
        Certificate = certificate;
        Entra = entra;
        BusinessCentral = bc;
        Marketo = marketo;
        ManagedIdentity = managedIdentity;
    }

    public SandboxOptions Options { get; }
    public SandboxClock Clock { get; }
    public RequestJournal Journal { get; }
    public FaultInjector Faults { get; }
    public X509Certificate2 Certificate { get; }
    public string CertificateThumbprint => Certificate.GetCertHashString(System.Security.Cryptography.HashAlgorithmName.SHA256);
    public string CertificateSha1Thumbprint => Certificate.Thumbprint;
    public EntraSimulator Entra { get; }
    public BusinessCentralSimulator BusinessCentral { get; }
    public MarketoSimulator Marketo { get; }
    public ManagedIdentitySimulator ManagedIdentity { get; }

    /// <summary>What an Automation job finds in IDENTITY_ENDPOINT (its IDENTITY_HEADER is <see cref="ManagedIdentityOptions.IdentityHeader"/>).</summary>
    public Uri IdentityEndpoint => new(HttpBaseUri, ManagedIdentitySimulator.TokenPath.TrimStart('/'));

    /// <summary>http://127.0.0.1:port (BC, Marketo, admin).</summary>
    public Uri HttpBaseUri { get; private set; } = null!;

    /// <summary>https://127.0.0.1:port (Entra; every other route is served here too).</summary>
    public Uri HttpsBaseUri { get; private set; } = null!;

    public Uri AdminUri => new(HttpBaseUri, "admin/");

    public static async Task<SandboxHost> StartAsync(SandboxOptions options, CancellationToken cancellationToken = default)
    {
        var clock = new SandboxClock();
        var journal = new RequestJournal();
        var faults = new FaultInjector(options.Seed);
        var certificate = SandboxCertificate.ForProcess();

        var entra = new EntraSimulator(options.Entra, clock);
        var bc = new BusinessCentralSimulator(options.BusinessCentral, clock, entra, options.Companies);
        var marketo = new MarketoSimulator(options.Marketo, clock);
        var managedIdentity = new ManagedIdentitySimulator(options.ManagedIdentity, clock, entra);
        bc.Seed(options.Customers, options.Seed);
        marketo.SeedLeads(options.MarketoLeads, options.Seed, bc.ContactEmails());
        marketo.SeedCompanies(options.MarketoCompanies, options.Seed);

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ApplicationName = typeof(SandboxHost).Assembly.GetName().Name });
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton<TimeProvider>(clock);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Limits.MaxRequestBodySize = 16 * 1024 * 1024;
            kestrel.Limits.MaxRequestLineSize = 64 * 1024;
            kestrel.Limits.MaxRequestHeadersTotalSize = 96 * 1024;
            kestrel.Listen(IPAddress.Loopback, options.Port);
            kestrel.Listen(IPAddress.Loopback, options.HttpsPort, listen => listen.UseHttps(certificate));
        });

        var app = builder.Build();
        var host = new SandboxHost(app, options, clock, journal, faults, certificate, entra, bc, marketo, managedIdentity);
        var pipeline = new RequestPipeline(clock, journal, faults, host.SimulatorOf, app.Lifetime.ApplicationStopping);
        app.Use(pipeline.InvokeAsync);
        entra.MapEndpoints(app);
        bc.MapEndpoints(app);
        marketo.MapEndpoints(app);
        managedIdentity.MapEndpoints(app);
        var admin = app.MapGroup("/admin");
        AdminEndpoints.Map(admin, host);
        entra.MapAdminEndpoints(admin);
        bc.MapAdminEndpoints(admin);
        marketo.MapAdminEndpoints(admin);
        managedIdentity.MapAdminEndpoints(admin);

        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
        host.HttpBaseUri = new Uri(addresses.First(a => a.StartsWith("http://", StringComparison.Ordinal)).Replace("[::1]", "127.0.0.1") + "/");
        host.HttpsBaseUri = new Uri(addresses.First(a => a.StartsWith("https://", StringComparison.Ordinal)).Replace("[::1]", "127.0.0.1") + "/");
        return host;
    }

    public static SandboxService? ServiceOf(PathString path)
    {
        var value = path.Value ?? "/";
        if (value.StartsWith("/admin", StringComparison.OrdinalIgnoreCase)) return SandboxService.Admin;
        if (value.StartsWith("/identity/", StringComparison.OrdinalIgnoreCase)) return SandboxService.MarketoIdentity;
        if (value.StartsWith("/msi/", StringComparison.OrdinalIgnoreCase)) return SandboxService.ManagedIdentity;
        if (value.StartsWith("/rest/", StringComparison.OrdinalIgnoreCase) || value.StartsWith("/bulk/", StringComparison.OrdinalIgnoreCase)) return SandboxService.Marketo;
        if (value.StartsWith("/v2.0/", StringComparison.OrdinalIgnoreCase)) return SandboxService.BusinessCentral;
        if (value.Contains("/oauth2/", StringComparison.OrdinalIgnoreCase) || value.Contains("/.well-known/", StringComparison.OrdinalIgnoreCase) || value.Contains("/discovery/", StringComparison.OrdinalIgnoreCase)) return SandboxService.Entra;
        return null;
    }

    private IServiceSimulator? SimulatorOf(SandboxService service) => service switch
    {
        SandboxService.Entra => Entra,
        SandboxService.BusinessCentral => BusinessCentral,
        SandboxService.Marketo or SandboxService.MarketoIdentity => Marketo,
        SandboxService.ManagedIdentity => ManagedIdentity,
        _ => null,
    };

    public async ValueTask DisposeAsync()
    {
        Faults.Held.ReleaseAll();
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}
