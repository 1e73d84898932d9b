using MlConnector.Engine.Marketo;

namespace MlConnector.Engine.Tests.Marketo;

public sealed class MarketoBatchingTests
{
    [Fact]
    public async Task Sync_of_650_leads_takes_three_calls_and_reports_every_record_by_seq()
    {
        await using var test = await MarketoTestHost.StartAsync();
        var results = await test.Client.SyncLeadsAsync(MarketoTestHost.Leads(650), MarketoSyncAction.CreateOrUpdate, "email", CancellationToken.None);

        Assert.Equal(Enumerable.Range(0, 650), results.Select(r => r.Seq));
        Assert.All(results, r => Assert.Equal(MarketoRecordStatus.Created, r.Status));
        Assert.All(results, r => Assert.NotNull(r.Id));
        Assert.Equal(new[] { 300, 300, 50 }, test.Rest.Select(e => e.RecordCount));
        Assert.All(test.Rest, e => Assert.Equal("POST", e.Method));
        Assert.Equal(650, test.Sandbox.Marketo.LeadCount);

        var again = await test.Client.SyncLeadsAsync(MarketoTestHost.Leads(2).Append(new Dictionary<string, object?> { ["email"] = "x@example.test", ["noSuchField"] = 1 }).ToArray(),
            MarketoSyncAction.UpdateOnly, "email", CancellationToken.None);
        Assert.Equal(MarketoRecordStatus.Updated, again[0].Status);
        Assert.Equal(MarketoRecordStatus.Skipped, again[2].Status);
        Assert.NotNull(again[2].RequestId);
        Assert.True(again[2].HasReason("1006"));
    }

    [Fact]
    public async Task A_read_whose_url_would_pass_8_KB_goes_as_POST_with_method_GET_and_values_are_split_by_300()
    {
        await using var test = await MarketoTestHost.StartAsync();
        var leads = Enumerable.Range(0, 320).Select(i => (IReadOnlyDictionary<string, object?>)new Dictionary<string, object?>
        {
            ["email"] = $"someone.with.a.rather.long.address.{i:D4}@subsidiary.example-company.test",
            ["bcCustomerNumber"] = "C" + i,
        }).ToArray();
        await test.Client.SyncLeadsAsync(leads, MarketoSyncAction.CreateOnly, "email", CancellationToken.None);
        var before = test.Rest.Count;

        var emails = leads.Select(l => (string)l["email"]!).ToArray();
        var found = new List<IReadOnlyDictionary<string, object?>>();
        await foreach (var lead in test.Client.GetLeadsByFilterAsync("email", emails, new[] { "email", "bcCustomerNumber" }, CancellationToken.None)) found.Add(lead);

        Assert.Equal(emails.Order(), found.Select(f => (string)f["email"]!).Order());
        Assert.IsType<long>(found[0]["id"]);
        var reads = test.Rest.Skip(before).ToArray();
        Assert.Equal(2, reads.Length);
        Assert.Equal("POST", reads[0].Method);
        Assert.EndsWith("/rest/v1/leads.json?_method=GET", reads[0].Path);
        Assert.Equal(300, reads[0].RecordCount);
        Assert.Equal("GET", reads[1].Method);
        Assert.Equal(20, reads[1].RecordCount);
        Assert.All(test.Rest, e => Assert.Null(e.ErrorCode));
    }
}
