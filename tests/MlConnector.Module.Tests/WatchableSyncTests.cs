using System.Management.Automation;
using System.Text.RegularExpressions;
using MlConnector.Sandbox;
using MlConnector.Sandbox.Core;

namespace MlConnector.Module.Tests;

/// <summary>
/// Issue 11: `Invoke-MlSync -Verbose -Debug` tells the story of a full sync with injected faults — pages read, what was
/// planned, each batch sent with Marketo's request id, each wait and retry with its cause and length; Debug adds one line
/// per HTTP call — and neither stream carries a secret, a token or a personal value. Write-Progress shows percent complete
/// and time remaining while writing, and the wait while throttled. Driven in a hosted runspace, which sees every stream.
/// </summary>
public sealed class WatchableSyncTests : IAsyncLifetime
{
    private SandboxHost _sandbox = null!;
    private HostedPowerShell _powershell = null!;
    private readonly string _home = Path.Combine(Path.GetTempPath(), "mlc-watch-" + Guid.NewGuid().ToString("N"));

    public async Task InitializeAsync()
    {
        _sandbox = await SandboxHost.StartAsync(new SandboxOptions { Customers = 40 });
        _powershell = new HostedPowerShell();
        _powershell.ConnectTo(_sandbox);
    }

    [Fact]
    public void A_full_sync_with_faults_tells_its_story_in_verbose_and_debug_with_no_secret_token_or_email_and_shows_progress()
    {
        // Marketo answers one lead write with 606 (rate limit) and one company write with 615; BC answers one contacts page 429 with Retry-After.
        _sandbox.Faults.Add(new FaultRule { Service = SandboxService.Marketo, Method = "POST", PathContains = "/rest/v1/leads.json", ErrorCode = "606", Times = 1 });
        _sandbox.Faults.Add(new FaultRule { Service = SandboxService.Marketo, Method = "POST", PathContains = "/rest/v1/companies.json", ErrorCode = "615", Times = 1 });
        _sandbox.Faults.Add(new FaultRule { Service = SandboxService.BusinessCentral, PathContains = "/contacts", HttpStatus = 429, RetryAfterSeconds = 1, Times = 1 });

        using var shell = _powershell.Create();
        shell.AddCommand("Invoke-MlSync").AddParameter("Verbose").AddParameter("Debug")
            .AddParameter("StatePath", Path.Combine(_home, "state.db")).AddParameter("AuditPath", Path.Combine(_home, "audit"));
        var output = shell.Invoke();

        Assert.Empty(shell.Streams.Error);
        var summary = Assert.Single(output).BaseObject;
        Assert.Equal(0, (int)summary.GetType().GetProperty("Failed")!.GetValue(summary)!);
        var verbose = shell.Streams.Verbose.Select(v => v.Message).ToList();
        var debug = shell.Streams.Debug.Select(d => d.Message).ToList();

        // The story: pages read with counts, the plan, each batch with Marketo's request id, every wait and retry with its cause.
        Assert.Contains(verbose, l => Regex.IsMatch(l, @"^Business Central: read page \d+ of customers: \d+ record\(s\), \d+ so far"));
        Assert.Contains(verbose, l => Regex.IsMatch(l, @"^Planned \d+ customer\(s\) read from Business Central: \d+ to send, \d+ unchanged, \d+ skipped"));
        Assert.Contains(verbose, l => Regex.IsMatch(l, @"^Planned \d+ contact\(s\) read from Business Central: .*skipped \(.*NoEmail"));
        Assert.Contains(verbose, l => Regex.IsMatch(l, @"^Sent \d+ company record\(s\) to Marketo \(requestId [^-)][^)]*\): \d+ created"));
        Assert.Contains(verbose, l => Regex.IsMatch(l, @"^Sent \d+ lead record\(s\) to Marketo \(requestId [^-)][^)]*\): \d+ created"));
        Assert.Contains(verbose, l => Regex.IsMatch(l, @"^Waiting 2\d(\.\d)? s: Marketo: retry 1 of POST rest/v1/leads\.json after error 606"));
        Assert.Contains(verbose, l => Regex.IsMatch(l, @"^Waiting \d+(\.\d)? (ms|s): Marketo: retry 1 of POST rest/v1/companies\.json after error 615"));
        Assert.Contains(verbose, l => Regex.IsMatch(l, @"^Waiting 1 s: BC retry 1 of \d+ after 429 with Retry-After 1 s"));
        // Debug: method, path, status and duration per HTTP call.
        Assert.Contains(debug, l => Regex.IsMatch(l, @"^Marketo POST /rest/v1/leads\.json -> HTTP 200, requestId \S+, \d+ ms, errors 606"));
        Assert.Contains(debug, l => Regex.IsMatch(l, @"^BC GET /v2\.0/\S+/contacts -> 429 in \d+ ms$"));

        // Nothing secret or personal in either stream.
        var text = string.Join("\n", verbose.Concat(debug));
        var secrets = new[] { _sandbox.Entra.Options.ClientSecret, _sandbox.Marketo.Options.ClientSecret, _sandbox.Marketo.Tokens.Issue().Token };
        Assert.All(secrets, s => Assert.DoesNotContain(s, text, StringComparison.Ordinal));
        Assert.DoesNotMatch(@"eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.", text);
        Assert.DoesNotContain("Bearer", text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("access_token", text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("client_secret", text, StringComparison.OrdinalIgnoreCase);
        var store = _sandbox.BusinessCentral.Store;
        string[] personal;
        lock (store.Gate)
            personal = store.Contacts.Select(c => c.Email.Trim()).Where(e => e.Contains('@', StringComparison.Ordinal))
                .Concat(store.Contacts.Where(c => c.Type == "Person" && c.DisplayName.Contains(' ', StringComparison.Ordinal)).Select(c => c.DisplayName)).ToArray();
        Assert.NotEmpty(personal);
        Assert.All(personal, p => Assert.DoesNotContain(p, text, StringComparison.OrdinalIgnoreCase));

        // Progress: percent complete and time remaining while writing; the wait (and its length) while throttled.
        var progress = shell.Streams.Progress.Where(p => p.RecordType == ProgressRecordType.Processing).ToList();
        Assert.Contains(progress, p => p.Activity.StartsWith("Incremental sync: Writing leads", StringComparison.Ordinal) && p.PercentComplete is >= 0 and <= 100 && p.SecondsRemaining >= 0);
        Assert.Contains(progress, p => p.StatusDescription.StartsWith("Waiting 2", StringComparison.Ordinal) && p.StatusDescription.Contains("606", StringComparison.Ordinal) && p.SecondsRemaining >= 20);
        Assert.All(shell.Streams.Progress.Select(p => p.StatusDescription), s => Assert.DoesNotContain("@", s, StringComparison.Ordinal));
    }

    public async Task DisposeAsync()
    {
        _powershell.Dispose();
        await _sandbox.DisposeAsync();
        try { Directory.Delete(_home, recursive: true); } catch (IOException) { }
    }
}
