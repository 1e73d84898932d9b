using System.Diagnostics;
using System.Net;
using System.Text.Json;

namespace MlConnector.Sandbox.Tests.BusinessCentral;

/// <summary>The standalone program: one JSON line on stdout when ready, then it serves until SIGTERM and exits 0.</summary>
public sealed class SandboxProgramTests
{
    [Fact]
    public async Task The_realism_switches_can_be_set_on_the_command_line()
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "MlConnector.Sandbox.dll");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { dll, "--customers", "5", "--port", "0", "--https-port", "0", "--commit-lag", "30", "--second-server-skew", "-5",
            "--upsert-duplicates", "--late-activities", "20", "--no-updatedat-export" })
            start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        try
        {
            var line = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60));
            var admin = JsonDocument.Parse(line!).RootElement.GetProperty("adminUrl").GetString()!;
            using var http = new HttpClient();
            var bc = JsonDocument.Parse(await http.GetStringAsync(admin + "bc")).RootElement;
            Assert.Equal(30, bc.GetProperty("commitLagSeconds").GetDouble());
            Assert.Equal(-5, bc.GetProperty("secondServerSkewSeconds").GetDouble());
            var marketo = JsonDocument.Parse(await http.GetStringAsync(admin + "marketo/switches")).RootElement;
            Assert.True(marketo.GetProperty("concurrentUpsertDuplicates").GetBoolean());
            Assert.Equal(20, marketo.GetProperty("outOfOrderSeconds").GetDouble());
            Assert.False(marketo.GetProperty("updatedAtExportFilter").GetBoolean());
        }
        finally
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
        }
    }

    [Fact]
    public async Task Program_prints_one_ready_line_serves_and_exits_0_on_SIGTERM()
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "MlConnector.Sandbox.dll");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { dll, "--customers", "30", "--seed", "3", "--port", "0", "--https-port", "0" }) start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        try
        {
            var line = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60));
            Assert.False(string.IsNullOrEmpty(line), "no ready line; stderr: " + (process.HasExited ? await stderr : ""));
            var ready = JsonDocument.Parse(line!).RootElement;
            foreach (var key in new[] { "bcApiBaseUrl", "entraAuthority", "certificateThumbprint", "certificateSha256", "tenantId", "environment", "companyId", "companyName",
                "bcClientId", "bcClientSecret", "marketoRestUrl", "marketoIdentityUrl", "munchkinId", "marketoClientId", "marketoClientSecret", "identityEndpoint", "identityHeader", "adminUrl" })
                Assert.True(ready.TryGetProperty(key, out var value) && value.ValueKind != JsonValueKind.Null && value.ToString().Length > 0, $"missing {key}");
            Assert.Matches("^http://127.0.0.1:\\d+/v2.0/[0-9a-f-]{36}/Production/api/v2.0/$", ready.GetProperty("bcApiBaseUrl").GetString());
            Assert.Matches("^https://127.0.0.1:\\d+/[0-9a-f-]{36}$", ready.GetProperty("entraAuthority").GetString());
            Assert.Matches("^[0-9A-F]{40}$", ready.GetProperty("certificateThumbprint").GetString());

            var thumbprint = ready.GetProperty("certificateThumbprint").GetString();
            using var handler = new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, cert, _, _) => cert?.Thumbprint == thumbprint };
            using var http = new HttpClient(handler);
            using var form = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["grant_type"] = "client_credentials", ["client_id"] = ready.GetProperty("bcClientId").GetString()!,
                ["client_secret"] = ready.GetProperty("bcClientSecret").GetString()!, ["scope"] = "https://api.businesscentral.dynamics.com/.default",
            });
            using var token = await http.PostAsync(ready.GetProperty("entraAuthority").GetString() + "/oauth2/v2.0/token", form);
            Assert.Equal(HttpStatusCode.OK, token.StatusCode);
            using var unauthorized = await http.GetAsync(ready.GetProperty("bcApiBaseUrl").GetString() + "companies");
            Assert.Equal(HttpStatusCode.Unauthorized, unauthorized.StatusCode);

            if (!OperatingSystem.IsWindows())
            {
                using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString()])) await kill.WaitForExitAsync();
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
                await process.WaitForExitAsync(timeout.Token);
                Assert.Equal(0, process.ExitCode);
                Assert.Equal("", await process.StandardOutput.ReadToEndAsync());
            }
        }
        finally
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
        }
    }
}
