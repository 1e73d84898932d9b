using MlConnector.Engine.Mapping;
using MlConnector.Engine.Marketo;
using MlConnector.Engine.State;
using MlConnector.Engine.Sync;
using MlConnector.Engine.Sync.BcToMarketo;
using MlConnector.Engine.Tests.BusinessCentral;
using MlConnector.Sandbox.Core;

namespace MlConnector.Engine.Tests.Sync;

/// <summary>
/// What a BC → Marketo run leaves behind it: a replay plans parked companies and leads again whatever their hashes say,
/// CRM-skipped companies are remembered, a financial refresh moves its checkpoint, a bulk threshold met exactly sends
/// leads by Bulk Lead Import, and the Marketo calls of a run that sends nothing are still counted in the pair's state.
/// </summary>
public sealed class CustomerToMarketoSyncTests
{
    [Fact]
    public async Task A_replay_sends_parked_companies_and_leads_again_though_their_hashes_say_marketo_has_them()
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 3);
        var first = await sandbox.RunAsync();
        var company = first.First(r => r.TargetType == MarketoRecord.Company && r.Action == SyncAction.Created);
        var lead = first.First(r => r.TargetType == MarketoRecord.Lead && r.Action == SyncAction.Created);
        var queue = sandbox.State.Queue(SyncDirection.BcToMarketo);
        var now = sandbox.Host.Clock.GetUtcNow();
        queue.Enqueue([Job(company, now), Job(lead, now)], now);
        queue.Park(queue.Take(QueuedJobStatus.Pending, null, 10).Select(j => (j, "1003 refused")), now);

        var replayed = await BcSandbox.ToListAsync(sandbox.Sync().ReplayAsync(null, CancellationToken.None));

        Assert.Equal(SyncAction.Updated, Assert.Single(replayed, r => r.SourceNumber == company.SourceNumber).Action);
        Assert.Equal(SyncAction.Updated, Assert.Single(replayed, r => r.SourceNumber == lead.SourceNumber).Action);
        Assert.Equal(0, queue.Count(QueuedJobStatus.Parked));
        Assert.Contains("VERBOSE Replaying 2 parked record(s): each is planned again from Business Central and the current mapping.", sandbox.Log.Lines);
    }

    [Fact]
    public async Task Replayed_records_that_now_plan_as_skipped_leave_the_queue_with_that_reason_only()
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 3);
        // Blocked before it was ever sent: it plans as skipped, not as an unsubscribe.
        var contact = sandbox.SolePersons()[0];
        sandbox.Host.BusinessCentral.ModifyContactInUi(contact.Id, c => c.PrivacyBlocked = true);
        var company = (await sandbox.RunAsync()).First(r => r.TargetType == MarketoRecord.Company && r.Action == SyncAction.Created);
        var queue = sandbox.State.Queue(SyncDirection.BcToMarketo);
        var now = sandbox.Host.Clock.GetUtcNow();
        queue.Enqueue([Job(company, now), Job(MarketoRecord.Lead, "Contact", contact.Number, now)], now);
        queue.Park(queue.Take(QueuedJobStatus.Pending, null, 10).Select(j => (j, "1003 refused")), now);
        sandbox.Host.Marketo.Options.CrmSync = true;

        var replayed = await BcSandbox.ToListAsync(sandbox.Sync().ReplayAsync(null, CancellationToken.None));

        var crm = Assert.Single(replayed, r => r.SourceNumber == company.SourceNumber);
        Assert.Equal((SyncAction.Skipped, SyncReasons.CrmSyncEnabled), (crm.Action, crm.Reason));
        var blocked = Assert.Single(replayed, r => r.SourceNumber == contact.Number);
        Assert.Equal((SyncAction.Skipped, SyncReasons.PrivacyBlocked), (blocked.Action, blocked.Reason));
        Assert.Equal(0, queue.Count(QueuedJobStatus.Parked));
    }

    [Fact]
    public async Task A_replay_with_nothing_parked_calls_nothing()
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 3);
        await sandbox.RunAsync();
        var calls = sandbox.Host.Journal.For(SandboxService.Marketo).Count;

        Assert.Empty(await BcSandbox.ToListAsync(sandbox.Sync().ReplayAsync(null, CancellationToken.None)));

        Assert.Equal(calls, sandbox.Host.Journal.For(SandboxService.Marketo).Count);
    }

    [Fact]
    public async Task Records_of_named_customers_that_hashes_call_unchanged_are_compared_with_marketo_and_an_incremental_run_compares_none()
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 3);
        var company = (await sandbox.RunAsync()).First(r => r.TargetType == MarketoRecord.Company);
        sandbox.Host.Clock.Advance(TimeSpan.FromHours(1));
        const string compared = "unchanged record(s) of the named customers with Marketo: 0 differ there and are sent again.";

        await sandbox.RunAsync();
        Assert.DoesNotContain(sandbox.Log.Lines, l => l.Contains(compared, StringComparison.Ordinal));

        var named = await sandbox.RunAsync(new CustomerSyncRequest { CustomerNumbers = [company.SourceNumber] });
        Assert.All(named, r => Assert.Equal(SyncAction.Unchanged, r.Action));
        Assert.Contains(sandbox.Log.Lines, l => l.StartsWith("VERBOSE Compared ", StringComparison.Ordinal) && l.EndsWith(compared, StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_plan_shows_records_skipped_without_asking_marketo()
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 3, o => o.Marketo.CrmSync = true);

        var companies = (await sandbox.PlanAsync()).Where(r => r.TargetType == MarketoRecord.Company).ToList();

        Assert.Equal(sandbox.Expected().Companies.Count, companies.Count);
        Assert.All(companies, r => Assert.Equal((PlannedAction.Skip, SyncReasons.CrmSyncEnabled), (r.Action, r.Reason)));
    }

    [Fact]
    public async Task A_missing_request_is_refused_by_name()
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 0);
        var sync = sandbox.Sync();

        Assert.Equal("request", Assert.Throws<ArgumentNullException>(() => sync.RunAsync(null!, CancellationToken.None)).ParamName);
        var plan = await Assert.ThrowsAsync<ArgumentNullException>(async () => await BcSandbox.ToListAsync(sync.PlanAsync(null!, CancellationToken.None)));
        Assert.Equal("request", plan.ParamName);
    }

    [Fact]
    public async Task A_company_skipped_for_crm_sync_is_remembered_so_naming_it_again_finds_it_unchanged()
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 3, o => o.Marketo.CrmSync = true);
        var skipped = (await sandbox.RunAsync()).First(r => r.TargetType == MarketoRecord.Company);
        Assert.Equal((SyncAction.Skipped, SyncReasons.CrmSyncEnabled), (skipped.Action, skipped.Reason));

        var again = await sandbox.RunAsync(new CustomerSyncRequest { CustomerNumbers = [skipped.SourceNumber] });

        Assert.Equal(SyncAction.Unchanged, Assert.Single(again, r => r.TargetType == MarketoRecord.Company).Action);
    }

    [Fact]
    public async Task A_financial_refresh_moves_its_checkpoint_to_now_and_an_incremental_run_does_not()
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 3);
        await sandbox.RunAsync();
        var firstRun = sandbox.State.Checkpoints.Get(SyncCheckpoints.FinancialsRefreshed);

        sandbox.Host.Clock.Advance(TimeSpan.FromHours(1));
        await sandbox.RunAsync();
        Assert.Equal(firstRun, sandbox.State.Checkpoints.Get(SyncCheckpoints.FinancialsRefreshed));

        sandbox.Host.Clock.Advance(TimeSpan.FromHours(1));
        var refreshedAt = sandbox.Host.Clock.GetUtcNow();
        await sandbox.RunAsync(new CustomerSyncRequest { RefreshFinancials = true });
        Assert.True(sandbox.State.Checkpoints.Get(SyncCheckpoints.FinancialsRefreshed) >= refreshedAt);
    }

    [Fact]
    public async Task Leads_queued_exactly_as_many_as_the_bulk_threshold_go_by_bulk_lead_import()
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 5);
        var leads = (await sandbox.PlanAsync()).Count(r => r.TargetType == MarketoRecord.Lead && r.Action == PlannedAction.Create);
        Assert.True(leads > 0);

        await BcSandbox.ToListAsync(sandbox.Sync().RunAsync(new CustomerSyncRequest { BulkImportThreshold = leads }, CancellationToken.None));

        Assert.Contains(sandbox.Host.Journal.For(SandboxService.Marketo), BulkImportSyncTests.IsUpload);
        Assert.Contains($"VERBOSE {leads} leads queued (threshold {leads}): they go by Marketo's Bulk Lead Import.", sandbox.Log.Lines);
    }

    [Fact]
    public async Task The_calls_of_a_run_that_sends_nothing_are_counted_in_the_pairs_state()
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 3);
        await sandbox.RunAsync();
        var counted = Counted(sandbox);

        Assert.Empty(await sandbox.RunAsync());

        Assert.True(Counted(sandbox) > counted, "the second run made no Marketo call");
        Assert.Equal(Counted(sandbox), sandbox.State.MarketoCalls.Get(MarketoCentralTime.DateOf(sandbox.Host.Clock.GetUtcNow())));
    }

    [Fact]
    public async Task Companies_go_in_one_batch_once_every_customer_is_planned_not_a_partial_batch_per_chunk()
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 120);

        await sandbox.RunAsync(chunkSize: 50);

        var companyCalls = sandbox.Host.Marketo.Writes.Snapshot()
            .Where(c => c.Object == "company" && !c.Keys.All(k => k.StartsWith("mlconnector-probe-", StringComparison.Ordinal))).ToList();
        Assert.Equal(sandbox.Expected().Companies.Count, Assert.Single(companyCalls).Keys.Count);
    }

    [Fact]
    public async Task A_caller_that_stops_reading_early_leaves_nothing_sent_unsettled_so_the_next_run_sends_nothing_twice()
    {
        // A processing delay inside Marketo's gate, so batches are still in flight when the caller stops.
        await using var sandbox = await SyncSandbox.StartAsync(customers: 900, configure: o => o.Marketo.ProcessingDelay = TimeSpan.FromMilliseconds(100));

        await foreach (var result in sandbox.Sync(batchesInFlight: 5, chunkSize: 1000).RunAsync(new(), CancellationToken.None))
            if (result.Action == SyncAction.Created) break;
        await sandbox.RunAsync(batchesInFlight: 5, chunkSize: 1000);

        var written = sandbox.Host.Marketo.Writes.Snapshot().SelectMany(c => c.Keys.Select(k => (c.Object, k)))
            .Where(w => !w.k.StartsWith("mlconnector-probe-", StringComparison.Ordinal)).ToList();
        Assert.Equal(written.Count, written.Distinct().Count());
        var (companies, emails) = sandbox.Expected();
        Assert.Equal(companies.Count + emails.Count, written.Count);
    }

    private static QueuedJob Job(SyncResult sent, DateTimeOffset now) => Job(sent.TargetType, sent.SourceType, sent.SourceNumber, now);

    private static QueuedJob Job(string targetType, string sourceType, string sourceNumber, DateTimeOffset now)
        => new(sourceType + ":" + sourceNumber, targetType, sourceType, sourceNumber, "{}", QueuedJobStatus.Pending, 0, null, now, now);

    private static int Counted(SyncSandbox sandbox) => sandbox.Host.Journal.For(SandboxService.Marketo).Count(e => e.CountedAgainstLimits);
}
