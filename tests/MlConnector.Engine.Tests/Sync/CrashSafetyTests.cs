using System.Diagnostics;
using System.Text.Json;
using MlConnector.Engine.Mapping;
using MlConnector.Engine.Sync;
using MlConnector.Sandbox;
using MlConnector.Sandbox.Core;

namespace MlConnector.Engine.Tests.Sync;

/// <summary>
/// The sync runner killed with SIGKILL at random points and started again ends with the same Marketo state as an
/// undisturbed run, with no duplicate company or lead: the work queue and checkpoints are durable, and writes are upserts.
/// </summary>
public sealed class CrashSafetyTests
{
    private const int Customers = 150;
    private const int MarketoLatencyMs = 700;

    [Fact]
    public async Task Killed_runs_restarted_until_done_leave_the_same_marketo_state_as_an_undisturbed_run()
    {
        var runner = SyncRunnerProcess.Path();
        var folder = Directory.CreateTempSubdirectory("mlc-crash-").FullName;
        try
        {
            TimeSpan undisturbed;
            Dictionary<string, Dictionary<string, string?>> expectedCompanies, expectedLeads;
            await using (var calm = await StartSandboxAsync())
            {
                var clock = Stopwatch.StartNew();
                var run = await RunAsync(runner, calm, Path.Combine(folder, "calm"), killAfter: null);
                undisturbed = clock.Elapsed;
                Assert.True(run.ExitCode == 0, run.Error);
                (expectedCompanies, expectedLeads) = MarketoState(calm);
            }
            Assert.NotEmpty(expectedCompanies);
            Assert.NotEmpty(expectedLeads);

            await using var crashed = await StartSandboxAsync();
            var random = new Random(20240611);
            var killed = 0;
            for (var i = 0; i < 4; i++)
            {
                var delay = TimeSpan.FromMilliseconds(random.Next(200, (int)Math.Max(undisturbed.TotalMilliseconds, 400)));
                var run = await RunAsync(runner, crashed, Path.Combine(folder, "crashed"), delay);
                if (run.Killed) killed++;
                else Assert.True(run.ExitCode == 0, run.Error);
            }
            var last = await RunAsync(runner, crashed, Path.Combine(folder, "crashed"), killAfter: null);
            Assert.True(last.ExitCode == 0, last.Error);
            Assert.True(killed > 0, "No run was killed before it finished; the kill points prove nothing.");
            Assert.Equal(0, JsonDocument.Parse(last.Output).RootElement.GetProperty("pending").GetInt32());

            var (companies, leads) = MarketoState(crashed);
            Assert.Equal(expectedCompanies.Keys.Order(), companies.Keys.Order());
            foreach (var (key, fields) in expectedCompanies) Assert.Equal(fields, companies[key]);
            Assert.Equal(expectedLeads.Keys.Order(), leads.Keys.Order());
            foreach (var (key, fields) in expectedLeads) Assert.Equal(fields, leads[key]);
        }
        finally
        {
            try { Directory.Delete(folder, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    private static async Task<SandboxHost> StartSandboxAsync()
    {
        var host = await SandboxHost.StartAsync(new SandboxOptions { Customers = Customers, Seed = 7 });
        host.Faults.Add(new FaultRule { Service = SandboxService.Marketo, LatencyMs = MarketoLatencyMs });
        return host;
    }

    private sealed record RunOutcome(bool Killed, int ExitCode, string Output, string Error);

    /// <summary>One runner process against the sandbox; killed (SIGKILL, whole tree) after <paramref name="killAfter"/> unless it finished first.</summary>
    private static async Task<RunOutcome> RunAsync(string runner, SandboxHost host, string work, TimeSpan? killAfter)
    {
        Directory.CreateDirectory(work);
        var ready = Path.Combine(work, "sandbox.json");
        await File.WriteAllTextAsync(ready, ReadyLine(host));
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        // A killed run keeps its lease on the pair until it expires: short leases, and the next run waits them out.
        info.Environment[SyncLeaseOptions.DurationVariable] = "2";
        foreach (var argument in new[] { runner, "sync", "--sandbox-json", ready, "--state", Path.Combine(work, "state.db"), "--audit", Path.Combine(work, "audit"), "--lease-timeout", "30" })
            info.ArgumentList.Add(argument);
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var killed = false;
        if (killAfter is { } delay)
        {
            var exited = process.WaitForExitAsync(timeout.Token);
            if (await Task.WhenAny(exited, Task.Delay(delay)) != exited)
            {
                process.Kill(entireProcessTree: true);
                killed = true;
            }
        }
        await process.WaitForExitAsync(timeout.Token);
        return new RunOutcome(killed, process.ExitCode, (await output).Trim(), await error);
    }

    /// <summary>What the standalone sandbox prints when it is ready (Program.cs), for this in-process host.</summary>
    private static string ReadyLine(SandboxHost host)
    {
        var bc = host.BusinessCentral;
        return JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["bcApiBaseUrl"] = new Uri(host.HttpBaseUri, $"v2.0/{bc.TenantId}/{bc.Options.EnvironmentName}/api/v2.0/").ToString(),
            ["entraAuthority"] = new Uri(host.HttpsBaseUri, bc.TenantId).ToString(),
            ["certificateThumbprint"] = host.CertificateSha1Thumbprint,
            ["tenantId"] = bc.TenantId,
            ["environment"] = bc.Options.EnvironmentName,
            ["companyName"] = bc.Options.CompanyName,
            ["bcClientId"] = host.Entra.Options.ClientId,
            ["bcClientSecret"] = host.Entra.Options.ClientSecret,
            ["marketoRestUrl"] = new Uri(host.HttpBaseUri, "rest").ToString(),
            ["marketoIdentityUrl"] = new Uri(host.HttpBaseUri, "identity").ToString(),
            ["munchkinId"] = host.Marketo.Options.MunchkinId,
            ["marketoClientId"] = host.Marketo.Options.ClientId,
            ["marketoClientSecret"] = host.Marketo.Options.ClientSecret,
            ["adminUrl"] = host.AdminUri.ToString(),
        });
    }

    /// <summary>Companies by externalCompanyId and leads by normalized email, with their field values (not ids or timestamps). Asserts no duplicates.</summary>
    private static (Dictionary<string, Dictionary<string, string?>> Companies, Dictionary<string, Dictionary<string, string?>> Leads) MarketoState(SandboxHost host)
    {
        string[] volatileFields = ["id", "createdAt", "updatedAt"];
        var companies = host.Marketo.Companies();
        Assert.Equal(companies.Count, companies.Select(c => c.ExternalCompanyId).Distinct(StringComparer.OrdinalIgnoreCase).Count());
        var leads = host.Marketo.Leads();
        var emails = leads.Select(l => EmailRules.Normalize(l.Fields["email"]!)).ToList();
        Assert.Equal(emails.Count, emails.Distinct(StringComparer.Ordinal).Count());
        return (
            companies.ToDictionary(c => c.ExternalCompanyId, c => c.Fields.Where(f => !volatileFields.Contains(f.Key)).ToDictionary(f => f.Key, f => f.Value)),
            leads.ToDictionary(l => EmailRules.Normalize(l.Fields["email"]!), l => l.Fields.Where(f => !volatileFields.Contains(f.Key)).ToDictionary(f => f.Key, f => f.Value)));
    }
}
