using MlConnector.Engine.Diagnostics;
using MlConnector.Engine.Marketo;
using MlConnector.Sandbox.Marketo;

namespace MlConnector.Engine.Tests.Marketo;

public sealed class MarketoCrmSyncTests
{
    private static IReadOnlyList<IReadOnlyDictionary<string, object?>> Companies(int count)
        => Enumerable.Range(0, count).Select(i => (IReadOnlyDictionary<string, object?>)new Dictionary<string, object?>
        {
            ["externalCompanyId"] = "BC-C" + i.ToString("D5", System.Globalization.CultureInfo.InvariantCulture),
            ["company"] = "Company " + i,
            ["annualRevenue"] = 1000.5m * i,
        }).ToArray();

    [Theory]
    [InlineData(CrmSyncMode.RecordSkipped1018, "1018")]
    [InlineData(CrmSyncMode.ResponseError1018, "1018")]
    [InlineData(CrmSyncMode.AccessDenied603, "603")]
    public async Task Crm_synced_instance_skips_companies_remembers_it_and_still_writes_leads(CrmSyncMode mode, string code)
    {
        await using var test = await MarketoTestHost.StartAsync(o => { o.Marketo.CrmSync = true; o.Marketo.CrmSyncMode = mode; });
        Assert.Null(test.Client.CompaniesWritable);

        var first = await test.Client.SyncCompaniesAsync(Companies(3), MarketoSyncAction.CreateOrUpdate, "dedupeFields", CancellationToken.None);
        Assert.False(test.Client.CompaniesWritable);
        Assert.Equal(new[] { 0, 1, 2 }, first.Select(r => r.Seq));
        Assert.All(first, r => { Assert.Equal(MarketoRecordStatus.Skipped, r.Status); Assert.True(r.HasReason(code)); });
        Assert.Equal(0, test.Sandbox.Marketo.CompanyCount);
        Assert.Contains(test.Log.Lines, l => l.StartsWith("WARNING: " + EngineWarnings.CrmSyncEnabled + ":", StringComparison.Ordinal));

        var calls = test.Client.CallCount;
        var second = await test.Client.SyncCompaniesAsync(Companies(2), MarketoSyncAction.CreateOrUpdate, "dedupeFields", CancellationToken.None);
        Assert.Equal(calls, test.Client.CallCount);
        Assert.All(second, r => Assert.Equal(MarketoRecordStatus.Skipped, r.Status));

        var leads = await test.Client.SyncLeadsAsync(MarketoTestHost.Leads(5), MarketoSyncAction.CreateOrUpdate, "email", CancellationToken.None);
        Assert.All(leads, r => Assert.Equal(MarketoRecordStatus.Created, r.Status));
    }

    [Fact]
    public async Task Companies_are_written_with_global_seq_across_batches_when_not_crm_synced()
    {
        await using var test = await MarketoTestHost.StartAsync();
        var results = await test.Client.SyncCompaniesAsync(Companies(305), MarketoSyncAction.CreateOrUpdate, "dedupeFields", CancellationToken.None);
        Assert.Equal(Enumerable.Range(0, 305), results.Select(r => r.Seq));
        Assert.All(results, r => Assert.Equal(MarketoRecordStatus.Created, r.Status));
        Assert.True(test.Client.CompaniesWritable);
        Assert.Equal(2, test.Rest.Count);

        var read = new List<IReadOnlyDictionary<string, object?>>();
        await foreach (var c in test.Client.GetCompaniesByFilterAsync("externalCompanyId", new[] { "BC-C00001", "BC-C00304" }, new[] { "externalCompanyId", "company", "annualRevenue" }, CancellationToken.None)) read.Add(c);
        Assert.Equal(new[] { "Company 1", "Company 304" }, read.Select(c => (string)c["company"]!).Order());

        var fields = await test.Client.DescribeCompaniesAsync(CancellationToken.None);
        Assert.Contains(fields, f => f.Name == "externalCompanyId" && f.Searchable);
    }

    [Theory]
    [InlineData(false, true)]
    [InlineData(true, false)]
    public async Task Probe_answers_without_creating_anything(bool crmSync, bool writable)
    {
        await using var test = await MarketoTestHost.StartAsync(o => o.Marketo.CrmSync = crmSync);
        Assert.Equal(writable, await test.Client.ProbeCompaniesWritableAsync(CancellationToken.None));
        Assert.Equal(writable, test.Client.CompaniesWritable);
        Assert.Equal(0, test.Sandbox.Marketo.CompanyCount);
        Assert.Single(test.Rest);
    }
}
