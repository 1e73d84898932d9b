using MlConnector.Engine.Diagnostics;
using MlConnector.Engine.State;
using MlConnector.Engine.State.Sqlite;
using MlConnector.Engine.State.Tables;
using MlConnector.Engine.Sync;
using MlConnector.Engine.Sync.MarketoToBc;
using MlConnector.Engine.Tests.Sync;
using static MlConnector.Engine.Tests.Sync.ReverseSandbox;

namespace MlConnector.Engine.Tests.Azurite;

/// <summary>
/// The reverse flow (Marketo → BC) with its state in Table Storage (Azurite): the lead-changes watermark, the reverse
/// record state and the links it writes live in the tables, so a second pass reads only what is new and echoes nothing;
/// and that state copied to SQLite lets a pass there continue: a lead changed since updates its contact, nothing is created.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class TableStoreReverseTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task A_reverse_pass_on_the_table_store_keeps_its_watermark_and_links_there_and_a_copy_to_SQLite_continues_from_them()
    {
        var prefix = azurite.NewTableName("rev");
        var folder = Directory.CreateTempSubdirectory("mlc-rev-").FullName;
        try
        {
            await using var sandbox = await SyncSandbox.StartAsync(customers: 6,
                openStore: () => TableStateStore.Open(azurite.Account, prefix));
            await sandbox.RunAsync();
            var bc = sandbox.Host.BusinessCentral.Store;
            var since = sandbox.Host.Clock.GetUtcNow().AddMinutes(-1);
            var leadId = sandbox.MarketingLead("ada.quill@tailspin-test.example", "Tailspin Test", ("city", "Lyon"));

            var first = await sandbox.RunReverseAsync(Request(since));

            Assert.Equal([(LeadResults.Customer, SyncAction.Created), (LeadResults.Contact, SyncAction.Created)], first.Select(r => (r.TargetType, r.Action)));
            var customer = Assert.Single(bc.Customers, c => c.DisplayName == "Tailspin Test");
            var watermark = sandbox.State.Checkpoints.GetWatermark(SyncCheckpoints.LeadChanges);
            Assert.NotNull(watermark);
            Assert.True(watermark.At > since, "the watermark moved past the pass's start");
            Assert.NotEmpty(((IPairStateTransfer)sandbox.State).AllRecordStates(SyncDirection.MarketoToBc));
            Assert.Equal(customer.Number, sandbox.State.Links.ByBcNumber(LinkKind.Customer, [customer.Number])[customer.Number].BcNumber);

            // From the watermark in the table: the feed holds only the connector's own write-back, so nothing is written.
            sandbox.Host.Journal.Clear();
            Assert.Empty(await sandbox.RunReverseAsync());
            Assert.Empty(sandbox.BcWrites());

            // The pair's state moved to SQLite carries the watermark, the links and the reverse record state: a pass there writes nothing either.
            using var sqlite = SqliteStateStore.Open(Path.Combine(folder, "state.db"));
            var pair = sandbox.Store.Pairs().Single();
            await StateCopy.CopyPairAsync(sandbox.Store, sqlite, pair, replace: false, new SyncLeaseOptions(), TimeProvider.System, NullEngineLog.Instance, null, CancellationToken.None);
            Assert.Equal(sandbox.State.Checkpoints.GetWatermark(SyncCheckpoints.LeadChanges), sqlite.Pair(pair.PairId).Checkpoints.GetWatermark(SyncCheckpoints.LeadChanges));
            // Marketing moves the lead: the pass on SQLite finds its contact through the copied links and updates it, creating nothing.
            sandbox.Host.Marketo.MarketingEdit(leadId, new Dictionary<string, string?> { ["city"] = "Paris" });
            var context = new SyncContext
            {
                BusinessCentral = sandbox.BusinessCentral, Marketo = sandbox.Marketo, State = sqlite.Pair(pair.PairId), Audit = sandbox.Audit, Time = sandbox.Host.Clock, ChunkSize = 50,
            };
            var onSqlite = await BusinessCentral.BcSandbox.ToListAsync(sandbox.LeadSync(context).RunAsync(sandbox.Receiver(context).ReceiveAsync(Request(), CancellationToken.None), CancellationToken.None));
            Assert.Equal([(LeadResults.Contact, SyncAction.Updated)], onSqlite.Select(r => (r.TargetType, r.Action)));
            Assert.Equal("Paris", Assert.Single(bc.Contacts, c => c.Email == "ada.quill@tailspin-test.example" && c.Type == "Person").City);
            Assert.Single(bc.Customers, c => c.DisplayName == "Tailspin Test");
        }
        finally
        {
            try { Directory.Delete(folder, recursive: true); } catch (IOException) { }
        }
    }
}
