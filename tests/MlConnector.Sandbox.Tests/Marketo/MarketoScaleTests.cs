using MlConnector.Sandbox.Core;
using MlConnector.Sandbox.Marketo;

namespace MlConnector.Sandbox.Tests.Marketo;

/// <summary>
/// Seeding at benchmark scale gives exactly what was asked for and stays indexed. How long it takes and how much
/// memory it holds is measured by build.ps1 Bench (build/Measure-SandboxScale.ps1), not asserted here.
/// </summary>
public sealed class MarketoScaleTests
{
    [Fact]
    public void Quarter_million_leads_and_100k_companies_are_seeded_once_each_and_found_by_key()
    {
        var marketo = new MarketoSimulator(new MarketoOptions(), new SandboxClock());
        var known = Enumerable.Range(0, 50_000).Select(i => $"contact{i}@bc.example").ToArray();
        marketo.SeedLeads(250_000, 7, known);
        marketo.SeedCompanies(100_000, 7);

        Assert.Equal(250_000, marketo.LeadCount);
        Assert.Equal(100_000, marketo.CompanyCount);
        Assert.Equal(250_000, marketo.ActivityCount);
        Assert.Single(marketo.LeadsByEmail("contact123@bc.example"));
        Assert.Equal("Seed Company 100000", marketo.CompanyByExternalId("SEED-100000")!.Fields["company"]);
        Assert.Null(marketo.CompanyByExternalId("SEED-100001"));
    }
}
