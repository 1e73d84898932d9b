using System.Diagnostics;
using MlConnector.Sandbox.Core;
using MlConnector.Sandbox.Marketo;

namespace MlConnector.Sandbox.Tests.Marketo;

public sealed class MarketoScaleTests(Xunit.Abstractions.ITestOutputHelper output)
{
    [Fact]
    public void Quarter_million_leads_and_100k_companies_fit_in_memory()
    {
        var before = GC.GetTotalMemory(forceFullCollection: true);
        var watch = Stopwatch.StartNew();
        var marketo = new MarketoSimulator(new MarketoOptions(), new SandboxClock());
        var known = Enumerable.Range(0, 50_000).Select(i => $"contact{i}@bc.example").ToArray();
        marketo.SeedLeads(250_000, 7, known);
        output.WriteLine($"leads {watch.Elapsed}");
        marketo.SeedCompanies(100_000, 7);
        output.WriteLine($"companies {watch.Elapsed}");
        var after = GC.GetTotalMemory(forceFullCollection: true);
        watch.Stop();

        Assert.Equal(250_000, marketo.LeadCount);
        Assert.Equal(100_000, marketo.CompanyCount);
        Assert.Equal(250_000, marketo.ActivityCount);
        Assert.Single(marketo.LeadsByEmail("contact123@bc.example"));
        var megabytes = (after - before) / (1024.0 * 1024.0);
        output.WriteLine($"{megabytes:F0} MB, {watch.Elapsed}");
        Assert.True(megabytes < 400, $"used {megabytes:F0} MB");
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(20), $"took {watch.Elapsed}");
        GC.KeepAlive(marketo);
    }
}
