using MlConnector.Engine.BusinessCentral;
using MlConnector.Engine.Mapping;
using MlConnector.Engine.Sync;
using MlConnector.Engine.Sync.BcToMarketo;
using MlConnector.Engine.Tests.BusinessCentral;
using MlConnector.Sandbox.Core;

namespace MlConnector.Engine.Tests.Sync;

/// <summary>A batch settled while planning waited for BC has its results streamed even when that BC read then fails.</summary>
public sealed class FailedPlanningResultsTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Companies_settled_while_reading_contacts_are_streamed_before_the_read_fails()
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 3);
        var faults = sandbox.Host.Faults;
        // The second company write is the batch (the first is the scope probe).
        var companies = faults.Add(new FaultRule { Service = SandboxService.Marketo, PathContains = "/rest/v1/companies.json", Method = "POST", NthCall = 2, Hold = HoldPoint.BeforeAnswer });
        // The contacts read waits, then loses its answer; the retry is refused.
        var contacts = faults.Add(new FaultRule { Service = SandboxService.BusinessCentral, PathContains = "/contacts?", Times = 1, Hold = HoldPoint.BeforeApply, ResetAfterApply = true });
        faults.Add(new FaultRule { Service = SandboxService.BusinessCentral, PathContains = "/contacts?", HttpStatus = 403, ErrorCode = "Authorization_RequestDenied" });
        var settled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var sync = new CustomerToMarketoSync(sandbox.Context(progress: new ReverseSandbox.Hook(p => { if (p.Phase == "Writing companies") settled.TrySetResult(); })),
            new BcToMarketoMapper(MappingLoader.Default(), sandbox.Pair.CompanyKeyPrefix));
        var results = new List<SyncResult>();

        var run = Task.Run(async () =>
        {
            await foreach (var result in sync.RunAsync(new CustomerSyncRequest(), CancellationToken.None)) results.Add(result);
        });
        await faults.Held.WaitForAsync(companies.Id, Patience);
        await faults.Held.WaitForAsync(contacts.Id, Patience);
        faults.Held.Release(companies.Id);
        await settled.Task.WaitAsync(Patience);
        faults.Held.Release(contacts.Id);

        await Assert.ThrowsAsync<BusinessCentralException>(() => run);
        // Settled (audited as created, off the queue) before the read failed: the caller hears of every one.
        Assert.All(sandbox.Expected().Companies, n => Assert.Contains(sandbox.Audited(n), l => l.Action == "Created"));
        var created = results.Where(r => r.TargetType == MarketoRecord.Company && r.Action == SyncAction.Created).Select(r => r.SourceNumber);
        Assert.Equal(sandbox.Expected().Companies.Order(StringComparer.Ordinal), created.Order(StringComparer.Ordinal));
    }
}
