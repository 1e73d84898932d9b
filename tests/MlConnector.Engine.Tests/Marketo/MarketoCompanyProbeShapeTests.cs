namespace MlConnector.Engine.Tests.Marketo;

/// <summary>The writability probe is one Sync Companies of a single record keyed by an externalCompanyId that names no company.</summary>
public sealed class MarketoCompanyProbeShapeTests
{
    [Fact]
    public async Task The_probe_writes_one_company_keyed_by_an_external_id_that_names_none()
    {
        await using var test = await MarketoTestHost.StartAsync();

        await test.Client.ProbeCompaniesWritableAsync(CancellationToken.None);

        var write = Assert.Single(test.Sandbox.Marketo.Writes.Snapshot());
        Assert.Equal("company", write.Object);
        var key = Assert.Single(write.Keys);
        Assert.False(string.IsNullOrWhiteSpace(key));
        Assert.Null(test.Sandbox.Marketo.CompanyByExternalId(key));
    }
}
