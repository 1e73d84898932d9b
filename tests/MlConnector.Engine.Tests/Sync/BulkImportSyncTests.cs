using System.Text.Json;
using MlConnector.Engine.Audit;
using MlConnector.Engine.Mapping;
using MlConnector.Engine.Marketo;
using MlConnector.Engine.State;
using MlConnector.Engine.Sync;
using MlConnector.Engine.Sync.BcToMarketo;
using MlConnector.Engine.Tests.BusinessCentral;
using MlConnector.Sandbox.Core;

namespace MlConnector.Engine.Tests.Sync;

/// <summary>
/// Leads by Bulk Lead Import against the sandbox's import queue (real multipart uploads, status polls, failures and
/// warnings files): every lead lands once, companies go first by REST, failed rows end parked with Marketo's reason,
/// warned rows are audited with the warning, and a run stopped while an import ran is resumed by polling the stored
/// batch id — the sandbox journal shows one upload of the file. Waits are on journal events, not on time.
/// </summary>
public sealed class BulkImportSyncTests
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(50);

    [Fact]
    public async Task A_bulk_run_writes_companies_by_rest_first_and_puts_every_lead_in_marketo_once()
    {
        await using var sandbox = await StartAsync(rowsPerSecond: 5000);

        var results = await RunAsync(sandbox, "bulk-run", threshold: 1);

        var journal = sandbox.Host.Journal.For(SandboxService.Marketo);
        var uploads = journal.Where(IsUpload).ToList();
        Assert.NotEmpty(uploads);
        Assert.DoesNotContain(journal, e => e.Method == "POST" && e.Path.StartsWith("/rest/v1/leads.json", StringComparison.Ordinal) && !e.Path.Contains("_method=GET", StringComparison.Ordinal));
        var lastCompanyWrite = journal.Where(e => e.Method == "POST" && e.Path.StartsWith("/rest/v1/companies.json", StringComparison.Ordinal)).Max(e => e.Completed);
        Assert.All(uploads, u => Assert.True(u.Started >= lastCompanyWrite, "a lead file went before every company was written"));

        var (companies, emails) = sandbox.Expected();
        Assert.All(emails, e => Assert.Single(sandbox.Host.Marketo.LeadsByEmail(e)));
        Assert.All(companies, n => Assert.NotNull(sandbox.Host.Marketo.CompanyByExternalId(n)));
        var leads = results.Where(r => r.TargetType == MarketoRecord.Lead && r.Action != SyncAction.Skipped).ToList();
        Assert.Equal(emails.Order(StringComparer.Ordinal), leads.Select(r => r.TargetKey!.ToLowerInvariant()).Order(StringComparer.Ordinal));
        Assert.All(leads, r => Assert.Equal(SyncAction.Created, r.Action));
        Assert.Equal(0, sandbox.State.Queue(SyncDirection.BcToMarketo).Count(QueuedJobStatus.Pending));
        Assert.Empty(sandbox.State.BulkImports.Open());
        // One audit line and one record state per lead.
        var audit = new AuditLogReader(sandbox.Audit.Folder).Read(new AuditQuery { CorrelationId = "bulk-run" }).ToList();
        Assert.Equal(results.Count, audit.Count);
        var states = sandbox.State.Records(SyncDirection.BcToMarketo).Get(emails.Select(e => "Lead:" + e));
        Assert.Equal(emails.Count, states.Count);

        // A second run finds nothing changed: no import, no write.
        var uploadsBefore = sandbox.Host.Journal.For(SandboxService.Marketo).Count(IsUpload);
        Assert.Empty(await RunAsync(sandbox, "bulk-again", threshold: 1));
        Assert.Equal(uploadsBefore, sandbox.Host.Journal.For(SandboxService.Marketo).Count(IsUpload));
    }

    [Fact]
    public async Task Two_queued_jobs_for_one_email_never_go_in_one_file_or_two_imports_at_once_and_both_are_written()
    {
        await using var sandbox = await StartAsync(rowsPerSecond: 5000);
        var email = sandbox.Expected().LeadEmails.Order(StringComparer.Ordinal).First();
        var now = sandbox.Host.Clock.GetUtcNow();
        sandbox.State.Queue(SyncDirection.BcToMarketo).Enqueue([new QueuedJob("Contact:TWIN1", MarketoRecord.Lead, "Contact", "TWIN1",
            JsonSerializer.Serialize(new { Key = email, Hash = "twin", Fields = new Dictionary<string, object?> { ["email"] = email, ["title"] = "Twin" } }),
            QueuedJobStatus.Pending, 0, null, now, now)], now);

        var results = await RunAsync(sandbox, "bulk-twins", threshold: 1);

        Assert.Single(sandbox.Host.Marketo.LeadsByEmail(email));
        Assert.Contains(results, r => r.SourceNumber == "TWIN1" && r.Action is SyncAction.Created or SyncAction.Updated);
        Assert.Equal(2, results.Count(r => r.TargetKey?.ToLowerInvariant() == email && r.Action is SyncAction.Created or SyncAction.Updated));
        Assert.Equal(0, sandbox.State.Queue(SyncDirection.BcToMarketo).Count(QueuedJobStatus.Pending));
        // The twin's file went after the other file's import had finished: one import of the email at a time.
        var imports = sandbox.Host.Marketo.Imports.Snapshot(sandbox.Host.Clock.GetUtcNow()).Where(j => j.Rows.Any(r => r.Contains(email))).ToList();
        Assert.Equal(2, imports.Count);
        Assert.True(imports[1].StartedAt >= imports[0].FinishedAt, "two imports holding one email ran at the same time");
    }

    [Fact]
    public async Task Below_the_threshold_leads_go_by_rest()
    {
        await using var sandbox = await StartAsync(rowsPerSecond: 5000);

        var results = await RunAsync(sandbox, "rest-run", threshold: 100_000);

        Assert.DoesNotContain(sandbox.Host.Journal.For(SandboxService.Marketo), IsUpload);
        Assert.Contains(sandbox.MarketoWrites(), e => e.Path.StartsWith("/rest/v1/leads.json", StringComparison.Ordinal));
        Assert.All(sandbox.Expected().LeadEmails, e => Assert.Single(sandbox.Host.Marketo.LeadsByEmail(e)));
        Assert.Contains(results, r => r.TargetType == MarketoRecord.Lead && r.Action == SyncAction.Created);
    }

    [Fact]
    public async Task Failed_rows_end_parked_with_marketos_reason_and_warned_rows_are_audited_with_the_warning()
    {
        await using var sandbox = await StartAsync(rowsPerSecond: 5000);
        // Two leads already in Marketo twice: an import row for that email matches both (1007) and fails.
        var duplicated = sandbox.Expected().LeadEmails.Order(StringComparer.Ordinal).Take(2).ToList();
        foreach (var email in duplicated)
            for (var i = 0; i < 2; i++)
                await sandbox.Marketo.SyncLeadsAsync([new Dictionary<string, object?> { ["email"] = email }], MarketoSyncAction.CreateDuplicate, "email", CancellationToken.None);
        // Two queued leads that link to a company Marketo does not have: imported with a warning.
        var now = sandbox.Host.Clock.GetUtcNow();
        var unlinked = new[] { "NOCO1", "NOCO2" };
        sandbox.State.Queue(SyncDirection.BcToMarketo).Enqueue(unlinked.Select(n => new QueuedJob("Contact:" + n, MarketoRecord.Lead, "Contact", n,
            JsonSerializer.Serialize(new { Key = n.ToLowerInvariant() + "@nowhere.example", Hash = "h-" + n, Fields = new Dictionary<string, object?>
            {
                ["email"] = n.ToLowerInvariant() + "@nowhere.example", ["lastName"] = "Unlinked", ["externalCompanyId"] = "NO-SUCH-" + n,
            } }), QueuedJobStatus.Pending, 0, null, now, now)), now);

        var results = await RunAsync(sandbox, "bulk-failures", threshold: 1);

        var failed = results.Where(r => r.Action == SyncAction.Failed).ToList();
        Assert.Equal(duplicated, failed.Select(r => r.TargetKey!.ToLowerInvariant()).Order(StringComparer.Ordinal));
        Assert.All(failed, r => Assert.Contains("Multiple leads match the lookup criteria", r.Reason, StringComparison.Ordinal));
        var parked = sandbox.State.Queue(SyncDirection.BcToMarketo).Take(QueuedJobStatus.Parked, MarketoRecord.Lead, 10);
        Assert.Equal(failed.Select(r => r.SourceNumber).Order(StringComparer.Ordinal), parked.Select(j => j.SourceNumber).Order(StringComparer.Ordinal));
        Assert.All(parked, j => Assert.Contains("Multiple leads match the lookup criteria", j.LastError, StringComparison.Ordinal));

        var audit = new AuditLogReader(sandbox.Audit.Folder).Read(new AuditQuery { CorrelationId = "bulk-failures" }).ToList();
        Assert.Equal(results.Count, audit.Count);
        Assert.All(failed, r => Assert.Contains(audit, a => a.SourceNumber == r.SourceNumber && a.Action == "Failed" && a.Reason == r.Reason));
        foreach (var number in unlinked)
        {
            var line = Assert.Single(audit, a => a.SourceNumber == number);
            Assert.Equal("Created", line.Action);
            Assert.Contains("warning", line.Reason, StringComparison.Ordinal);
            Assert.Contains("NO-SUCH-" + number, line.Reason, StringComparison.Ordinal);
            Assert.Single(sandbox.Host.Marketo.LeadsByEmail(number.ToLowerInvariant() + "@nowhere.example"));
        }
        // A failed row changed nothing and keeps no record state; a warned row was written and does.
        Assert.All(failed, r => Assert.Empty(r.ChangedFields));
        Assert.All(results.Where(r => unlinked.Contains(r.SourceNumber)), r => Assert.Contains("externalCompanyId", r.ChangedFields));
        var states = sandbox.State.Records(SyncDirection.BcToMarketo).Get(duplicated.Concat(unlinked.Select(n => n.ToLowerInvariant() + "@nowhere.example")).Select(e => "Lead:" + e));
        Assert.Equal(unlinked.Select(n => "Lead:" + n.ToLowerInvariant() + "@nowhere.example"), states.Keys.Order(StringComparer.Ordinal));
        Assert.All(states.Values, s => Assert.NotEmpty(s.FieldHashes!));
        Assert.Equal(0, sandbox.State.Queue(SyncDirection.BcToMarketo).Count(QueuedJobStatus.Pending));
        Assert.All(sandbox.Expected().LeadEmails.Except(duplicated), e => Assert.Single(sandbox.Host.Marketo.LeadsByEmail(e)));
    }

    [Fact]
    public async Task A_run_stopped_while_its_import_runs_is_resumed_by_polling_the_stored_batch_without_importing_the_file_again()
    {
        // Slow enough that the import is still running when the first status poll comes back.
        await using var sandbox = await StartAsync(rowsPerSecond: 2);
        await StopWhileImportingAsync(sandbox, "stopped");

        // The leads went as two files (one per import slot), both accepted and stored, both still importing.
        var open = sandbox.State.BulkImports.Open();
        Assert.NotEmpty(open);
        var uploads = sandbox.Host.Journal.For(SandboxService.Marketo).Where(IsUpload).ToList();
        var importing = sandbox.Host.Marketo.Imports.Snapshot(sandbox.Host.Clock.GetUtcNow());
        Assert.Equal(importing.Select(j => (long)j.BatchId), open.Select(b => b.BatchId));
        Assert.Equal(uploads.Count, open.Count);
        Assert.All(importing, j => Assert.True(j.Running, "an import finished before the run was stopped; the test proves nothing"));
        Assert.DoesNotContain(new AuditLogReader(sandbox.Audit.Folder).Read(new AuditQuery { CorrelationId = "stopped" }), a => a.TargetType == MarketoRecord.Lead && a.Action != "Skipped");
        var pollsBefore = sandbox.Host.Journal.For(SandboxService.Marketo).Count(IsStatusPoll);

        // The next run (a new connection, as a new process would make) with Marketo importing quickly again.
        sandbox.Host.Marketo.Options.BulkImportRowsPerSecond = 5000;
        using var marketo = await sandbox.ConnectMarketoAsync(s => s.BulkImportPollInterval = Poll);
        var results = await BcSandbox.ToListAsync(sandbox.Sync(correlationId: "resumed", marketo: marketo)
            .RunAsync(new CustomerSyncRequest { BulkImportThreshold = 1 }, CancellationToken.None));

        var journal = sandbox.Host.Journal.For(SandboxService.Marketo);
        Assert.Equal(uploads, journal.Where(IsUpload));
        Assert.Equal(open.Count, sandbox.Host.Marketo.Imports.Snapshot(sandbox.Host.Clock.GetUtcNow()).Count);
        Assert.All(open, b => Assert.Contains(journal.Where(IsStatusPoll).Skip(pollsBefore), e => e.Path.Contains($"/batch/{b.BatchId}.json", StringComparison.Ordinal)));
        Assert.Empty(sandbox.State.BulkImports.Open());
        var (_, emails) = sandbox.Expected();
        Assert.All(emails, e => Assert.Single(sandbox.Host.Marketo.LeadsByEmail(e)));
        Assert.Equal(emails.Order(StringComparer.Ordinal),
            results.Where(r => r.TargetType == MarketoRecord.Lead).Select(r => r.TargetKey!.ToLowerInvariant()).Order(StringComparer.Ordinal));
        Assert.Equal(0, sandbox.State.Queue(SyncDirection.BcToMarketo).Count(QueuedJobStatus.Pending));
        var audit = new AuditLogReader(sandbox.Audit.Folder).Read(new AuditQuery()).Where(a => a.TargetType == MarketoRecord.Lead && a.Action != "Skipped").ToList();
        Assert.Equal(emails.Count, audit.Count);
    }

    [Fact]
    public async Task Resuming_stored_imports_imports_no_lead_left_pending_outside_them_before_the_next_pass_reads_bc()
    {
        await using var sandbox = await StartAsync(rowsPerSecond: 2);
        await StopWhileImportingAsync(sandbox, "stopped");
        const string email = "left.pending@resume-test.example";
        var now = sandbox.Host.Clock.GetUtcNow();
        sandbox.State.Queue(SyncDirection.BcToMarketo).Enqueue([new QueuedJob("Contact:LEFT1", MarketoRecord.Lead, "Contact", "LEFT1",
            JsonSerializer.Serialize(new { Key = email, Hash = "left", Fields = new Dictionary<string, object?> { ["email"] = email } }),
            QueuedJobStatus.Pending, 0, null, now, now)], now);
        var stoppedAt = sandbox.Host.Journal.For(SandboxService.Marketo).Max(e => e.Sequence);

        sandbox.Host.Marketo.Options.BulkImportRowsPerSecond = 5000;
        using var marketo = await sandbox.ConnectMarketoAsync(s => s.BulkImportPollInterval = Poll);
        await BcSandbox.ToListAsync(sandbox.Sync(correlationId: "resumed", marketo: marketo).RunAsync(new CustomerSyncRequest { BulkImportThreshold = 1 }, CancellationToken.None));

        var firstBcRead = sandbox.Host.Journal.For(SandboxService.BusinessCentral).Where(e => e.Sequence > stoppedAt).Min(e => e.Sequence);
        var upload = Assert.Single(sandbox.Host.Journal.For(SandboxService.Marketo), e => IsUpload(e) && e.Sequence > stoppedAt);
        Assert.True(upload.Sequence > firstBcRead, "a lead outside the stored imports was imported while they were resumed");
        Assert.Single(sandbox.Host.Marketo.LeadsByEmail(email));
    }

    /// <summary>Runs a bulk sync and stops it at its first import status poll: by then the accepted imports are stored in the pair's state.</summary>
    internal static async Task StopWhileImportingAsync(SyncSandbox sandbox, string correlationId)
    {
        using var stop = new CancellationTokenSource();
        var watcher = Task.Run(async () =>
        {
            while (!sandbox.Host.Journal.For(SandboxService.Marketo).Any(IsStatusPoll)) await Task.Delay(10);
            await stop.CancelAsync();
        });
        var run = sandbox.Sync(correlationId: correlationId).RunAsync(new CustomerSyncRequest { BulkImportThreshold = 1 }, stop.Token);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => { await foreach (var _ in run) { } });
        await watcher;
    }

    internal static bool IsUpload(JournalEntry e) => e.Method == "POST" && e.Path.StartsWith("/bulk/v1/leads.json", StringComparison.Ordinal);

    internal static bool IsStatusPoll(JournalEntry e) => e.Method == "GET" && e.Path.StartsWith("/bulk/v1/leads/batch/", StringComparison.Ordinal)
        && !e.Path.Contains("failures", StringComparison.Ordinal) && !e.Path.Contains("warnings", StringComparison.Ordinal);

    private static Task<SyncSandbox> StartAsync(int rowsPerSecond)
        => SyncSandbox.StartAsync(customers: 40, configure: o => o.Marketo.BulkImportRowsPerSecond = rowsPerSecond, marketoSettings: s => s.BulkImportPollInterval = Poll);

    private static async Task<List<SyncResult>> RunAsync(SyncSandbox sandbox, string correlationId, int threshold)
        => await BcSandbox.ToListAsync(sandbox.Sync(correlationId: correlationId).RunAsync(new CustomerSyncRequest { BulkImportThreshold = threshold }, CancellationToken.None));
}
