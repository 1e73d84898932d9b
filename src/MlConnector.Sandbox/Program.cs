using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using MlConnector.Sandbox;

// Standalone sandbox: starts every simulator on loopback and prints ONE JSON line with what a client needs,
// then runs until SIGINT/SIGTERM. Nothing else goes to stdout.
var options = new SandboxOptions();
try
{
    ApplyArguments(args, options);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine(e.Message);
    Console.Error.WriteLine("usage: MlConnector.Sandbox [--customers N] [--seed S] [--port P] [--https-port Q] [--marketo-leads M] [--marketo-companies K] [--crm-sync] [--companies N]");
    Console.Error.WriteLine("       [--commit-lag SECONDS] [--second-server-skew SECONDS] [--upsert-duplicates] [--late-activities SECONDS] [--no-updatedat-export]");
    return 2;
}

var stop = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);

await using (var host = await SandboxHost.StartAsync(options))
{
    var bc = host.BusinessCentral;
    var tenant = bc.TenantId;
    var environment = bc.Options.EnvironmentName;
    var marketo = host.Marketo.Options;
    var ready = new Dictionary<string, object>
    {
        ["bcApiBaseUrl"] = new Uri(host.HttpBaseUri, $"v2.0/{tenant}/{environment}/api/v2.0/").ToString(),
        ["entraAuthority"] = new Uri(host.HttpsBaseUri, tenant).ToString(),
        ["certificateThumbprint"] = host.CertificateSha1Thumbprint,
        ["certificateSha256"] = host.CertificateThumbprint,
        ["tenantId"] = tenant,
        ["environment"] = environment,
        ["companyId"] = bc.CompanyId.ToString("D"),
        ["companyName"] = bc.Options.CompanyName,
        ["companies"] = bc.Companies.Select(c => new Dictionary<string, object> { ["id"] = c.Company.Id.ToString("D"), ["name"] = c.Company.DisplayName }).ToArray(),
        ["bcClientId"] = host.Entra.Options.ClientId,
        ["bcClientSecret"] = host.Entra.Options.ClientSecret,
        ["marketoRestUrl"] = new Uri(host.HttpBaseUri, "rest").ToString(),
        ["marketoIdentityUrl"] = new Uri(host.HttpBaseUri, "identity").ToString(),
        ["munchkinId"] = marketo.MunchkinId,
        ["marketoClientId"] = marketo.ClientId,
        ["marketoClientSecret"] = marketo.ClientSecret,
        ["identityEndpoint"] = host.IdentityEndpoint.ToString(),
        ["identityHeader"] = host.ManagedIdentity.Options.IdentityHeader,
        ["adminUrl"] = host.AdminUri.ToString(),
        ["customers"] = options.Customers,
        ["seed"] = options.Seed,
    };
    Console.Out.WriteLine(JsonSerializer.Serialize(ready));
    Console.Out.Flush();
    await stop.Task;
}
return 0;

void Stop(PosixSignalContext context)
{
    context.Cancel = true;
    stop.TrySetResult();
}

static void ApplyArguments(string[] args, SandboxOptions options)
{
    for (var i = 0; i < args.Length; i++)
    {
        switch (args[i])
        {
            case "--customers": options.Customers = Number(args, ref i); break;
            case "--seed": options.Seed = Number(args, ref i); break;
            case "--port": options.Port = Number(args, ref i); break;
            case "--https-port": options.HttpsPort = Number(args, ref i); break;
            case "--marketo-leads": options.MarketoLeads = Number(args, ref i); break;
            case "--marketo-companies": options.MarketoCompanies = Number(args, ref i); break;
            case "--crm-sync": options.Marketo.CrmSync = true; break;
            case "--commit-lag": options.BusinessCentral.CommitLag = TimeSpan.FromSeconds(Number(args, ref i)); break;
            case "--second-server-skew": options.BusinessCentral.SecondServerSkew = TimeSpan.FromSeconds(Signed(args, ref i)); break;
            case "--upsert-duplicates": options.Marketo.ConcurrentUpsertDuplicates = true; break;
            case "--late-activities": options.Marketo.OutOfOrderWindow = TimeSpan.FromSeconds(Number(args, ref i)); break;
            case "--no-updatedat-export": options.Marketo.UpdatedAtExportFilter = false; break;
            case "--companies": options.Companies = Math.Max(1, Number(args, ref i)); break;
            default: throw new ArgumentException($"Unknown argument '{args[i]}'.");
        }
    }
}

static int Signed(string[] args, ref int i)
{
    if (i + 1 >= args.Length || !int.TryParse(args[i + 1], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
        throw new ArgumentException($"'{args[i]}' needs a whole number.");
    i++;
    return value;
}

static int Number(string[] args, ref int i)
{
    if (i + 1 >= args.Length || !int.TryParse(args[i + 1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) || value < 0)
        throw new ArgumentException($"'{args[i]}' needs a non-negative whole number.");
    i++;
    return value;
}
