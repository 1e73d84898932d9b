using MlConnector.Engine.Marketo;
using MlConnector.Sandbox.Marketo;

namespace MlConnector.Engine.Tests.Marketo;

/// <summary>
/// Whether Company writes are possible is learnt from Marketo's answers (shared/api/marketo.md §8): any record written
/// shows they are, a CRM refusal shows they are not, and an answer that shows neither leaves it open. The refusal is
/// told once, in a warning that says what it means.
/// </summary>
public sealed class MarketoCompanyWritabilityTests
{
    private const string Refusal = "WARNING: CrmSyncEnabled: Marketo refuses company writes (error 1018): the instance syncs companies with a CRM, so they are read-only through the API. Company records will be skipped.";

    private static IReadOnlyDictionary<string, object?> Company(string externalId, string field = "company")
        => new Dictionary<string, object?> { ["externalCompanyId"] = externalId, [field] = "Name of " + externalId };

    [Fact]
    public async Task One_record_written_among_refused_ones_shows_companies_writable_and_warns_nothing()
    {
        await using var test = await MarketoTestHost.StartAsync();

        var results = await test.Client.SyncCompaniesAsync(new[] { Company("BC-1", "noSuchField"), Company("BC-2") }, MarketoSyncAction.CreateOrUpdate, "dedupeFields", CancellationToken.None);

        Assert.Equal(new[] { MarketoRecordStatus.Skipped, MarketoRecordStatus.Created }, results.Select(r => r.Status));
        Assert.True(test.Client.CompaniesWritable);
        Assert.DoesNotContain(test.Log.Lines, l => l.StartsWith("WARNING:", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_write_whose_records_are_all_refused_for_their_data_leaves_writability_open()
    {
        await using var test = await MarketoTestHost.StartAsync();

        var results = await test.Client.SyncCompaniesAsync(new[] { Company("BC-1", "noSuchField") }, MarketoSyncAction.CreateOrUpdate, "dedupeFields", CancellationToken.None);

        Assert.True(Assert.Single(results).HasReason("1006"));
        Assert.Null(test.Client.CompaniesWritable);
    }

    [Fact]
    public async Task A_crm_refusal_is_warned_once_however_often_it_is_met()
    {
        await using var test = await MarketoTestHost.StartAsync(o => o.Marketo.CrmSync = true);

        Assert.False(await test.Client.ProbeCompaniesWritableAsync(CancellationToken.None));
        Assert.False(await test.Client.ProbeCompaniesWritableAsync(CancellationToken.None));

        Assert.Equal(2, test.Rest.Count);
        Assert.Equal(new[] { Refusal }, test.Log.Lines.Where(l => l.StartsWith("WARNING:", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_call_refused_with_603_skips_each_record_with_marketos_message_and_later_batches_are_not_sent()
    {
        await using var test = await MarketoTestHost.StartAsync(o => { o.Marketo.CrmSync = true; o.Marketo.CrmSyncMode = CrmSyncMode.AccessDenied603; });
        var companies = Enumerable.Range(0, 302).Select(i => Company("BC-" + i)).ToArray();

        var results = await test.Client.SyncCompaniesAsync(companies, MarketoSyncAction.CreateOrUpdate, "dedupeFields", CancellationToken.None);

        Assert.Equal(Enumerable.Range(0, 302), results.Select(r => r.Seq));
        Assert.All(results.Take(300), r => Assert.Equal(new MarketoReason("603", "Access denied"), Assert.Single(r.Reasons)));
        Assert.All(results.Skip(300), r => Assert.Equal(new MarketoReason("1018", "CRM Enabled (not sent: companies are not writable on this instance)"), Assert.Single(r.Reasons)));
        Assert.All(results, r => Assert.Equal(MarketoRecordStatus.Skipped, r.Status));
        Assert.Single(test.Rest);
    }

    [Fact]
    public async Task Companies_deduplicated_by_id_are_updated_by_their_marketo_id()
    {
        await using var test = await MarketoTestHost.StartAsync();
        var created = await test.Client.SyncCompaniesAsync(new[] { Company("BC-7") }, MarketoSyncAction.CreateOnly, "dedupeFields", CancellationToken.None);
        var byId = new Dictionary<string, object?> { ["id"] = created[0].Id, ["company"] = "Renamed" };

        var updated = await test.Client.SyncCompaniesAsync(new[] { byId }, MarketoSyncAction.UpdateOnly, "idField", CancellationToken.None);

        Assert.Equal((MarketoRecordStatus.Updated, created[0].Id), (Assert.Single(updated).Status, updated[0].Id));
        Assert.Equal("Renamed", test.Sandbox.Marketo.CompanyByExternalId("BC-7")!.Fields["company"]);
    }
}
