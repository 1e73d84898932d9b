using MlConnector.Engine.Diagnostics;
using MlConnector.Engine.State;
using MlConnector.Engine.Sync;
using Xunit.Abstractions;

namespace MlConnector.Engine.Tests.State;

/// <summary>
/// What every state store must do, run against each one (SqliteStoreContractTests, TableStoreContractTests): the work
/// queue, record state, checkpoints and watermarks, links, the pairs registry and the lease. A store opened twice on the
/// same storage stands for a second writer (another run, runspace or process); the concurrent-writer tests start real
/// processes (ConcurrentWriterContract).
/// </summary>
public abstract partial class StateStoreContract(ITestOutputHelper output)
{
    protected static readonly DateTimeOffset T0 = new(2026, 11, 27, 10, 0, 0, TimeSpan.Zero);
    protected static readonly SyncPairKey PairA = SyncPairKey.Create("tenant-a", "Production", Guid.Parse("00000000-0000-0000-0000-0000000000a1"), "111-AAA-111");
    protected static readonly SyncPairKey PairB = SyncPairKey.Create("tenant-a", "Production", Guid.Parse("00000000-0000-0000-0000-0000000000b2"), "111-AAA-111");

    /// <summary>A new store object on this test's storage: the first call creates it, later calls are other writers or a reopen.</summary>
    protected abstract IStateStore Open();

    /// <summary>How the SyncRunner's contend mode opens this test's storage (--sqlite, or --table-connection and --table-prefix).</summary>
    protected abstract string[] RunnerStore();

    protected static QueuedJob Job(string number, string payload = "{}", string type = "Company") =>
        new((type == "Company" ? "company:" : "lead:") + number, type, type == "Company" ? "Customer" : "Contact", number, payload, QueuedJobStatus.Pending, 0, null, T0, T0);

    protected static IWorkQueue Queue(IStateStore store, SyncPairKey? pair = null, SyncDirection direction = SyncDirection.BcToMarketo)
        => store.Pair((pair ?? PairA).PairId).Queue(direction);

    [Fact]
    public void A_new_store_says_it_was_created_and_a_reopened_one_does_not()
    {
        using (var store = Open())
        {
            Assert.True(store.Created);
            Assert.False(store.HasUnclaimedState());
            Queue(store).Enqueue([Job("C1")], T0);
        }
        using var reopened = Open();
        Assert.False(reopened.Created);
        Assert.Equal(1, Queue(reopened).Count(QueuedJobStatus.Pending));
    }

    [Fact]
    public void Same_record_enqueued_twice_is_one_job_with_the_latest_payload_in_its_first_place()
    {
        using var store = Open();
        Queue(store).Enqueue([Job("C1", "{\"v\":1}")], T0);
        Queue(store).Enqueue([Job("C2"), Job("C1", "{\"v\":2}"), Job("C3", "{\"v\":1}"), Job("C3", "{\"v\":3}")], T0.AddSeconds(1));

        var pending = Queue(store).Take(QueuedJobStatus.Pending, "Company", 10);
        Assert.Equal(["company:C1", "company:C2", "company:C3"], pending.Select(j => j.JobId));
        Assert.Equal(["{\"v\":2}", "{}", "{\"v\":3}"], pending.Select(j => j.Payload));
        Assert.Equal(T0.AddSeconds(1), pending[0].UpdatedAt);
        Assert.Equal(3, Queue(store).Count(QueuedJobStatus.Pending));
    }

    [Fact]
    public void Jobs_queued_by_a_later_call_come_after_every_job_queued_before()
    {
        using var store = Open();
        Queue(store).Enqueue([Job("A"), Job("B"), Job("C")], T0);
        Queue(store).Enqueue([Job("D")], T0.AddSeconds(1));
        Queue(store).Enqueue([Job("E"), Job("F")], T0.AddSeconds(2));

        Assert.Equal(["A", "B", "C", "D", "E", "F"], Queue(store).Take(QueuedJobStatus.Pending, "Company", 10).Select(j => j.SourceNumber));
    }

    [Fact]
    public void A_queue_of_hundreds_of_jobs_of_two_types_keeps_enqueue_order_and_is_taken_in_batches()
    {
        using var store = Open();
        var jobs = Enumerable.Range(0, 260).Select(i => Job($"N{i:D3}", type: i % 3 == 0 ? "Lead" : "Company")).ToList();
        Assert.Equal(260, Queue(store).Enqueue(jobs, T0));

        Assert.Equal(jobs.Where(j => j.TargetType == "Company").Take(100).Select(j => j.JobId), Queue(store).Take(QueuedJobStatus.Pending, "Company", 100).Select(j => j.JobId));
        Assert.Equal(jobs.Select(j => j.JobId), Queue(store).Take(QueuedJobStatus.Pending, null, 1000).Select(j => j.JobId));
        Assert.Equal(jobs.Select(j => j.JobId).ToHashSet(), Queue(store).JobIds(QueuedJobStatus.Pending));

        var companies = Queue(store).Take(QueuedJobStatus.Pending, "Company", 300);
        Queue(store).Complete(companies);
        Assert.Equal(jobs.Count(j => j.TargetType == "Lead"), Queue(store).Count(QueuedJobStatus.Pending));
        Assert.Empty(Queue(store).Take(QueuedJobStatus.Pending, "Company", 10));
    }

    [Fact]
    public void A_large_payload_comes_back_whole()
    {
        using var store = Open();
        // Past a string column's 64 KiB, with a surrogate pair at every boundary a naive split would cut.
        var payload = "{\"notes\":\"" + string.Concat(Enumerable.Repeat("ab😀", 40_000)) + "\"}";
        Queue(store).Enqueue([Job("BIG", payload)], T0);
        Assert.Equal(payload, Assert.Single(Queue(store).Take(QueuedJobStatus.Pending, "Company", 1)).Payload);
    }

    [Fact]
    public void Completing_a_job_another_writer_enqueued_again_keeps_the_newer_one()
    {
        using var store = Open();
        using var other = Open();
        Queue(store).Enqueue([Job("C1", "old"), Job("C2", "done")], T0);
        var taken = Queue(store).Take(QueuedJobStatus.Pending, null, 10);
        Queue(other).Enqueue([Job("C1", "new")], T0.AddSeconds(5));
        Queue(store).Complete(taken);

        var left = Assert.Single(Queue(store).Take(QueuedJobStatus.Pending, null, 10));
        Assert.Equal(("company:C1", "new"), (left.JobId, left.Payload));
        Assert.Equal(1, Queue(other).Count(QueuedJobStatus.Pending));
    }

    [Fact]
    public void Parked_jobs_keep_their_reason_count_attempts_and_come_back_on_unpark_with_a_new_payload_when_enqueued_again()
    {
        using var store = Open();
        Queue(store).Enqueue([Job("C1"), Job("C2"), Job("C3")], T0);
        var taken = Queue(store).Take(QueuedJobStatus.Pending, null, 10);
        Queue(store).Park([(taken[0], "1006 Field 'x' not found"), (taken[2], "1003 bad")], T0.AddMinutes(1));
        Queue(store).Park([(taken[0], "1006 again")], T0.AddMinutes(2));

        var parked = Queue(store).Take(QueuedJobStatus.Parked, null, 10);
        Assert.Equal(["company:C1", "company:C3"], parked.Select(j => j.JobId));
        Assert.Equal(("1006 again", 2), (parked[0].LastError, parked[0].Attempts));
        Assert.Equal(["company:C2"], Queue(store).JobIds(QueuedJobStatus.Pending));

        Assert.Equal(1, Queue(store).Unpark(["C1"], T0.AddMinutes(3)));
        Queue(store).Enqueue([Job("C3", "fixed")], T0.AddMinutes(4));
        Assert.Equal(0, Queue(store).Count(QueuedJobStatus.Parked));
        var pending = Queue(store).Take(QueuedJobStatus.Pending, null, 10);
        Assert.Equal(["company:C1", "company:C2", "company:C3"], pending.Select(j => j.JobId));
        Assert.Equal(("fixed", 1, "1003 bad"), (pending[2].Payload, pending[2].Attempts, pending[2].LastError));
    }

    [Fact]
    public void Source_number_patterns_take_star_and_question_mark_and_nothing_else_as_wildcards()
    {
        using var store = Open();
        Queue(store).Enqueue([Job("C10"), Job("C11"), Job("C2"), Job("X_1"), Job("XA1"), Job("c100%")], T0);
        string[] Taken(params string[] patterns) => Queue(store).Take(QueuedJobStatus.Pending, null, 10, patterns).Select(j => j.SourceNumber).ToArray();

        Assert.Equal(["C10", "C11", "c100%"], Taken("c1*"));
        Assert.Equal(["C10", "C11"], Taken("C1?"));
        Assert.Equal(["C2", "X_1"], Taken("C2", "X_1"));
        Assert.Equal(["c100%"], Taken("C100%"));
        Assert.Empty(Taken("C1%"));
    }

    [Fact]
    public void Record_state_keeps_the_known_target_id_when_a_later_write_has_none_and_takes_any_key()
    {
        using var store = Open();
        var records = store.Pair(PairA.PairId).Records(SyncDirection.BcToMarketo);
        string[] keys = ["company:C1", "lead:a/b#c?d%e|f~g\\h@example.com", "lead:" + new string('x', 900) + "@example.com"];
        records.Save(keys.Select(k => new RecordState(k, "C1", "h1", "42", T0)));
        records.Save([new RecordState(keys[0], "C1", "h2", null, T0.AddMinutes(1)), new RecordState(keys[1], "C1", "h3", "7", T0), new RecordState(keys[1], "C1", "h4", null, T0)]);

        var state = records.Get([.. keys, "company:missing"]);
        Assert.Equal(("h2", "42"), (state[keys[0]].ContentHash, state[keys[0]].TargetId));
        Assert.Equal(("h4", "7"), (state[keys[1]].ContentHash, state[keys[1]].TargetId));
        Assert.Equal(keys[2], state[keys[2]].TargetKey);
        Assert.False(state.ContainsKey("company:missing"));
        Assert.Equal(3, records.Count());
        Assert.Equal(keys.Order(StringComparer.Ordinal), ((IPairStateTransfer)store.Pair(PairA.PairId)).AllRecordStates(SyncDirection.BcToMarketo).Select(s => s.TargetKey).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Pairs_and_directions_keep_their_state_apart()
    {
        using var store = Open();
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
    public void A_checkpoint_only_moves_forward_even_when_another_writer_moved_it()
    {
        using var store = Open();
        using var other = Open();
        var checkpoints = store.Pair(PairA.PairId).Checkpoints;
        Assert.Null(checkpoints.Get("bc.customers"));
        checkpoints.Advance("bc.customers", T0, T0);
        checkpoints.Advance("bc.customers", T0.AddHours(-1), T0);
        Assert.Equal(T0, checkpoints.Get("bc.customers"));
        other.Pair(PairA.PairId).Checkpoints.Advance("bc.customers", T0.AddHours(2), T0);
        checkpoints.Advance("bc.customers", T0.AddHours(1), [], T0);
        Assert.Equal(T0.AddHours(2), checkpoints.Get("bc.customers"));
    }

    [Fact]
    public void A_checkpoint_boundary_of_thousands_is_replaced_with_the_checkpoint_and_survives_reopening()
    {
        // Every third record's ETag is unknown (0), as in a boundary written before digests were kept.
        var first = Enumerable.Range(0, 6000).ToDictionary(_ => Guid.NewGuid(), i => ReadVersion.Of(T0.AddMilliseconds(-i), i % 3 == 0 ? null : $"W/\"etag-{i}\""));
        var second = first.Keys.Take(3000).Concat(Enumerable.Range(0, 10).Select(_ => Guid.NewGuid()))
            .ToDictionary(id => id, id => ReadVersion.Of(T0.AddMinutes(1), "W/\"" + id + "\""));
        Assert.Equal(2000, first.Values.Count(v => v.ETagDigest == 0));
        using (var store = Open())
        {
            var checkpoints = store.Pair(PairA.PairId).Checkpoints;
            checkpoints.Advance("bc.contacts", T0, first, T0);
            Assert.Equal(first, checkpoints.Boundary("bc.contacts"));
            checkpoints.Advance("bc.contacts", T0.AddMinutes(1), second, T0);
        }
        using var reopened = Open();
        var again = reopened.Pair(PairA.PairId).Checkpoints;
        Assert.Equal(T0.AddMinutes(1), again.Get("bc.contacts"));
        Assert.Equal(second, again.Boundary("bc.contacts"));
        Assert.Empty(again.Boundary("bc.customers"));
        Assert.Equal(["bc.contacts"], ((IPairStateTransfer)reopened.Pair(PairA.PairId)).CheckpointNames());
    }

    [Fact]
    public void A_watermark_keeps_its_token_and_time_per_pair()
    {
        using var store = Open();
        var checkpoints = store.Pair(PairA.PairId).Checkpoints;
        Assert.Null(checkpoints.GetWatermark(SyncCheckpoints.LeadChanges));
        checkpoints.SetWatermark(SyncCheckpoints.LeadChanges, new Watermark("TOKEN-1", T0), T0);
        checkpoints.SetWatermark(SyncCheckpoints.LeadChanges, new Watermark("TOKEN-2", T0.AddMinutes(5)), T0.AddMinutes(5));
        Assert.Equal(new Watermark("TOKEN-2", T0.AddMinutes(5)), checkpoints.GetWatermark(SyncCheckpoints.LeadChanges));
        Assert.Null(store.Pair(PairB.PairId).Checkpoints.GetWatermark(SyncCheckpoints.LeadChanges));
        Assert.Equal([SyncCheckpoints.LeadChanges], ((IPairStateTransfer)store.Pair(PairA.PairId)).WatermarkNames());
    }

    [Fact]
    public void Links_are_found_by_bc_number_and_by_marketo_id_and_keep_a_known_bc_id()
    {
        using var store = Open();
        var links = store.Pair(PairA.PairId).Links;
        var id = Guid.NewGuid();
        links.Save([new RecordLink(LinkKind.Customer, "C1", id, 501, "C1", T0), new RecordLink(LinkKind.Contact, "CT1", null, 9001, "ann@example.com", T0)]);
        links.Save([new RecordLink(LinkKind.Customer, "C1", null, 501, "C1", T0.AddMinutes(1))]);
        // The lead was merged in Marketo: the contact now is lead 9002, and 9001 is no one's.
        links.Save([new RecordLink(LinkKind.Contact, "CT1", null, 9002, null, T0.AddMinutes(2))]);

        Assert.Equal(id, links.ByBcNumber(LinkKind.Customer, ["C1", "C9"]).Single().Value.BcId);
        var lead = links.ByMarketoId(LinkKind.Contact, [9002, 9001, 501]);
        Assert.Equal(("CT1", (string?)null), (Assert.Single(lead).Value.BcNumber, lead[9002].MarketoKey));
        Assert.Empty(links.ByMarketoId(LinkKind.Customer, [9001]));
        Assert.Equal(1, links.Count(LinkKind.Customer));
        Assert.Equal(0, store.Pair(PairB.PairId).Links.Count(LinkKind.Customer));
    }

    [Fact]
    public void A_pair_is_registered_once_and_keeps_its_creation_while_name_and_prefix_follow_the_latest_run()
    {
        using var store = Open();
        var first = store.RegisterPair(new SyncPair(PairA, "CRONUS", "", T0));
        using (var other = Open()) Assert.False(other.RegisterPair(new SyncPair(PairA, "CRONUS Renamed", "UK-", T0.AddDays(1))).IsNew);
        store.RecordRun(PairA.PairId, T0.AddDays(1));
        store.RegisterPair(new SyncPair(PairB, null, "", T0.AddHours(1)));

        Assert.True(first.IsNew);
        Assert.Equal(0, first.AdoptedRows);
        var pairs = store.Pairs();
        Assert.Equal([PairA.PairId, PairB.PairId], pairs.Select(p => p.PairId));
        Assert.Equal(("CRONUS Renamed", "UK-", T0, T0.AddDays(1)), (pairs[0].BcCompanyName, pairs[0].CompanyKeyPrefix, pairs[0].CreatedAt, pairs[0].LastRunAt!.Value));
        Assert.Equal(PairA, pairs[0].Key);
        Assert.Null(pairs[1].BcCompanyName);
    }

    [Fact]
    public void The_lease_has_one_holder_until_released_or_expired_and_an_expired_holder_cannot_renew()
    {
        using var store = Open();
        using var other = Open();
        var mine = store.Pair(PairA.PairId).Lease;
        var theirs = other.Pair(PairA.PairId).Lease;
        var a = new LeaseHolder("run-a", 11, "host-a", T0, T0.AddMinutes(2));
        var b = new LeaseHolder("run-b", 22, "host-b", T0.AddMinutes(1), T0.AddMinutes(3));

        Assert.True(mine.TryAcquire(a, T0).Acquired);
        var refused = theirs.TryAcquire(b, T0.AddMinutes(1));
        Assert.False(refused.Acquired);
        Assert.Equal(a, refused.Holder);
        Assert.True(mine.Renew("run-a", T0.AddMinutes(4)));
        Assert.False(theirs.TryAcquire(b, T0.AddMinutes(3)).Acquired);
        Assert.Null(theirs.Current(T0.AddMinutes(5)));

        // Expired: the next run takes the pair, and the old holder neither renews nor releases it.
        Assert.True(theirs.TryAcquire(b with { ExpiresAt = T0.AddMinutes(9) }, T0.AddMinutes(5)).Acquired);
        Assert.False(mine.Renew("run-a", T0.AddMinutes(10)));
        mine.Release("run-a");
        Assert.Equal("run-b", mine.Current(T0.AddMinutes(6))!.HolderId);
        Assert.Null(store.Pair(PairB.PairId).Lease.Current(T0));

        theirs.Release("run-b");
        Assert.Null(mine.Current(T0.AddMinutes(6)));
        Assert.True(mine.TryAcquire(a with { ExpiresAt = T0.AddMinutes(20) }, T0.AddMinutes(6)).Acquired);
    }

    [Fact]
    public async Task A_killed_runs_lease_blocks_the_pair_only_until_it_expires()
    {
        using var store = Open();
        using var other = Open();
        var dead = new LeaseHolder("dead-run", 999_999, "elsewhere", DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddSeconds(2));
        Assert.True(store.Pair(PairA.PairId).Lease.TryAcquire(dead, DateTimeOffset.UtcNow).Acquired);
        var options = new SyncLeaseOptions { Wait = TimeSpan.FromMinutes(1), Duration = TimeSpan.FromMinutes(2) };

        await using var taken = await SyncLease.AcquireAsync(other.Pair(PairA.PairId).Lease, PairA.PairId, options, TimeProvider.System, NullEngineLog.Instance, CancellationToken.None);

        Assert.True(DateTimeOffset.UtcNow >= dead.ExpiresAt);
        Assert.Equal(taken.Holder.HolderId, store.Pair(PairA.PairId).Lease.Current(DateTimeOffset.UtcNow)!.HolderId);
    }

    [Fact]
    public async Task Two_writers_parking_the_same_job_at_once_lose_no_attempt_and_no_enqueue()
    {
        using var store = Open();
        using var other = Open();
        Queue(store).Enqueue([Job("SHARED")], T0);
        var job = Assert.Single(Queue(store).Take(QueuedJobStatus.Pending, null, 1));
        var writers = new[] { store, other }.Select((s, w) => Task.Run(() =>
        {
            for (var i = 0; i < 15; i++)
            {
                Queue(s).Park([(job, $"writer {w} round {i}")], T0.AddSeconds(i));
                Queue(s).Enqueue([Job($"W{w}-{i}")], T0.AddSeconds(i));
                s.Pair(PairA.PairId).Checkpoints.Advance("contended", T0.AddSeconds((i * 7 + w * 3) % 23), T0);
            }
        })).ToArray();
        await Task.WhenAll(writers);

        var parked = Assert.Single(Queue(store).Take(QueuedJobStatus.Parked, null, 10));
        Assert.Equal(30, parked.Attempts);
        Assert.Equal(30, Queue(other).Count(QueuedJobStatus.Pending));
        Assert.Equal(T0.AddSeconds(22), store.Pair(PairA.PairId).Checkpoints.Get("contended"));
    }

    [Fact]
    public async Task Two_processes_updating_the_same_pair_at_once_lose_no_update()
    {
        const int rounds = 25;
        using (var store = Open()) Queue(store).Enqueue([Job("SHARED")], T0);
        var gate = Path.Combine(Path.GetTempPath(), "mlc-gate-" + Guid.NewGuid().ToString("N"));
        var writers = new[] { "A", "B" }.Select(w => SyncRunnerProcess.Start(
            ["contend", .. RunnerStore(), "--pair", PairA.PairId, "--writer", w, "--rounds", rounds.ToString(System.Globalization.CultureInfo.InvariantCulture), "--gate", gate])).ToList();
        try
        {
            // Both connected and waiting: open the gate so they write at the same moment.
            using (var ready = new CancellationTokenSource(TimeSpan.FromMinutes(2)))
                while (!File.Exists(gate + ".A") || !File.Exists(gate + ".B"))
                {
                    Assert.All(writers, w => Assert.False(w.Process.HasExited, w.Error.IsCompleted ? w.Error.Result : "exited"));
                    await Task.Delay(20, ready.Token);
                }
            await File.WriteAllTextAsync(gate, "go");
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
            var outcomes = new List<System.Text.Json.JsonElement>();
            foreach (var (process, output, error) in writers)
            {
                await process.WaitForExitAsync(timeout.Token);
                Assert.True(process.ExitCode == 0, await error);
                outcomes.Add(System.Text.Json.JsonDocument.Parse((await output).Trim()).RootElement);
            }

            using var after = Open();
            var parked = Assert.Single(Queue(after).Take(QueuedJobStatus.Parked, null, 10));
            Assert.Equal(2 * rounds, parked.Attempts);
            var expected = new[] { "A", "B" }.SelectMany(w => Enumerable.Range(0, rounds).Select(i => $"company:{w}-{i}")).ToHashSet();
            Assert.Equal(expected, Queue(after).JobIds(QueuedJobStatus.Pending));
            var highest = outcomes.Max(o => o.GetProperty("highestCheckpointSeconds").GetInt32());
            output.WriteLine("Writes retried after losing a race: " + string.Join(", ", outcomes.Select(o => o.GetProperty("writer").GetString() + " " + o.GetProperty("conflictRetries"))));
            Assert.Equal(T0.AddSeconds(highest), after.Pair(PairA.PairId).Checkpoints.Get("contended"));
            Assert.Equal(2 * rounds, after.Pair(PairA.PairId).MarketoCalls.Get(DateOnly.FromDateTime(T0.UtcDateTime)));
        }
        finally
        {
            foreach (var (process, _, _) in writers)
            {
                if (!process.HasExited) process.Kill(entireProcessTree: true);
                process.Dispose();
            }
            foreach (var file in new[] { gate, gate + ".A", gate + ".B" }) File.Delete(file);
        }
    }

    [Fact]
    public void Clearing_a_pair_removes_its_state_and_registration_but_not_another_pairs_or_its_lease()
    {
        using var store = Open();
        store.RegisterPair(new SyncPair(PairA, "A", "", T0));
        store.RegisterPair(new SyncPair(PairB, "B", "", T0));
        foreach (var pair in new[] { PairA, PairB })
        {
            var state = store.Pair(pair.PairId);
            Queue(store, pair).Enqueue([Job("C1")], T0);
            state.Records(SyncDirection.BcToMarketo).Save([new RecordState("company:C1", "C1", "h", "1", T0)]);
            state.Links.Save([new RecordLink(LinkKind.Customer, "C1", null, 1, "C1", T0)]);
            state.Checkpoints.Advance("bc.customers", T0, [new(Guid.NewGuid(), ReadVersion.Of(T0, "W/\"1\""))], T0);
            state.Checkpoints.SetWatermark("feed", new Watermark("t", T0), T0);
        }
        Assert.True(store.Pair(PairA.PairId).Lease.TryAcquire(new LeaseHolder("copy", 1, "h", T0, T0.AddHours(1)), T0).Acquired);

        ((IPairStateTransfer)store.Pair(PairA.PairId)).Clear();

        var a = store.Pair(PairA.PairId);
        Assert.Equal([PairB.PairId], store.Pairs().Select(p => p.PairId));
        Assert.Equal(0, a.Queue(SyncDirection.BcToMarketo).Count(QueuedJobStatus.Pending));
        Assert.Equal(0, a.Records(SyncDirection.BcToMarketo).Count());
        Assert.Equal(0, a.Links.Count(LinkKind.Customer));
        Assert.Null(a.Checkpoints.Get("bc.customers"));
        Assert.Null(a.Checkpoints.GetWatermark("feed"));
        Assert.Equal("copy", a.Lease.Current(T0)!.HolderId);
        Assert.Equal(1, Queue(store, PairB).Count(QueuedJobStatus.Pending));
        Assert.Equal(1, store.Pair(PairB.PairId).Records(SyncDirection.BcToMarketo).Count());
    }

    [Fact]
    public void Jobs_restored_keep_status_attempts_error_and_order()
    {
        using var store = Open();
        var parked = Job("C2") with { Status = QueuedJobStatus.Parked, Attempts = 3, LastError = "1003 bad", UpdatedAt = T0.AddMinutes(5) };
        var transfer = (IPairStateTransfer)store.Pair(PairA.PairId);
        StoredJob[] jobs = [new(Job("C1", "p1"), null), new(parked, null), new(Job("C3", "p3", "Lead"), null)];
        transfer.RestoreJobs(SyncDirection.BcToMarketo, jobs, T0.AddHours(1));

        Assert.Equal(jobs, transfer.AllJobs(SyncDirection.BcToMarketo));
        Assert.Equal(2, Queue(store).Count(QueuedJobStatus.Pending));
        Assert.Empty(transfer.AllJobs(SyncDirection.MarketoToBc));
    }
}
