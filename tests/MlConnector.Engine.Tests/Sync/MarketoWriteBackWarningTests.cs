using MlConnector.Engine.Diagnostics;
using MlConnector.Engine.Sync;
using MlConnector.Sandbox.Core;
using static MlConnector.Engine.Tests.Sync.ReverseSandbox;

namespace MlConnector.Engine.Tests.Sync;

/// <summary>The write-back warning of new customer numbers Marketo did not take: which problems it names, and a call Marketo refused whole.</summary>
public sealed class MarketoWriteBackWarningTests
{
    [Theory]
    [InlineData(3, "")]
    [InlineData(4, "; ...")]
    public async Task The_warning_names_the_first_three_refused_companies_and_marks_more(int companies, string more)
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 4);
        var since = sandbox.Host.Clock.GetUtcNow().AddMinutes(-1);
        var names = Enumerable.Range(1, companies).Select(i => $"Refused Company {i}").ToList();
        for (var i = 0; i < companies; i++) sandbox.MarketingLead($"buyer{i}@refused-companies-test.example", names[i]);
        sandbox.Host.Faults.Add(new FaultRule { Service = SandboxService.Marketo, PathContains = "/rest/v1/companies.json", Method = "POST", ErrorCode = "603" });

        var results = await sandbox.RunReverseAsync(Request(since));

        Assert.All(results, r => Assert.Equal(SyncAction.Created, r.Action));
        var numbers = names.Select(n => sandbox.Host.BusinessCentral.Store.Customers.Single(c => c.DisplayName == n).Number).ToList();
        var named = string.Join("; ", numbers.Take(3).Select(n => $"company {n}: 603 Access denied"));
        Assert.Equal($"WARNING {EngineWarnings.WriteBackFailed} {companies} new customer number(s) could not be written back to Marketo ({named}{more}). " +
            "The customers exist in Business Central; the next Business Central → Marketo pass writes their keys.",
            Assert.Single(sandbox.Log.Lines, l => l.StartsWith("WARNING " + EngineWarnings.WriteBackFailed, StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_write_back_call_Marketo_refuses_whole_is_a_warning_with_its_error_and_the_customer_stays_created()
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 4);
        var since = sandbox.Host.Clock.GetUtcNow().AddMinutes(-1);
        sandbox.MarketingLead("refused.call@writeback-call-test.example", "Refused Call Test");
        sandbox.Host.Faults.Add(new FaultRule { Service = SandboxService.Marketo, PathContains = "/rest/v1/companies.json", Method = "POST", ErrorCode = "610" });

        var results = await sandbox.RunReverseAsync(Request(since));

        Assert.Equal([SyncAction.Created, SyncAction.Created], results.Select(r => r.Action));
        Assert.Single(sandbox.Host.BusinessCentral.Store.Customers, c => c.DisplayName == "Refused Call Test");
        var warning = Assert.Single(sandbox.Log.Lines, l => l.StartsWith("WARNING " + EngineWarnings.WriteBackFailed, StringComparison.Ordinal));
        Assert.StartsWith($"WARNING {EngineWarnings.WriteBackFailed} 1 new customer number(s) could not be written back to Marketo (", warning);
        Assert.Contains("610", warning);
    }
}
