using MlConnector.Engine.Mapping;
using MlConnector.Engine.Sync;
using MlConnector.Engine.Sync.BcToMarketo;
using MlConnector.Engine.Tests.BusinessCentral;

namespace MlConnector.Engine.Tests.Sync;

/// <summary>A Delete Leads batch mixing a lead whose Marketo id is kept with a bulk-imported one looked up by email deletes both.</summary>
public sealed class MixedDeleteBatchTests
{
    private static readonly MappingSet DeleteLead = MappingLoader.FromUserJson("""{ "lead": { "whenPrivacyBlocked": "DeleteLead" } }""");

    [Fact]
    public async Task A_lead_with_a_kept_id_and_a_bulk_imported_lead_in_one_delete_batch_are_both_deleted()
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 10, o => o.Marketo.BulkImportRowsPerSecond = 5000,
            marketoSettings: s => s.BulkImportPollInterval = TimeSpan.FromMilliseconds(50));
        await BcSandbox.ToListAsync(sandbox.Sync(DeleteLead).RunAsync(new CustomerSyncRequest { BulkImportThreshold = 1 }, CancellationToken.None));
        var (withId, imported) = (sandbox.SolePersons()[0], sandbox.SolePersons()[1]);
        // Written again by REST: its Marketo id is kept now; the other's still is not.
        sandbox.Host.BusinessCentral.ModifyContactInUi(withId.Id, c => c.JobTitle = "Rewritten");
        Assert.Equal(SyncAction.Updated, Assert.Single(await sandbox.RunAsync(mapping: DeleteLead), r => r.SourceNumber == withId.Number).Action);
        var ids = (sandbox.Lead(withId.Email).Id, sandbox.Lead(imported.Email).Id);
        foreach (var contact in new[] { withId, imported }) sandbox.Host.BusinessCentral.ModifyContactInUi(contact.Id, c => c.PrivacyBlocked = true);

        var results = await sandbox.RunAsync(mapping: DeleteLead);

        Assert.Equal(SyncAction.Deleted, Assert.Single(results, r => r.SourceNumber == withId.Number).Action);
        Assert.Equal(SyncAction.Deleted, Assert.Single(results, r => r.SourceNumber == imported.Number).Action);
        Assert.Null(sandbox.Host.Marketo.Lead(ids.Item1));
        Assert.Null(sandbox.Host.Marketo.Lead(ids.Item2));
    }
}
