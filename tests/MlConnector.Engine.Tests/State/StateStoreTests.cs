using MlConnector.Engine.State;
using MlConnector.Engine.State.Sqlite;
using MlConnector.Engine.Sync;

namespace MlConnector.Engine.Tests.State;

public sealed class StateStoreTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 27, 10, 0, 0, TimeSpan.Zero);
    private static readonly SyncPairKey PairA = SyncPairKey.Create("tenant-a", "Production", Guid.Parse("00000000-0000-0000-0000-0000000000a1"), "111-AAA-111");
    private static readonly SyncPairKey PairB = SyncPairKey.Create("tenant-a", "Production", Guid.Parse("00000000-0000-0000-0000-0000000000b2"), "111-AAA-111");
    private readonly string _folder = Directory.CreateTempSubdirectory("mlc-state-").FullName;

    private string DbPath => Path.Combine(_folder, "state.db");

    private static QueuedJob Job(string number, string payload = "{}") =>
        new("company:" + number, "Company", "Customer", number, payload, QueuedJobStatus.Pending, 0, null, T0, T0);

    private static IWorkQueue Queue(SqliteStateStore store, SyncPairKey? pair = null) => store.Pair((pair ?? PairA).PairId).Queue(SyncDirection.BcToMarketo);

    [Fact]
    public void Same_record_enqueued_twice_is_one_job_with_the_latest_payload()
    {
        using var store = SqliteStateStore.Open(DbPath);
        Queue(store).Enqueue([Job("C1", "{\"v\":1}")], T0);
        Queue(store).Enqueue([Job("C1", "{\"v\":2}"), Job("C2")], T0.AddSeconds(1));

        var pending = Queue(store).Take(QueuedJobStatus.Pending, "Company", 10);
        Assert.Equal(["company:C1", "company:C2"], pending.Select(j => j.JobId));
        Assert.Equal("{\"v\":2}", pending[0].Payload);
    }

    [Fact]
    public void Queue_survives_reopening_the_file()
    {
        using (var store = SqliteStateStore.Open(DbPath))
        {
            Assert.True(store.Created);
            Queue(store).Enqueue([Job("C1")], T0);
        }
        using var reopened = SqliteStateStore.Open(DbPath);
        Assert.False(reopened.Created);
        Assert.Equal(1, Queue(reopened).Count(QueuedJobStatus.Pending));
    }

    [Fact]
    public void Completing_a_job_that_was_enqueued_again_keeps_the_newer_one()
    {
        using var store = SqliteStateStore.Open(DbPath);
        Queue(store).Enqueue([Job("C1", "old")], T0);
        var taken = Queue(store).Take(QueuedJobStatus.Pending, null, 10);
        Queue(store).Enqueue([Job("C1", "new")], T0.AddSeconds(5));
        Queue(store).Complete(taken);
        var left = Assert.Single(Queue(store).Take(QueuedJobStatus.Pending, null, 10));
        Assert.Equal("new", left.Payload);
    }

    [Fact]
    public void Parked_jobs_keep_their_reason_and_come_back_on_unpark()
    {
        using var store = SqliteStateStore.Open(DbPath);
        Queue(store).Enqueue([Job("C1"), Job("C2")], T0);
        var taken = Queue(store).Take(QueuedJobStatus.Pending, null, 10);
        Queue(store).Park([(taken[0], "1006 Field 'x' not found")], T0.AddMinutes(1));

        var parked = Assert.Single(Queue(store).Take(QueuedJobStatus.Parked, null, 10));
        Assert.Equal("1006 Field 'x' not found", parked.LastError);
        Assert.Equal(1, parked.Attempts);
        Assert.Equal(1, Queue(store).Unpark(["C1"], T0.AddMinutes(2)));
        Assert.Equal(0, Queue(store).Count(QueuedJobStatus.Parked));
    }

    [Fact]
    public void Source_number_patterns_take_star_and_question_mark_and_nothing_else_as_wildcards()
    {
        using var store = SqliteStateStore.Open(DbPath);
        Queue(store).Enqueue([Job("C10"), Job("C11"), Job("C2"), Job("X_1"), Job("XA1"), Job("c100%")], T0);
        string[] Taken(params string[] patterns) => Queue(store).Take(QueuedJobStatus.Pending, null, 10, patterns).Select(j => j.SourceNumber).ToArray();

        Assert.Equal(["C10", "C11", "c100%"], Taken("c1*"));
        Assert.Equal(["C10", "C11"], Taken("C1?"));
        Assert.Equal(["C2", "X_1"], Taken("C2", "X_1"));
        Assert.Equal(["c100%"], Taken("C100%"));
        Assert.Empty(Taken("C1%"));
    }

    [Fact]
    public void Record_state_keeps_the_known_target_id_when_a_later_write_has_none()
    {
        using var store = SqliteStateStore.Open(DbPath);
        var records = store.Pair(PairA.PairId).Records(SyncDirection.BcToMarketo);
        records.Save([new RecordState("company:C1", "C1", "h1", "42", T0)]);
        records.Save([new RecordState("company:C1", "C1", "h2", null, T0.AddMinutes(1))]);
        var state = records.Get(["company:C1", "company:missing"]);
        Assert.Equal("h2", state["company:C1"].ContentHash);
        Assert.Equal("42", state["company:C1"].TargetId);
        Assert.False(state.ContainsKey("company:missing"));
    }

    [Fact]
    public void Record_state_keeps_the_field_digests_it_was_given_and_the_known_ones_when_a_later_save_has_none()
    {
        using var store = SqliteStateStore.Open(DbPath);
        var records = store.Pair(PairA.PairId).Records(SyncDirection.BcToMarketo);
        records.Save([new RecordState("company:C1", "C1", "h1", "42", T0) { FieldHashes = new Dictionary<string, string> { ["city"] = "0a0b0c0d", ["phone"] = "01020304" } }]);
        Assert.Equal(new Dictionary<string, string> { ["city"] = "0a0b0c0d", ["phone"] = "01020304" }, records.Get(["company:C1"])["company:C1"].FieldHashes);

        // A record skipped rather than written (CRM sync) saves no digests: those of its last write stay.
        records.Save([new RecordState("company:C1", "C1", "crm:h2", null, T0.AddMinutes(1))]);
        Assert.Equal("01020304", records.Get(["company:C1"])["company:C1"].FieldHashes!["phone"]);

        records.Save([new RecordState("company:C1", "C1", "h3", "42", T0.AddMinutes(2)) { FieldHashes = new Dictionary<string, string> { ["city"] = "ffffffff" } }]);
        Assert.Equal(new Dictionary<string, string> { ["city"] = "ffffffff" }, records.Get(["company:C1"])["company:C1"].FieldHashes);
        records.Save([new RecordState("company:C2", "C2", "h", "7", T0)]);
        Assert.Null(records.Get(["company:C2"])["company:C2"].FieldHashes);
    }

    [Fact]
    public void Pairs_and_directions_keep_their_state_apart()
    {
        using var store = SqliteStateStore.Open(DbPath);
        var a = store.Pair(PairA.PairId);
        var b = store.Pair(PairB.PairId);
        Queue(store, PairA).Enqueue([Job("C1", "a")], T0);
        Queue(store, PairB).Enqueue([Job("C1", "b")], T0);
        a.Records(SyncDirection.BcToMarketo).Save([new RecordState("Company:C1", "C1", "hash-a", "1", T0)]);
        b.Records(SyncDirection.BcToMarketo).Save([new RecordState("Company:C1", "C1", "hash-b", "2", T0)]);
        a.Checkpoints.Advance(SyncCheckpoints.Customers, T0, T0);
        b.Checkpoints.Advance(SyncCheckpoints.Customers, T0.AddDays(-1), T0);

        Assert.Equal("a", Assert.Single(Queue(store, PairA).Take(QueuedJobStatus.Pending, null, 10)).Payload);
        Assert.Equal("b", Assert.Single(Queue(store, PairB).Take(QueuedJobStatus.Pending, null, 10)).Payload);
        Assert.Equal("hash-a", a.Records(SyncDirection.BcToMarketo).Get(["Company:C1"])["Company:C1"].ContentHash);
        Assert.Equal("hash-b", b.Records(SyncDirection.BcToMarketo).Get(["Company:C1"])["Company:C1"].ContentHash);
        Assert.Empty(a.Records(SyncDirection.MarketoToBc).Get(["Company:C1"]));
        Assert.Equal(0, a.Queue(SyncDirection.MarketoToBc).Count(QueuedJobStatus.Pending));
        Assert.Equal(T0, a.Checkpoints.Get(SyncCheckpoints.Customers));
        Assert.Equal(T0.AddDays(-1), b.Checkpoints.Get(SyncCheckpoints.Customers));
    }

    [Fact]
    public void Checkpoint_only_moves_forward()
    {
        using var store = SqliteStateStore.Open(DbPath);
        var checkpoints = store.Pair(PairA.PairId).Checkpoints;
        Assert.Null(checkpoints.Get("bc.customers"));
        checkpoints.Advance("bc.customers", T0, T0);
        checkpoints.Advance("bc.customers", T0.AddHours(-1), T0);
        Assert.Equal(T0, checkpoints.Get("bc.customers"));
        checkpoints.Advance("bc.customers", T0.AddHours(1), T0);
        Assert.Equal(T0.AddHours(1), checkpoints.Get("bc.customers"));
    }

    [Fact]
    public void Checkpoint_boundary_is_replaced_with_the_checkpoint_and_survives_reopening()
    {
        var a = Guid.NewGuid();
        var b = Guid.NewGuid();
        using (var store = SqliteStateStore.Open(DbPath))
        {
            var checkpoints = store.Pair(PairA.PairId).Checkpoints;
            checkpoints.Advance("bc.contacts", T0, [new(a, T0.AddSeconds(-30)), new(b, T0)], T0);
            checkpoints.Advance("bc.contacts", T0.AddMinutes(1), [new(b, T0.AddMinutes(1))], T0);
        }
        using var reopened = SqliteStateStore.Open(DbPath);
        var again = reopened.Pair(PairA.PairId).Checkpoints;
        Assert.Equal(T0.AddMinutes(1), again.Get("bc.contacts"));
        var boundary = again.Boundary("bc.contacts");
        Assert.Equal(T0.AddMinutes(1), Assert.Single(boundary, r => r.Key == b).Value);
        Assert.False(boundary.ContainsKey(a));
    }

    [Fact]
    public void A_watermark_keeps_its_token_and_time_per_pair()
    {
        using var store = SqliteStateStore.Open(DbPath);
        var checkpoints = store.Pair(PairA.PairId).Checkpoints;
        Assert.Null(checkpoints.GetWatermark(SyncCheckpoints.LeadChanges));
        checkpoints.SetWatermark(SyncCheckpoints.LeadChanges, new Watermark("TOKEN-1", T0), T0);
        checkpoints.SetWatermark(SyncCheckpoints.LeadChanges, new Watermark("TOKEN-2", T0.AddMinutes(5)), T0.AddMinutes(5));
        Assert.Equal(new Watermark("TOKEN-2", T0.AddMinutes(5)), checkpoints.GetWatermark(SyncCheckpoints.LeadChanges));
        Assert.Null(store.Pair(PairB.PairId).Checkpoints.GetWatermark(SyncCheckpoints.LeadChanges));
    }

    [Fact]
    public void Links_are_found_by_bc_number_and_by_marketo_id_and_keep_a_known_bc_id()
    {
        using var store = SqliteStateStore.Open(DbPath);
        var links = store.Pair(PairA.PairId).Links;
        var id = Guid.NewGuid();
        links.Save([new RecordLink(LinkKind.Customer, "C1", id, 501, "C1", T0), new RecordLink(LinkKind.Contact, "CT1", null, 9001, "ann@example.com", T0)]);
        links.Save([new RecordLink(LinkKind.Customer, "C1", null, 501, "C1", T0.AddMinutes(1))]);

        Assert.Equal(id, links.ByBcNumber(LinkKind.Customer, ["C1", "C9"]).Single().Value.BcId);
        Assert.Equal("CT1", links.ByMarketoId(LinkKind.Contact, [9001, 501])[9001].BcNumber);
        Assert.Empty(links.ByMarketoId(LinkKind.Customer, [9001]));
        Assert.Equal(1, links.Count(LinkKind.Customer));
        Assert.Equal(0, store.Pair(PairB.PairId).Links.Count(LinkKind.Customer));
    }

    [Fact]
    public void A_pair_is_registered_once_and_keeps_its_creation_while_name_and_prefix_follow_the_latest_run()
    {
        using var store = SqliteStateStore.Open(DbPath);
        var first = store.RegisterPair(new SyncPair(PairA, "CRONUS", "", T0));
        var again = store.RegisterPair(new SyncPair(PairA, "CRONUS Renamed", "UK-", T0.AddDays(1)));
        store.RecordRun(PairA.PairId, T0.AddDays(1));

        Assert.True(first.IsNew);
        Assert.False(again.IsNew);
        var pair = Assert.Single(store.Pairs());
        Assert.Equal(("CRONUS Renamed", "UK-", T0, T0.AddDays(1)), (pair.BcCompanyName, pair.CompanyKeyPrefix, pair.CreatedAt, pair.LastRunAt!.Value));
    }

    [Fact]
    public void The_pair_key_ignores_case_and_spacing_and_gives_each_pair_its_own_stable_id()
    {
        var company = Guid.NewGuid();
        var a = SyncPairKey.Create("Contoso-Tenant", "Production", company, "123-abc-456");
        var b = SyncPairKey.Create(" contoso-tenant ", "PRODUCTION", company, "123-ABC-456");
        Assert.Equal(a, b);
        Assert.Equal(a.PairId, b.PairId);
        Assert.NotEqual(a.PairId, SyncPairKey.Create("contoso-tenant", "Production", company, "999-XYZ-999").PairId);
        Assert.NotEqual(a.PairId, SyncPairKey.Create("contoso-tenant", "Sandbox", company, "123-ABC-456").PairId);
        Assert.Matches("^pair-[0-9a-f]{16}$", a.PairId);
    }

    [Fact]
    public void A_file_that_is_not_a_database_reports_the_state_store_unavailable()
    {
        File.WriteAllText(DbPath, "this is not a SQLite database, but something else entirely; " + new string('x', 4096));
        var error = Assert.Throws<StateStoreException>(() => SqliteStateStore.Open(DbPath));
        Assert.Equal("StateStoreUnavailable", error.ErrorId);
        Assert.Contains(DbPath, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_empty_file_is_created_as_a_new_store()
    {
        File.WriteAllBytes(DbPath, []);
        using var store = SqliteStateStore.Open(DbPath);
        Assert.True(store.Created);
        Assert.Equal(SqliteMigrationsVersion, store.SchemaVersion);
    }

    [Fact]
    public void A_database_damaged_inside_reports_the_state_store_unavailable_when_it_is_read()
    {
        using (var store = SqliteStateStore.Open(DbPath))
        {
            store.RegisterPair(new SyncPair(PairA, "CRONUS", "", T0));
            Queue(store).Enqueue(Enumerable.Range(0, 200).Select(i => Job("C" + i, new string('x', 500))), T0);
            store.Describe();
        }
        // Keep the header page (the file still opens as SQLite), overwrite every page after it.
        var bytes = File.ReadAllBytes(DbPath);
        Assert.True(bytes.Length > 8192);
        for (var i = 4096; i < bytes.Length; i++) bytes[i] = 0x5A;
        File.WriteAllBytes(DbPath, bytes);

        var error = Assert.Throws<StateStoreException>(() =>
        {
            using var damaged = SqliteStateStore.Open(DbPath);
            damaged.Pairs();
            Queue(damaged).Count(QueuedJobStatus.Pending);
        });
        Assert.Equal("StateStoreUnavailable", error.ErrorId);
        Assert.IsAssignableFrom<MlConnectorException>(error);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_store_created_again_after_runs_warns_that_everything_is_sent_again_and_a_first_store_says_so_verbosely(bool earlierRuns)
    {
        var audit = new MlConnector.Engine.Audit.AuditLog(Path.Combine(_folder, "audit"));
        if (earlierRuns) audit.Append(new MlConnector.Engine.Audit.AuditRecord
        {
            Time = T0, CorrelationId = "earlier", Direction = "BcToMarketo", SourceType = "Customer", SourceNumber = "C1", TargetType = "Company", Action = "Created",
        });
        var log = new MlConnector.Engine.Tests.BusinessCentral.TestLog();
        using (var store = SqliteStateStore.Open(DbPath)) SyncPairs.ReportCreatedStore(store, audit, log);
        using (var again = SqliteStateStore.Open(DbPath)) SyncPairs.ReportCreatedStore(again, audit, log);

        var line = Assert.Single(log.Lines);
        if (earlierRuns) Assert.StartsWith("WARNING " + MlConnector.Engine.Diagnostics.EngineWarnings.StateCreated, line, StringComparison.Ordinal);
        else Assert.StartsWith("VERBOSE ", line, StringComparison.Ordinal);
        Assert.Contains(DbPath, line, StringComparison.Ordinal);
    }

    [Fact]
    public void Subscriptions_belong_to_their_pair_are_replaced_by_id_and_keep_where_the_client_state_is_never_its_value()
    {
        using (var store = SqliteStateStore.Open(DbPath))
        {
            var a = store.Pair(PairA.PairId).Subscriptions;
            var vaulted = new SubscriptionRecord("sub-1", "customers", "/api/v2.0/companies(a1)/customers", "https://hooks.example/a", T0.AddDays(3), "W/\"1\"",
                new ClientStateLocation("CorpVault", "MlConnector-BcClientState-" + PairA.PairId), T0, T0);
            a.Save(vaulted);
            a.Save(vaulted with { SubscriptionId = "sub-2", EntitySet = "contacts", ClientState = ClientStateLocation.Caller });
            a.Save(vaulted with { ExpiresAt = T0.AddDays(5), ETag = "W/\"2\"", UpdatedAt = T0.AddDays(2) });
            store.Pair(PairB.PairId).Subscriptions.Save(vaulted with { SubscriptionId = "sub-b" });
        }

        using var reopened = SqliteStateStore.Open(DbPath);
        var stored = reopened.Pair(PairA.PairId).Subscriptions.All();
        Assert.Equal(["sub-1", "sub-2"], stored.Select(s => s.SubscriptionId));
        Assert.Equal((T0.AddDays(5), "W/\"2\"", T0), (stored[0].ExpiresAt, stored[0].ETag, stored[0].CreatedAt));
        Assert.Equal(("CorpVault", true), (stored[0].ClientState.Vault, stored[0].ClientState.InVault));
        Assert.Equal(ClientStateLocation.Caller, stored[1].ClientState);
        Assert.Equal("sub-b", Assert.Single(reopened.Pair(PairB.PairId).Subscriptions.All()).SubscriptionId);
        Assert.True(reopened.Pair(PairA.PairId).Subscriptions.Remove("sub-2"));
        Assert.False(reopened.Pair(PairA.PairId).Subscriptions.Remove("sub-b"));
        Assert.Equal(["sub-1"], reopened.Pair(PairA.PairId).Subscriptions.All().Select(s => s.SubscriptionId));
    }

    private static int SqliteMigrationsVersion => 9;

    public void Dispose()
    {
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { }
    }
}
