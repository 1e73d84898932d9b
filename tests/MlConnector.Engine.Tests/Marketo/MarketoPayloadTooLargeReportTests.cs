using MlConnector.Engine.Marketo;
using MlConnector.Sandbox.Core;

namespace MlConnector.Engine.Tests.Marketo;

/// <summary>What a 413 (body over Marketo's 1 MB) leaves for the user: a verbose line per halving, and a reason on the record too large alone.</summary>
public sealed class MarketoPayloadTooLargeReportTests
{
    [Fact]
    public async Task Each_halving_is_told_with_the_sizes_of_both_halves()
    {
        await using var test = await MarketoTestHost.StartAsync();
        test.Sandbox.Faults.Add(new FaultRule { Service = SandboxService.Marketo, PathContains = "/rest/v1/leads.json", Method = "POST", HttpStatus = 413, Times = 2 });

        await test.Client.SyncLeadsAsync(MarketoTestHost.Leads(7, "halves"), MarketoSyncAction.CreateOrUpdate, "email", CancellationToken.None);

        Assert.Equal(new[]
        {
            "VERBOSE: Marketo answered 413 (request over 1 MB) to 7 records; sending them as 3 + 4.",
            "VERBOSE: Marketo answered 413 (request over 1 MB) to 3 records; sending them as 1 + 2.",
        }, test.Log.Lines.Where(l => l.Contains("answered 413", StringComparison.Ordinal)));
        Assert.Equal(7, test.Sandbox.Marketo.LeadCount);
    }

    [Fact]
    public async Task A_record_too_large_alone_is_skipped_with_a_reason_that_says_so()
    {
        await using var test = await MarketoTestHost.StartAsync(o => o.Marketo.MaxBodyBytes = 4096);
        var huge = new Dictionary<string, object?> { ["email"] = "huge@example.test", ["lastName"] = new string('x', 5000) };

        var results = await test.Client.SyncLeadsAsync(new[] { huge }, MarketoSyncAction.CreateOrUpdate, "email", CancellationToken.None);

        Assert.Equal(new MarketoReason("413", "The record alone is larger than Marketo's 1 MB request limit (HTTP 413)."), Assert.Single(Assert.Single(results).Reasons));
    }
}
