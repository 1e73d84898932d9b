using MlConnector.Engine.Mapping;
using MlConnector.Engine.Marketo;
using MlConnector.Engine.State;
using MlConnector.Engine.Sync;
using MlConnector.Engine.Sync.BcToMarketo;
using MlConnector.Sandbox.Core;

namespace MlConnector.Engine.Tests.Sync;

/// <summary>
/// What a BC → Marketo run streams: every result when planning waits for sending to catch up; leads REST could not
/// send stay queued rather than going by Bulk Lead Import.
/// </summary>
public sealed class CustomerToMarketoStreamingTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Leads_rest_could_not_send_stay_queued_and_go_by_no_bulk_import()
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 3);
        sandbox.Host.Faults.Add(new FaultRule { Service = SandboxService.Marketo, PathContains = "/rest/v1/leads.json", Method = "POST", ErrorCode = MarketoErrorCodes.AccessDenied });

        await Assert.ThrowsAnyAsync<MarketoApiException>(() => sandbox.RunAsync());

        Assert.DoesNotContain(sandbox.Host.Journal.For(SandboxService.Marketo), BulkImportSyncTests.IsUpload);
        Assert.Equal(sandbox.Expected().LeadEmails.Count, sandbox.State.Queue(SyncDirection.BcToMarketo).Count(QueuedJobStatus.Pending));
    }

    [Fact]
    public async Task A_run_that_queues_more_than_marketo_can_take_soon_waits_for_sending_and_streams_every_result()
    {
        // One call per short window: planning may keep 2 × 1 × 300 records queued ahead of sending.
        await using var sandbox = await SyncSandbox.StartAsync(customers: 700,
            marketoSettings: s => { s.CallsPer20Seconds = 1; s.RateWindow = TimeSpan.FromMilliseconds(50); });
        // The first company batch (after the scope probe) is held, so the whole of the one chunk is queued and unsent.
        var held = sandbox.Host.Faults.Add(new FaultRule { Service = SandboxService.Marketo, PathContains = "/rest/v1/companies.json", Method = "POST", NthCall = 2, Hold = HoldPoint.BeforeApply });
        var results = new List<SyncResult>();

        var run = Task.Run(async () =>
        {
            await foreach (var result in sandbox.Sync(batchesInFlight: 1, chunkSize: 1000).RunAsync(new CustomerSyncRequest(), CancellationToken.None)) results.Add(result);
        });
        await sandbox.Host.Faults.Held.WaitForAsync(held.Id, Patience);
        sandbox.Host.Faults.Held.Release(held.Id);
        await run.WaitAsync(Patience);

        var created = results.Where(r => r.TargetType == MarketoRecord.Company && r.Action == SyncAction.Created).Select(r => r.SourceNumber);
        Assert.Equal(sandbox.Expected().Companies.Order(StringComparer.Ordinal), created.Order(StringComparer.Ordinal));
    }
}
