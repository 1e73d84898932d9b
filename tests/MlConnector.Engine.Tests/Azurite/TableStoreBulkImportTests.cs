using MlConnector.Engine.Mapping;
using MlConnector.Engine.State;
using MlConnector.Engine.State.Tables;
using MlConnector.Engine.Sync;
using MlConnector.Engine.Sync.BcToMarketo;
using MlConnector.Engine.Tests.BusinessCentral;
using MlConnector.Engine.Tests.Sync;
using MlConnector.Sandbox.Core;
using static MlConnector.Engine.Tests.Sync.BulkImportSyncTests;

namespace MlConnector.Engine.Tests.Azurite;

/// <summary>
/// Bulk Lead Import with the pair's state in Table Storage (Azurite): a run stopped while its imports run leaves them
/// stored in the tables, and the next run resumes them by polling the stored batch ids — no file is uploaded again,
/// every lead lands once and no import is left open.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class TableStoreBulkImportTests(AzuriteFixture azurite)
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(50);

    [Fact]
    public async Task A_run_stopped_while_its_imports_run_is_resumed_from_the_tables_without_uploading_again()
    {
        var prefix = azurite.NewTableName("bulk");
        await using var sandbox = await SyncSandbox.StartAsync(customers: 40, configure: o => o.Marketo.BulkImportRowsPerSecond = 2,
            marketoSettings: s => s.BulkImportPollInterval = Poll,
            openStore: () => TableStateStore.Open(azurite.Account, prefix));
        await StopWhileImportingAsync(sandbox, "stopped");

        using (var reader = TableStateStore.Open(azurite.Account, prefix, create: false))
        {
            var stored = reader.Pair(sandbox.Pair.PairId).BulkImports.Open();
            Assert.NotEmpty(stored);
            Assert.All(stored, b => Assert.NotEmpty(reader.Pair(sandbox.Pair.PairId).BulkImports.Jobs(b.BatchId, 0, 10)));
        }
        var uploads = sandbox.Host.Journal.For(SandboxService.Marketo).Where(IsUpload).ToList();

        sandbox.Host.Marketo.Options.BulkImportRowsPerSecond = 5000;
        using var marketo = await sandbox.ConnectMarketoAsync(s => s.BulkImportPollInterval = Poll);
        var results = await BcSandbox.ToListAsync(sandbox.Sync(correlationId: "resumed", marketo: marketo)
            .RunAsync(new CustomerSyncRequest { BulkImportThreshold = 1 }, CancellationToken.None));

        Assert.Equal(uploads, sandbox.Host.Journal.For(SandboxService.Marketo).Where(IsUpload));
        Assert.Empty(sandbox.State.BulkImports.Open());
        var (_, emails) = sandbox.Expected();
        Assert.All(emails, e => Assert.Single(sandbox.Host.Marketo.LeadsByEmail(e)));
        Assert.Equal(emails.Order(StringComparer.Ordinal),
            results.Where(r => r.TargetType == MarketoRecord.Lead).Select(r => r.TargetKey!.ToLowerInvariant()).Order(StringComparer.Ordinal));
        Assert.Equal(0, sandbox.State.Queue(SyncDirection.BcToMarketo).Count(QueuedJobStatus.Pending));
    }
}
