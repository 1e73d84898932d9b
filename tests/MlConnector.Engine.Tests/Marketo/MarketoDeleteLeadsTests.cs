using MlConnector.Engine.Marketo;

namespace MlConnector.Engine.Tests.Marketo;

/// <summary>Delete Leads (shared/api/marketo.md §5.4): POST leads/delete.json with at most 300 ids a call, one result per id in input order.</summary>
public sealed class MarketoDeleteLeadsTests
{
    [Fact]
    public async Task Ids_go_in_calls_of_300_and_each_comes_back_deleted_or_skipped_as_not_found_in_input_order()
    {
        await using var test = await MarketoTestHost.StartAsync();
        var created = await test.Client.SyncLeadsAsync(MarketoTestHost.Leads(598, "gone"), MarketoSyncAction.CreateOnly, "email", CancellationToken.None);
        var ids = created.Select(r => r.Id!.Value).ToList();
        ids.Insert(0, 999_999_001);
        ids.Insert(450, 999_999_002);
        var before = test.Rest.Count;

        var results = await test.Client.DeleteLeadsAsync(ids, CancellationToken.None);

        Assert.Equal(Enumerable.Range(0, 600), results.Select(r => r.Seq));
        Assert.Equal(ids.Select(id => (long?)id), results.Select(r => r.Id));
        Assert.Equal(new[] { 0, 450 }, results.Where(r => !r.Succeeded).Select(r => r.Seq));
        Assert.All(results.Where(r => !r.Succeeded), r => { Assert.Equal(MarketoRecordStatus.Skipped, r.Status); Assert.True(r.HasReason("1004")); });
        Assert.All(results.Where(r => r.Succeeded), r => Assert.Equal(MarketoRecordStatus.Deleted, r.Status));
        Assert.Equal(0, test.Sandbox.Marketo.LeadCount);
        var calls = test.Rest.Skip(before).ToArray();
        Assert.Equal(new[] { ("POST", "/rest/v1/leads/delete.json", 300), ("POST", "/rest/v1/leads/delete.json", 300) }, calls.Select(e => (e.Method, e.Path, e.RecordCount)));
    }
}
