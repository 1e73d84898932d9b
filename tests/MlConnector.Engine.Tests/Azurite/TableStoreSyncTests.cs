using MlConnector.Engine.Audit;
using MlConnector.Engine.Diagnostics;
using MlConnector.Engine.State;
using MlConnector.Engine.State.Sqlite;
using MlConnector.Engine.State.Tables;
using MlConnector.Engine.Sync;
using MlConnector.Engine.Tests.Sync;

namespace MlConnector.Engine.Tests.Azurite;

/// <summary>
/// The BC → Marketo sync with its state in Table Storage (Azurite) over real HTTP: a full run, then one that finds
/// nothing to send; the audit lines in the audit table; and state copied from SQLite to the table store and back, each
/// time followed by a run that sends only what changed since — nothing is sent again.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class TableStoreSyncTests(AzuriteFixture azurite)
{
    private TableStateStore OpenTables(string prefix) => TableStateStore.Open(azurite.Account, prefix);

    [Fact]
    public async Task A_full_sync_on_the_table_store_is_audited_in_its_table_and_a_second_run_sends_nothing()
    {
        var prefix = azurite.NewTableName("sync");
        await using var sandbox = await SyncSandbox.StartAsync(customers: 30, openStore: () => OpenTables(prefix));
        var (companies, leads) = sandbox.Expected();

        var first = await sandbox.RunAsync();

        Assert.Equal(companies.Count + leads.Count, first.Count(r => r.Action == SyncAction.Created));
        Assert.Equal(companies.Count, sandbox.Host.Marketo.Companies().Count);
        Assert.Equal(0, sandbox.State.Queue(SyncDirection.BcToMarketo).Count(QueuedJobStatus.Pending));
        Assert.Equal(companies.Count, sandbox.State.Links.Count(LinkKind.Customer));
        var audited = ((TableStateStore)sandbox.Store).Audit.Read(new AuditQuery()).ToList();
        Assert.Equal(first.Count, audited.Count);
        Assert.All(audited, line => Assert.Equal(sandbox.Pair.PairId, line.PairId));
        Assert.False(Directory.Exists(sandbox.Audit.Folder), "Runs on a table store write no local audit files.");

        var writes = sandbox.MarketoWrites().Count;
        var second = await sandbox.RunAsync();
        Assert.DoesNotContain(second, r => r.Action is SyncAction.Created or SyncAction.Updated);
        Assert.Equal(writes, sandbox.MarketoWrites().Count);
    }

    [Fact]
    public async Task State_copied_from_SQLite_to_the_table_store_and_back_sends_only_what_changed_since()
    {
        var prefix = azurite.NewTableName("copy");
        var folder = Directory.CreateTempSubdirectory("mlc-copy-").FullName;
        var sqlitePath = Path.Combine(folder, "state.db");
        try
        {
            await using var sandbox = await SyncSandbox.StartAsync(customers: 25, statePath: sqlitePath);
            await sandbox.RunAsync();
            // Customers blocked for all transactions never cross: change only ones that do.
            var customers = sandbox.Host.BusinessCentral.Store.Customers.Where(c => c.Blocked != "All").ToList();

            // Console → runbook: copy, change one customer, run on the table store.
            using (var tables = OpenTables(prefix))
            {
                var copied = await CopyAsync(sandbox.Store, tables, sandbox.Pair);
                Assert.Equal(Snapshot(sandbox.Store, sandbox.Pair.PairId), Snapshot(tables, sandbox.Pair.PairId));
                Assert.Equal(sandbox.State.Links.Count(LinkKind.Customer) + sandbox.State.Links.Count(LinkKind.Contact), copied.Links);
                Assert.Equal(sandbox.Expected().Companies.Count, tables.Pair(sandbox.Pair.PairId).Links.Count(LinkKind.Customer));
                Assert.Matches("record BcToMarketo .*fields .*billingCity=[0-9a-f]{8}", Snapshot(tables, sandbox.Pair.PairId));
                sandbox.Host.BusinessCentral.ModifyCustomerInUi(customers[3].Id, c => c.PhoneNumber = "+1 555 0103");
                var onTables = await RunOnAsync(sandbox, tables);
                Assert.Equal([customers[3].Number], onTables.Where(r => r.Action is SyncAction.Created or SyncAction.Updated).Select(r => r.SourceNumber));

                // Runbook → console: copy back over the older SQLite state, change another, run on SQLite.
                var back = await CopyAsync(tables, sandbox.Store, sandbox.Pair, replace: true);
                Assert.True(back.Replaced);
                Assert.Equal(Snapshot(tables, sandbox.Pair.PairId), Snapshot(sandbox.Store, sandbox.Pair.PairId));
            }
            sandbox.Host.BusinessCentral.ModifyCustomerInUi(customers[7].Id, c => c.PhoneNumber = "+1 555 0107");
            var onSqlite = await sandbox.RunAsync();
            Assert.Equal([customers[7].Number], onSqlite.Where(r => r.Action is SyncAction.Created or SyncAction.Updated).Select(r => r.SourceNumber));
            Assert.Equal("+1 555 0103", sandbox.Host.Marketo.CompanyByExternalId(customers[3].Number)!.Fields["mainPhone"]);
        }
        finally
        {
            try { Directory.Delete(folder, recursive: true); } catch (IOException) { }
        }
    }

    [Fact]
    public async Task A_copy_refuses_a_target_that_holds_the_pair_unless_told_to_replace_it_and_carries_jobs_subscriptions_and_call_counts_as_they_were()
    {
        var folder = Directory.CreateTempSubdirectory("mlc-copy-").FullName;
        try
        {
            using var sqlite = SqliteStateStore.Open(Path.Combine(folder, "state.db"));
            using var tables = OpenTables(azurite.NewTableName("refuse"));
            var pair = sqlite.RegisterPair(new SyncPair(SyncPairKey.Create("t", "prod", Guid.NewGuid(), "111-AAA-111"), "CRONUS", "UK-", DateTimeOffset.UtcNow.AddDays(-3))).Pair;
            var queue = sqlite.Pair(pair.PairId).Queue(SyncDirection.BcToMarketo);
            var now = DateTimeOffset.UtcNow;
            queue.Enqueue([new QueuedJob("company:C1", "Company", "Customer", "C1", "{\"a\":1}", QueuedJobStatus.Pending, 0, null, now, now),
                new QueuedJob("company:C2", "Company", "Customer", "C2", "{\"a\":2}", QueuedJobStatus.Pending, 0, null, now, now),
                new QueuedJob("company:C3", "Company", "Customer", "C3", "{\"a\":3}", QueuedJobStatus.Pending, 0, null, now, now)], now);
            var taken = queue.Take(QueuedJobStatus.Pending, null, 3);
            queue.Park([(taken[0], "1003 bad value")], now);
            queue.HoldAnswers([(taken[2], "{\"held\":\"C3\"}")]);
            var state = sqlite.Pair(pair.PairId);
            state.Subscriptions.Save(new SubscriptionRecord("sub-1", "customers", "/api/v2.0/companies(a1)/customers", "https://hooks.example/a", now.AddDays(3), "W/\"1\"",
                new ClientStateLocation("CorpVault", "MlConnector-BcClientState-" + pair.PairId), now.AddDays(-1), now));
            var today = DateOnly.FromDateTime(now.UtcDateTime);
            state.MarketoCalls.Add(today.AddDays(-1), 9_500, now);
            state.MarketoCalls.Add(today, 120, now);
            var leads = sqlite.Pair(pair.PairId).Queue(SyncDirection.BcToMarketo);
            leads.Enqueue([new QueuedJob("lead:l1@example.com", "Lead", "Contact", "CT1", "{}", QueuedJobStatus.Pending, 0, null, now, now)], now);
            state.BulkImports.Add(new BulkImportBatch(501, 1, now), [("lead:l1@example.com", now)]);

            var first = await CopyAsync(sqlite, tables, pair);
            Assert.Equal((2, 1, 1, 1, 2, 1, false), (first.Pending, first.Parked, first.Answered, first.Subscriptions, first.CallCountDays, first.BulkImports, first.Replaced));
            Assert.Equal(["lead:l1@example.com"], tables.Pair(pair.PairId).BulkImports.Jobs(501, 0, 10).Select(j => j.Job.JobId));
            Assert.Equal(Snapshot(sqlite, pair.PairId), Snapshot(tables, pair.PairId));
            Assert.Equal(120, tables.Pair(pair.PairId).MarketoCalls.Get(today));
            Assert.Equal(now.AddDays(-1), Assert.Single(tables.Pair(pair.PairId).Subscriptions.All()).CreatedAt);
            var again = await Assert.ThrowsAsync<MlConnectorException>(() => CopyAsync(sqlite, tables, pair));
            Assert.Equal(StateCopy.TargetHoldsPairId, again.ErrorId);

            var parked = Assert.Single(tables.Pair(pair.PairId).Queue(SyncDirection.BcToMarketo).Take(QueuedJobStatus.Parked, null, 10));
            Assert.Equal(("C1", 1, "1003 bad value"), (parked.SourceNumber, parked.Attempts, parked.LastError));
            var held = Assert.Single(tables.Pair(pair.PairId).Queue(SyncDirection.BcToMarketo).Answered());
            Assert.Equal(("C3", "{\"held\":\"C3\"}", now), (held.Job.SourceNumber, held.Answer, held.Job.UpdatedAt));
            var copiedPair = Assert.Single(tables.Pairs());
            Assert.Equal((pair.Key, "CRONUS", "UK-", pair.CreatedAt), (copiedPair.Key, copiedPair.BcCompanyName, copiedPair.CompanyKeyPrefix, copiedPair.CreatedAt));
            Assert.Null(tables.Pair(pair.PairId).Lease.Current(DateTimeOffset.UtcNow));
        }
        finally
        {
            try { Directory.Delete(folder, recursive: true); } catch (IOException) { }
        }
    }

    private static Task<StateCopyResult> CopyAsync(IStateStore from, IStateStore to, SyncPair pair, bool replace = false)
        => StateCopy.CopyPairAsync(from, to, from.Pairs().Single(p => p.PairId == pair.PairId), replace, new SyncLeaseOptions(), TimeProvider.System, NullEngineLog.Instance, null, CancellationToken.None);

    private static async Task<List<SyncResult>> RunOnAsync(SyncSandbox sandbox, TableStateStore store)
    {
        var context = new SyncContext
        {
            BusinessCentral = sandbox.BusinessCentral, Marketo = sandbox.Marketo, State = store.Pair(sandbox.Pair.PairId), Audit = store.Audit, Time = sandbox.Host.Clock,
        };
        return await BusinessCentral.BcSandbox.ToListAsync(new Engine.Sync.BcToMarketo.CustomerToMarketoSync(context, new Engine.Mapping.BcToMarketoMapper(Engine.Mapping.MappingLoader.Default()))
            .RunAsync(new Engine.Sync.BcToMarketo.CustomerSyncRequest(), CancellationToken.None));
    }

    /// <summary>Everything a pair's state holds, in a comparable form.</summary>
    private static string Snapshot(IStateStore store, string pairId)
    {
        var state = store.Pair(pairId);
        var rows = (IPairStateTransfer)state;
        var lines = new List<string>();
        foreach (var name in rows.CheckpointNames().Order(StringComparer.Ordinal))
            lines.Add($"checkpoint {name} {state.Checkpoints.Get(name):O} {string.Join(",", state.Checkpoints.Boundary(name).OrderBy(b => b.Key).Select(b => $"{b.Key}={b.Value.LastModified:O}/{b.Value.ETagDigest}"))}");
        foreach (var name in rows.WatermarkNames()) lines.Add($"watermark {name} {state.Checkpoints.GetWatermark(name)}");
        foreach (var direction in Enum.GetValues<SyncDirection>())
        {
            lines.AddRange(rows.AllRecordStates(direction).Select(r => $"record {direction} {r} fields {Fields(r)}").Order(StringComparer.Ordinal));
            lines.AddRange(rows.AllJobs(direction).Select(j => $"job {direction} {j}"));
        }
        foreach (var kind in Enum.GetValues<LinkKind>()) lines.AddRange(rows.AllLinks(kind).Select(l => $"link {l}").Order(StringComparer.Ordinal));
        lines.AddRange(state.Subscriptions.All().Select(s => $"subscription {s}"));
        lines.AddRange(rows.AllMarketoCalls().Select(c => $"calls {c.Day:yyyy-MM-dd} {c.Calls}"));
        lines.AddRange(state.BulkImports.Open().Select(b => $"bulk {b} {string.Join(",", state.BulkImports.Jobs(b.BatchId, 0, int.MaxValue).Select(j => j.Job.JobId))}"));
        var pair = store.Pairs().Single(p => p.PairId == pairId);
        lines.Add($"pair {pair.Key} {pair.BcCompanyName} {pair.CompanyKeyPrefix} {pair.CreatedAt:O}");
        return string.Join("\n", lines);
    }

    private static string Fields(RecordState state) => state.FieldHashes is { } hashes
        ? string.Join(",", hashes.OrderBy(h => h.Key, StringComparer.Ordinal).Select(h => $"{h.Key}={h.Value}"))
        : "(none)";
}
