using MlConnector.Engine.Diagnostics;
using MlConnector.Engine.State;
using MlConnector.Engine.State.Sqlite;
using MlConnector.Engine.Sync;
using MlConnector.Engine.Tests.Sync;

namespace MlConnector.Engine.Tests.State;

/// <summary>
/// tests/fixtures/state-v1/mlconnector.db was written by the release before sync pairs (schema 3; see its README):
/// 30 customers of seed 7 synced, one contact parked. A copy of it upgrades in place and loses nothing.
/// </summary>
public sealed class StateUpgradeTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("mlc-upgrade-").FullName;

    [Fact]
    public void A_v1_database_upgrades_in_place_and_keeps_every_row_as_unclaimed_state()
    {
        var path = CopyOfFixture();
        using var store = SqliteStateStore.Open(path);

        Assert.False(store.Created);
        Assert.Equal(10, store.SchemaVersion);
        Assert.Empty(store.Pairs());
        Assert.True(store.HasUnclaimedState());
        var unclaimed = store.Pair(SyncPairKey.Unclaimed);
        Assert.Equal(98, unclaimed.Records(SyncDirection.BcToMarketo).Count());
        var c1 = unclaimed.Records(SyncDirection.BcToMarketo).Get(["Company:C00001"])["Company:C00001"];
        Assert.Equal(("C00001", "c55f477ed630eea3e1e651c8e4fe896f0b10f8fa176b6d23c512ff4a5a537af8", "1"), (c1.SourceNumber, c1.ContentHash, c1.TargetId));
        Assert.Null(c1.FieldHashes); // written before per-field digests: the next write names every field
        Assert.Equal(DateTimeOffset.Parse("2026-11-30T00:45:09.6470000+00:00", System.Globalization.CultureInfo.InvariantCulture),
            unclaimed.Checkpoints.Get(SyncCheckpoints.Customers));
        Assert.NotNull(unclaimed.Checkpoints.Get(SyncCheckpoints.Contacts));
        Assert.NotNull(unclaimed.Checkpoints.Get(SyncCheckpoints.FinancialsRefreshed));
        var boundary = unclaimed.Checkpoints.Boundary(SyncCheckpoints.Customers).Concat(unclaimed.Checkpoints.Boundary(SyncCheckpoints.Contacts)).ToList();
        Assert.Equal(2, boundary.Count);
        Assert.All(boundary, b => Assert.Equal(0, b.Value.ETagDigest)); // read before ETags were kept: the stamp alone decides
        var parked = Assert.Single(unclaimed.Queue(SyncDirection.BcToMarketo).Take(QueuedJobStatus.Parked, null, 10));
        Assert.Equal(("Contact:CT000004", 1, "1007 Multiple leads match the lookup criteria"), (parked.JobId, parked.Attempts, parked.LastError));
    }

    [Fact]
    public async Task The_first_pair_adopts_the_upgraded_state_once_and_its_next_incremental_run_sends_nothing_new()
    {
        var path = CopyOfFixture();
        // The data the fixture was written from: the same seed and size give the same customers, contacts and values.
        await using var sandbox = await SyncSandbox.StartAsync(customers: 30, statePath: path);

        Assert.Contains(sandbox.Log.Lines, l => l.StartsWith("WARNING " + EngineWarnings.UnclaimedStateAdopted, StringComparison.Ordinal));
        Assert.False(sandbox.Store.HasUnclaimedState());
        Assert.Equal(98, sandbox.State.Records(SyncDirection.BcToMarketo).Count());
        Assert.Equal(1, sandbox.State.Queue(SyncDirection.BcToMarketo).Count(QueuedJobStatus.Parked));
        var customersCheckpoint = sandbox.State.Checkpoints.Get(SyncCheckpoints.Customers);
        Assert.NotNull(customersCheckpoint);

        var results = await sandbox.RunAsync();

        // This sandbox's Marketo started empty, so any record sent would be in it (every write is a createOrUpdate); the
        // one company call a run may make is the writability probe, an updateOnly of a key that cannot exist.
        Assert.Equal((0, 0), (sandbox.Host.Marketo.CompanyCount, sandbox.Host.Marketo.LeadCount));
        Assert.DoesNotContain(sandbox.MarketoWrites(), w => w.Path.StartsWith("/rest/v1/leads.json", StringComparison.Ordinal));
        Assert.True(sandbox.MarketoWrites().Count <= 1);
        Assert.DoesNotContain(results, r => r.Action is SyncAction.Created or SyncAction.Updated or SyncAction.Failed);
        Assert.Equal(1, sandbox.State.Queue(SyncDirection.BcToMarketo).Count(QueuedJobStatus.Parked));
        Assert.True(sandbox.State.Checkpoints.Get(SyncCheckpoints.Customers) >= customersCheckpoint);

        // Every customer read again (the financial refresh): each one compared with the adopted content hashes, each one
        // unchanged. (A run on named customers would also compare with Marketo, which in this sandbox holds nothing.)
        var compared = await sandbox.RunAsync(new MlConnector.Engine.Sync.BcToMarketo.CustomerSyncRequest { RefreshFinancials = true });
        Assert.Equal(30, compared.Count(r => r.TargetType == "Company" && (r.Action == SyncAction.Unchanged || r.Reason == SyncReasons.CustomerBlocked)));
        Assert.Contains(compared, r => r.TargetType == "Company" && r.Action == SyncAction.Unchanged);
        Assert.DoesNotContain(compared, r => r.Action is SyncAction.Created or SyncAction.Updated or SyncAction.Failed);
        Assert.Equal((0, 0), (sandbox.Host.Marketo.CompanyCount, sandbox.Host.Marketo.LeadCount));

        // Adopted once: a second pair in the same home starts from nothing.
        var other = SyncPairKey.Create(sandbox.Pair.Key.BcTenant, sandbox.Pair.Key.BcEnvironment, Guid.NewGuid(), sandbox.Pair.Key.MarketoInstance);
        var registration = sandbox.Store.RegisterPair(new SyncPair(other, "Other", "", DateTimeOffset.UtcNow));
        Assert.Equal(0, registration.AdoptedRows);
        Assert.Equal(0, sandbox.Store.Pair(other.PairId).Records(SyncDirection.BcToMarketo).Count());
    }

    private string CopyOfFixture()
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "MlConnector.sln"))) root = root.Parent;
        Assert.NotNull(root);
        var copy = Path.Combine(_folder, "mlconnector.db");
        File.Copy(Path.Combine(root.FullName, "tests", "fixtures", "state-v1", "mlconnector.db"), copy);
        return copy;
    }

    public void Dispose()
    {
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { }
    }
}
