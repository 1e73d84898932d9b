using System.Diagnostics;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using MlConnector.Engine.Mapping;
using MlConnector.Engine.Sync;
using MlConnector.Sandbox;
using MlConnector.Sandbox.Core;

namespace MlConnector.Engine.Tests.Sync;

/// <summary>
/// The sync runner SIGKILLed at a chosen point of a record's way to Marketo — queued but not sent, sent but lost on the
/// way, applied by Marketo but not answered, answered but not settled — and started again, ends with the same Marketo
/// state as an undisturbed run, with nothing lost and no duplicate company or lead. Each kill is proven to have landed
/// where it was aimed: from the sandbox journal (the write held at that point, and when it was received, applied,
/// answered or dropped against the moment of the kill), the runner's own word (it stops for good at a --pause-at point
/// and says so), and the state file the killed run left. Each point runs with one batch in flight at a time and with up
/// to five, so the points keep their meaning when sending is pipelined.
/// </summary>
public sealed class CrashSafetyTests(CrashSafetyTests.Undisturbed undisturbed) : IClassFixture<CrashSafetyTests.Undisturbed>
{
    private const int Customers = 150;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    public enum KillPoint
    {
        /// <summary>
        /// The first lead chunk is durably queued (the customers checkpoint has moved) and no lead has been sent; companies
        /// go out while BC is read, so each is written or still queued.
        /// </summary>
        QueuedNotSent,

        /// <summary>The last lead batch (sent after the contacts checkpoint moved) reached Marketo and is held before it is applied; the kill loses it on the way.</summary>
        InFlight,

        /// <summary>Marketo applied the last lead batch and holds its answer; the kill loses the answer.</summary>
        AppliedNotAnswered,

        /// <summary>Marketo answered the last lead batch; the runner stops before its jobs leave the queue.</summary>
        AnsweredNotSettled,
    }

    [Theory]
    [InlineData(KillPoint.QueuedNotSent, 1)]
    [InlineData(KillPoint.InFlight, 1)]
    [InlineData(KillPoint.InFlight, 5)]
    [InlineData(KillPoint.AppliedNotAnswered, 1)]
    [InlineData(KillPoint.AppliedNotAnswered, 5)]
    [InlineData(KillPoint.AnsweredNotSettled, 1)]
    [InlineData(KillPoint.AnsweredNotSettled, 5)]
    public async Task Killed_at_a_chosen_point_and_restarted_the_run_loses_and_duplicates_nothing(KillPoint point, int concurrency)
    {
        var expected = undisturbed.Expected;
        // Killed at the last lead batch, the contacts checkpoint has moved: a restart reads no contact again, so the
        // leads of that batch reach Marketo only if their jobs are still queued.
        var lastLeadBatch = (expected.Leads.Count + MaxBatch - 1) / MaxBatch;
        var work = Directory.CreateTempSubdirectory("mlc-crash-").FullName;
        try
        {
            await using var host = await SandboxHost.StartAsync(new SandboxOptions { Customers = Customers, Seed = 7 });
            var state = Path.Combine(work, "state.db");
            var rule = point switch
            {
                KillPoint.InFlight => host.Faults.Add(LastLeadWrite(HoldPoint.BeforeApply, lastLeadBatch)),
                KillPoint.AppliedNotAnswered => host.Faults.Add(LastLeadWrite(HoldPoint.BeforeAnswer, lastLeadBatch)),
                _ => null,
            };
            string[] pause = point switch
            {
                KillPoint.QueuedNotSent => ["--pause-at", "enqueued", "--pause-target", "Lead"],
                KillPoint.AnsweredNotSettled => ["--pause-at", "settling", "--pause-target", "Lead", "--pause-nth", Text(lastLeadBatch)],
                _ => [],
            };

            using (var run = Runner.Start(host, work, concurrency, pause))
            {
                if (rule is not null)
                {
                    var held = await run.UntilAsync(host.Faults.Held.WaitForAsync(rule.Id, Patience));
                    await run.UntilAsync(CheckpointAsync(state, SyncCheckpoints.Contacts));
                    var killedAt = run.Kill(host);
                    await host.Faults.Held.WaitForClientGoneAsync(rule.Id, Patience);
                    host.Faults.Held.Drop(rule.Id);
                    host.Faults.Remove(rule.Id);
                    var entry = await host.Journal.WaitForAsync(e => e.Sequence == held.Sequence, Patience);
                    AssertHeldWriteLandedAt(point, entry, killedAt);
                    await JournalCompleteAsync(host);
                    AssertUnansweredLeadsStillQueued(host, state, killedAt, expected.Leads.Count);
                }
                else
                {
                    var paused = await run.UntilAsync(run.PausedAsync());
                    var killedAt = run.Kill(host);
                    var jobs = paused.GetProperty("jobs").GetInt32();
                    Assert.Equal(point == KillPoint.QueuedNotSent ? "enqueued" : "settling", paused.GetProperty("paused").GetString());
                    if (point == KillPoint.QueuedNotSent)
                    {
                        AssertCheckpointMoved(state, SyncCheckpoints.Customers);
                        AssertNoLeadSent(host, killedAt);
                        // Companies go out while BC is still read, and a batch Marketo has answered stays queued until the run
                        // settles it: each company is queued, in Marketo, or (answered, not yet settled) both; none is missing.
                        var queuedOrWritten = PendingNumbers(state, "Company").Union(host.Marketo.Companies().Select(c => c.ExternalCompanyId));
                        Assert.Equal(expected.Companies.Keys.Order(), queuedOrWritten.Order());
                    }
                    else
                    {
                        AssertCheckpointMoved(state, SyncCheckpoints.Contacts);
                        await JournalCompleteAsync(host);
                        AssertAnsweredBeforeTheKill(host, killedAt, jobs);
                        AssertUnansweredLeadsStillQueued(host, state, killedAt, expected.Leads.Count);
                    }
                    Assert.True(QueuedJobs(state, "Pending", "Lead") >= jobs, $"the {jobs} lead job(s) the runner stopped at are still queued");
                }
            }

            using (var restart = Runner.Start(host, work, concurrency, []))
            {
                var summary = await restart.FinishedAsync();
                Assert.Equal(0, summary.GetProperty("pending").GetInt32());
                Assert.Equal(0, summary.GetProperty("failed").GetInt32());
            }
            Assert.Equal(0, QueuedJobs(state, "Parked", null));

            var (companies, leads) = MarketoState(host);
            Assert.Equal(expected.Companies.Keys.Order(), companies.Keys.Order());
            foreach (var (key, fields) in expected.Companies) Assert.Equal(fields, companies[key]);
            Assert.Equal(expected.Leads.Keys.Order(), leads.Keys.Order());
            foreach (var (key, fields) in expected.Leads) Assert.Equal(fields, leads[key]);
        }
        finally
        {
            try { Directory.Delete(work, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    private const int MaxBatch = 300;

    private static string Text(int value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Holds the <paramref name="nth"/> lead write (reads of leads are GETs, or POSTs with _method=GET, which are not held).</summary>
    private static FaultRule LastLeadWrite(HoldPoint hold, int nth) => new()
    {
        Service = SandboxService.Marketo, Method = "POST", PathContains = "/rest/v1/leads.json", Hold = hold, NthCall = nth,
    };

    private static bool IsLeadWrite(JournalEntry e) => IsRecordWrite(e) && e.Path.StartsWith("/rest/v1/leads.json", StringComparison.Ordinal);

    private static bool IsRecordWrite(JournalEntry e) => e.Service == SandboxService.Marketo && e.Method == "POST"
        && (e.Path.StartsWith("/rest/v1/leads.json", StringComparison.Ordinal) || e.Path.StartsWith("/rest/v1/companies.json", StringComparison.Ordinal))
        && !e.Path.Contains("_method=GET", StringComparison.Ordinal);

    /// <summary>The held write was received before the kill; lost on the way it was never applied, else applied before the kill and never answered.</summary>
    private static void AssertHeldWriteLandedAt(KillPoint point, JournalEntry entry, DateTimeOffset killedAt)
    {
        Assert.True(IsLeadWrite(entry), $"the held request is a lead write: {entry.Method} {entry.Path}");
        Assert.True(entry.Started < killedAt, $"the write was received ({entry.Started:O}) before the kill ({killedAt:O})");
        Assert.True(entry.Dropped);
        Assert.Null(entry.Answered);
        if (point == KillPoint.InFlight) Assert.Null(entry.Applied);
        else
        {
            Assert.True(entry.Applied < killedAt, $"Marketo applied the write ({entry.Applied:O}) before the kill ({killedAt:O})");
            Assert.True(entry.RecordCount > 0);
        }
    }

    /// <summary>No record write reached Marketo: only the writability probe (an updateOnly of a key that cannot exist) may have.</summary>
    private static void AssertNoLeadSent(SandboxHost host, DateTimeOffset killedAt)
    {
        Assert.DoesNotContain(host.Journal.Snapshot(), e => IsLeadWrite(e) && e.Started < killedAt);
        Assert.Empty(host.Marketo.Leads());
    }

    /// <summary>At least the paused jobs' worth of lead records was answered (HTTP 200, not dropped) before the kill.</summary>
    private static void AssertAnsweredBeforeTheKill(SandboxHost host, DateTimeOffset killedAt, int jobs)
    {
        var answered = host.Journal.Snapshot().Where(e => IsLeadWrite(e) && e.Status == 200 && !e.Dropped && e.Answered < killedAt).ToList();
        Assert.True(answered.Sum(e => e.RecordCount) >= jobs, $"{answered.Sum(e => e.RecordCount)} lead records answered before the kill; the runner stopped settling {jobs}");
    }

    /// <summary>
    /// Waits until every request the killed runner made is in the journal: an exchange is journaled once the server has
    /// finished it, a moment after the client had its answer (and may have settled it) — with batches in flight
    /// concurrently, one answered just before the kill may not be journaled yet when the runner dies.
    /// </summary>
    private static async Task JournalCompleteAsync(SandboxHost host)
    {
        var clock = Stopwatch.StartNew();
        var seen = -1;
        while (clock.Elapsed < Patience)
        {
            var count = host.Journal.Snapshot().Count;
            if (count == seen) return;
            seen = count;
            await Task.Delay(500);
        }
    }

    /// <summary>Every lead Marketo did not answer for before the kill is still a pending job in the killed run's state file.</summary>
    private static void AssertUnansweredLeadsStillQueued(SandboxHost host, string state, DateTimeOffset killedAt, int leads)
    {
        var answered = host.Journal.Snapshot().Where(e => IsLeadWrite(e) && e.Status == 200 && !e.Dropped && e.Answered < killedAt).Sum(e => e.RecordCount);
        var pending = QueuedJobs(state, "Pending", "Lead");
        Assert.True(pending >= leads - answered, $"{pending} lead job(s) still queued after the kill, but Marketo had answered for only {answered} of {leads} leads");
    }

    /// <summary>The killed run had moved the checkpoint: what it covers is not read from BC again, only the queue still holds it.</summary>
    private static void AssertCheckpointMoved(string state, string name)
        => Assert.True(Read(state, "SELECT value FROM checkpoints WHERE name = $name;", ("$name", name)) is string, $"the killed run had not moved the checkpoint {name}");

    /// <summary>The checkpoint's value in the state file, once it is there (polled: the live runner writes it in its own time).</summary>
    private static async Task<string?> CheckpointAsync(string state, string name)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < Patience)
        {
            if (File.Exists(state) && Read(state, "SELECT value FROM checkpoints WHERE name = $name;", ("$name", name)) is string value) return value;
            await Task.Delay(50);
        }
        Assert.Fail($"The checkpoint {name} was not written within {Patience.TotalSeconds} s.");
        return null;
    }

    private static int QueuedJobs(string state, string status, string? targetType) => Convert.ToInt32(
        Read(state, "SELECT COUNT(*) FROM work_queue WHERE status = $status AND ($target IS NULL OR target_type = $target);", ("$status", status), ("$target", targetType)),
        System.Globalization.CultureInfo.InvariantCulture);

    private static string[] PendingNumbers(string state, string targetType)
    {
        using var connection = OpenReadOnly(state);
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT source_number FROM work_queue WHERE status = 'Pending' AND target_type = $target;";
        command.Parameters.AddWithValue("$target", targetType);
        using var reader = command.ExecuteReader();
        var numbers = new List<string>();
        while (reader.Read()) numbers.Add(reader.GetString(0));
        return numbers.ToArray();
    }

    private static SqliteConnection OpenReadOnly(string state)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = state, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        connection.Open();
        return connection;
    }

    /// <summary>One value read from the state file, read-only, without the engine in between.</summary>
    private static object? Read(string state, string sql, params (string Name, object? Value)[] parameters)
    {
        using var connection = OpenReadOnly(state);
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        try
        {
            return command.ExecuteScalar();
        }
        catch (SqliteException) when (!sql.Contains("work_queue", StringComparison.Ordinal))
        {
            return null; // the table is not there yet
        }
    }

    public sealed record MarketoRecords(Dictionary<string, Dictionary<string, string?>> Companies, Dictionary<string, Dictionary<string, string?>> Leads);

    /// <summary>Companies by externalCompanyId and leads by normalized email, with their field values (not ids or timestamps). Asserts no duplicates.</summary>
    private static MarketoRecords MarketoState(SandboxHost host)
    {
        string[] volatileFields = ["id", "createdAt", "updatedAt"];
        var companies = host.Marketo.Companies();
        Assert.Equal(companies.Count, companies.Select(c => c.ExternalCompanyId).Distinct(StringComparer.OrdinalIgnoreCase).Count());
        var leads = host.Marketo.Leads();
        var emails = leads.Select(l => EmailRules.Normalize(l.Fields["email"]!)).ToList();
        Assert.Equal(emails.Count, emails.Distinct(StringComparer.Ordinal).Count());
        return new(
            companies.ToDictionary(c => c.ExternalCompanyId, c => c.Fields.Where(f => !volatileFields.Contains(f.Key)).ToDictionary(f => f.Key, f => f.Value)),
            leads.ToDictionary(l => EmailRules.Normalize(l.Fields["email"]!), l => l.Fields.Where(f => !volatileFields.Contains(f.Key)).ToDictionary(f => f.Key, f => f.Value)));
    }

    /// <summary>What an undisturbed run leaves in Marketo, taken once for the class.</summary>
    public sealed class Undisturbed : IAsyncLifetime
    {
        private MarketoRecords? _expected;

        public MarketoRecords Expected => _expected ?? throw new InvalidOperationException("The undisturbed run has not been made.");

        public async Task InitializeAsync()
        {
            var work = Directory.CreateTempSubdirectory("mlc-calm-").FullName;
            try
            {
                await using var host = await SandboxHost.StartAsync(new SandboxOptions { Customers = Customers, Seed = 7 });
                using (var run = Runner.Start(host, work, 1, []))
                {
                    await run.FinishedAsync();
                }
                _expected = MarketoState(host);
                Assert.NotEmpty(_expected.Companies);
                Assert.True(_expected.Leads.Count > 300, $"{_expected.Leads.Count} leads: more than one batch is needed for a batch to be in flight while another is not");
            }
            finally
            {
                try { Directory.Delete(work, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            }
        }

        public Task DisposeAsync() => Task.CompletedTask;
    }

    /// <summary>One runner process against the sandbox, its stdout read line by line (a --pause-at line, then the summary).</summary>
    private sealed class Runner : IDisposable
    {
        private readonly Process _process;
        private readonly Task<string> _error;
        private readonly Task<List<string>> _lines;
        private readonly TaskCompletionSource<JsonElement> _paused = new(TaskCreationOptions.RunContinuationsAsynchronously);

        private Runner(Process process)
        {
            _process = process;
            _error = process.StandardError.ReadToEndAsync();
            _lines = ReadLinesAsync();
        }

        public static Runner Start(SandboxHost host, string work, int concurrency, string[] extra)
        {
            var ready = Path.Combine(work, "sandbox.json");
            File.WriteAllText(ready, ReadyLine(host));
            var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            // A killed run keeps its lease on the pair until it expires: short leases, and the next run waits them out.
            info.Environment[SyncLeaseOptions.DurationVariable] = "2";
            foreach (var argument in new[] { SyncRunnerProcess.Path(), "sync", "--sandbox-json", ready, "--state", Path.Combine(work, "state.db"), "--audit", Path.Combine(work, "audit"),
                         "--lease-timeout", "30", "--max-concurrency", concurrency.ToString(System.Globalization.CultureInfo.InvariantCulture) }.Concat(extra))
                info.ArgumentList.Add(argument);
            return new Runner(Process.Start(info)!);
        }

        /// <summary>What <paramref name="point"/> yields, unless the runner ends (or time runs out) first.</summary>
        public async Task<T> UntilAsync<T>(Task<T> point)
        {
            var ended = _process.WaitForExitAsync();
            var first = await Task.WhenAny(point, ended, Task.Delay(Patience));
            if (first == point) return await point;
            if (first == ended) Assert.Fail($"The runner ended (exit {_process.ExitCode}) before reaching the kill point: {await _error}");
            Assert.Fail($"The runner did not reach the kill point within {Patience.TotalSeconds} s.");
            throw new InvalidOperationException();
        }

        public Task<JsonElement> PausedAsync() => _paused.Task;

        /// <summary>SIGKILLs the runner and returns the sandbox-clock moment just before the kill.</summary>
        public DateTimeOffset Kill(SandboxHost host)
        {
            var at = host.Clock.GetUtcNow();
            _process.Kill(entireProcessTree: true);
            Assert.True(_process.WaitForExit(TimeSpan.FromSeconds(30)), "the killed runner did not go");
            return at;
        }

        public async Task<JsonElement> FinishedAsync()
        {
            using var timeout = new CancellationTokenSource(Patience);
            await _process.WaitForExitAsync(timeout.Token);
            var lines = await _lines;
            Assert.True(_process.ExitCode == 0, $"runner exit {_process.ExitCode}: {await _error}");
            return JsonDocument.Parse(lines.Last()).RootElement.Clone();
        }

        private async Task<List<string>> ReadLinesAsync()
        {
            var lines = new List<string>();
            while (await _process.StandardOutput.ReadLineAsync() is { } line)
            {
                if (line.Length == 0) continue;
                lines.Add(line);
                var json = JsonDocument.Parse(line).RootElement.Clone();
                if (json.TryGetProperty("paused", out _)) _paused.TrySetResult(json);
            }
            return lines;
        }

        public void Dispose()
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
            _process.Dispose();
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
    }
}
