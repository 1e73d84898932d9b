using MlConnector.Engine.Mapping;
using MlConnector.Engine.Marketo;
using MlConnector.Engine.State;
using MlConnector.Engine.Sync;
using MlConnector.Engine.Sync.BcToMarketo;
using MlConnector.Engine.Tests.BusinessCentral;
using MlConnector.Sandbox.Core;

namespace MlConnector.Engine.Tests.Sync;

/// <summary>
/// The write side of BC → Marketo: Delete Leads answers matched to their own record, leads queued without a Marketo
/// id looked up by email, a lead Marketo no longer has kept as done, companies Marketo refuses under CRM sync kept as
/// skipped, and the verbose line that tells each batch with its request ids.
/// </summary>
public sealed class MarketoWriterTests
{
    private static readonly MappingSet DeleteLead = MappingLoader.FromUserJson("""{ "lead": { "whenPrivacyBlocked": "DeleteLead" } }""");

    [Fact]
    public async Task Two_leads_deleted_in_one_call_each_get_their_own_answer_and_a_lead_already_gone_is_kept_as_done()
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 10);
        await sandbox.RunAsync(mapping: DeleteLead);
        var (kept, gone) = (sandbox.SolePersons()[0], sandbox.SolePersons()[1]);
        var (keptId, goneId) = (sandbox.Lead(kept.Email).Id, sandbox.Lead(gone.Email).Id);
        Assert.True(sandbox.Host.Marketo.MarketingDelete(goneId));
        foreach (var contact in new[] { kept, gone }) sandbox.Host.BusinessCentral.ModifyContactInUi(contact.Id, c => c.PrivacyBlocked = true);
        sandbox.Host.Journal.Clear();
        sandbox.Log.Lines.Clear();

        var results = await sandbox.RunAsync(mapping: DeleteLead);

        Assert.Single(sandbox.Host.Journal.For(SandboxService.Marketo), e => e.Path.StartsWith("/rest/v1/leads/delete.json", StringComparison.Ordinal));
        var deleted = Assert.Single(results, r => r.SourceNumber == kept.Number);
        Assert.Equal((SyncAction.Deleted, SyncReasons.PrivacyBlocked, keptId), (deleted.Action, deleted.Reason, deleted.MarketoId));
        var skipped = Assert.Single(results, r => r.SourceNumber == gone.Number);
        Assert.Equal((SyncAction.Skipped, SyncReasons.PrivacyBlocked, goneId), (skipped.Action, skipped.Reason, skipped.MarketoId));
        Assert.Empty(sandbox.Host.Marketo.LeadsByEmail(kept.Email));
        Assert.Equal(0, sandbox.State.Queue(SyncDirection.BcToMarketo).Count(QueuedJobStatus.Parked));
        Assert.Contains($"VERBOSE Sent 2 lead record(s) to Marketo (requestId {deleted.RequestId}): 1 skipped, 1 deleted.", sandbox.Log.Lines);

        // Both done: the next change of either contact sends nothing.
        sandbox.Host.Journal.Clear();
        sandbox.Host.BusinessCentral.ModifyContactInUi(gone.Id, c => c.JobTitle = "Changed");
        Assert.Equal(SyncAction.Skipped, Assert.Single(await sandbox.RunAsync(mapping: DeleteLead), r => r.SourceNumber == gone.Number).Action);
        Assert.Empty(sandbox.MarketoWrites());
    }

    [Fact]
    public async Task A_lead_whose_email_marketing_changed_is_deleted_by_its_id()
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 10);
        await sandbox.RunAsync(mapping: DeleteLead);
        var contact = sandbox.SolePersons()[0];
        var leadId = sandbox.Lead(contact.Email).Id;
        sandbox.Host.Marketo.MarketingEdit(leadId, new Dictionary<string, string?> { ["email"] = "renamed.by.marketing@example.com" });
        sandbox.Host.BusinessCentral.ModifyContactInUi(contact.Id, c => c.PrivacyBlocked = true);

        var results = await sandbox.RunAsync(mapping: DeleteLead);

        var deleted = Assert.Single(results, r => r.SourceNumber == contact.Number);
        Assert.Equal((SyncAction.Deleted, leadId), (deleted.Action, deleted.MarketoId));
        Assert.Null(sandbox.Host.Marketo.Lead(leadId));
    }

    [Fact]
    public async Task A_bulk_imported_lead_has_no_id_kept_and_is_found_by_its_email_to_be_deleted()
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 10, o => o.Marketo.BulkImportRowsPerSecond = 5000,
            marketoSettings: s => s.BulkImportPollInterval = TimeSpan.FromMilliseconds(50));
        await BcSandbox.ToListAsync(sandbox.Sync(DeleteLead).RunAsync(new CustomerSyncRequest { BulkImportThreshold = 1 }, CancellationToken.None));
        var contact = sandbox.SolePersons()[0];
        var leadId = sandbox.Lead(contact.Email).Id;
        Assert.Empty(sandbox.State.Links.ByBcNumber(LinkKind.Contact, [contact.Number]));
        sandbox.Host.BusinessCentral.ModifyContactInUi(contact.Id, c => c.PrivacyBlocked = true);

        var results = await sandbox.RunAsync(mapping: DeleteLead);

        var deleted = Assert.Single(results, r => r.SourceNumber == contact.Number);
        Assert.Equal((SyncAction.Deleted, SyncReasons.PrivacyBlocked, leadId), (deleted.Action, deleted.Reason, deleted.MarketoId));
        Assert.Null(sandbox.Host.Marketo.Lead(leadId));
    }

    [Fact]
    public async Task A_bulk_imported_lead_marketing_deleted_is_kept_as_done_without_a_delete_call_or_a_request_id()
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 10, o => o.Marketo.BulkImportRowsPerSecond = 5000,
            marketoSettings: s => s.BulkImportPollInterval = TimeSpan.FromMilliseconds(50));
        await BcSandbox.ToListAsync(sandbox.Sync(DeleteLead).RunAsync(new CustomerSyncRequest { BulkImportThreshold = 1 }, CancellationToken.None));
        var contact = sandbox.SolePersons()[0];
        Assert.True(sandbox.Host.Marketo.MarketingDelete(sandbox.Lead(contact.Email).Id));
        sandbox.Host.BusinessCentral.ModifyContactInUi(contact.Id, c => c.PrivacyBlocked = true);
        sandbox.Host.Journal.Clear();
        sandbox.Log.Lines.Clear();

        var results = await sandbox.RunAsync(mapping: DeleteLead);

        var skipped = Assert.Single(results, r => r.SourceNumber == contact.Number);
        Assert.Equal((SyncAction.Skipped, SyncReasons.PrivacyBlocked, null), (skipped.Action, skipped.Reason, skipped.RequestId));
        Assert.DoesNotContain(sandbox.Host.Journal.For(SandboxService.Marketo), e => e.Path.StartsWith("/rest/v1/leads/delete.json", StringComparison.Ordinal));
        Assert.Contains("VERBOSE Sent 1 lead record(s) to Marketo (requestId -): 1 skipped.", sandbox.Log.Lines);
        Assert.Equal(0, sandbox.State.Queue(SyncDirection.BcToMarketo).Count(QueuedJobStatus.Parked));
    }

    [Fact]
    public async Task Companies_marketo_refuses_for_crm_sync_after_the_probe_are_skipped_and_remembered_as_crm_skipped()
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 3);
        // The first companies POST is the run's writability probe; the refusal comes with the first real write.
        sandbox.Host.Faults.Add(new FaultRule { Service = SandboxService.Marketo, PathContains = "companies.json", Method = "POST", NthCall = 2, ErrorCode = MarketoErrorCodes.CrmEnabled });

        var results = await sandbox.RunAsync();

        var companies = results.Where(r => r.TargetType == MarketoRecord.Company).ToList();
        Assert.Equal(3, companies.Count);
        Assert.All(companies, r => Assert.Equal((SyncAction.Skipped, SyncReasons.CrmSyncEnabled), (r.Action, r.Reason)));
        var states = sandbox.State.Records(SyncDirection.BcToMarketo).Get(companies.Select(r => MarketoRecord.Company + ":" + r.TargetKey));
        Assert.Equal(3, states.Count);
        Assert.All(states.Values, s => Assert.StartsWith(BcToMarketoPlanner.CrmSkippedPrefix, s.ContentHash, StringComparison.Ordinal));
        Assert.Equal(0, sandbox.State.Queue(SyncDirection.BcToMarketo).Count(QueuedJobStatus.Parked));
        var requestId = Assert.Single(companies.Select(r => r.RequestId).Distinct());
        Assert.Contains($"VERBOSE Sent 3 company record(s) to Marketo (requestId {requestId}): 3 skipped.", sandbox.Log.Lines);
    }

    [Fact]
    public async Task A_lead_batch_of_an_update_and_an_unsubscribe_goes_in_two_calls_and_tells_both_request_ids()
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 10);
        await sandbox.RunAsync();
        var (changed, blocked) = (sandbox.SolePersons()[0], sandbox.SolePersons()[1]);
        sandbox.Host.BusinessCentral.ModifyContactInUi(changed.Id, c => c.JobTitle = "Changed");
        sandbox.Host.BusinessCentral.ModifyContactInUi(blocked.Id, c => c.PrivacyBlocked = true);
        sandbox.Log.Lines.Clear();

        var results = await sandbox.RunAsync();

        var updated = Assert.Single(results, r => r.SourceNumber == changed.Number);
        var unsubscribed = Assert.Single(results, r => r.SourceNumber == blocked.Number);
        Assert.Equal((SyncAction.Updated, SyncAction.Updated), (updated.Action, unsubscribed.Action));
        Assert.NotEqual(updated.RequestId, unsubscribed.RequestId);
        var told = "VERBOSE Sent 2 lead record(s) to Marketo (requestId {0}, {1}): 2 updated.";
        Assert.Contains(sandbox.Log.Lines, l => l == string.Format(told, updated.RequestId, unsubscribed.RequestId) || l == string.Format(told, unsubscribed.RequestId, updated.RequestId));
    }

    [Fact]
    public async Task A_lead_marketo_refuses_fails_with_marketos_code_and_message_and_is_parked()
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 10);
        // A date field filled from a city: Marketo refuses each lead with a city (1001).
        var bad = MappingLoader.FromUserJson("""{ "lead": { "fields": { "dateOfBirth": "City" } } }""");

        var results = await sandbox.RunAsync(mapping: bad);

        var failed = results.First(r => r.Action == SyncAction.Failed);
        var city = sandbox.Host.BusinessCentral.Store.ContactByNumber(failed.SourceNumber)!.City;
        Assert.Equal($"1001 Invalid value '{city}'. Required of type 'date'", failed.Reason);
        Assert.Equal(results.Count(r => r.Action == SyncAction.Failed), sandbox.State.Queue(SyncDirection.BcToMarketo).Count(QueuedJobStatus.Parked));
    }
}
