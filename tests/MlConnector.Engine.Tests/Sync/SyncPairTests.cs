using MlConnector.Engine.Audit;
using MlConnector.Engine.BusinessCentral;
using MlConnector.Engine.Mapping;
using MlConnector.Engine.Marketo;
using MlConnector.Engine.Security;
using MlConnector.Engine.State;
using MlConnector.Engine.State.Sqlite;
using MlConnector.Engine.Sync;
using MlConnector.Engine.Sync.BcToMarketo;
using MlConnector.Engine.Tests.BusinessCentral;
using MlConnector.Engine.Tests.Marketo;
using MlConnector.Sandbox;
using MlConnector.Sandbox.Core;

namespace MlConnector.Engine.Tests.Sync;

/// <summary>
/// One home, several sync pairs: two BC companies with the same customer numbers into one Marketo (company key
/// prefixes), and one company into a second Marketo instance. Each pair keeps its own state.
/// </summary>
public sealed class SyncPairTests
{
    [Fact]
    public async Task Two_companies_with_prefixes_get_one_marketo_company_per_customer_and_keep_their_checkpoints_apart()
    {
        await using var two = await TwoCompanies.StartAsync(customers: 15, pageSize: 200);
        var (bc, home, companyA, companyB, marketo) = (two.Bc, two.Home, two.CompanyA, two.CompanyB, two.Marketo);
        var (storeA, storeB) = (bc.Host.BusinessCentral.Companies[0], bc.Host.BusinessCentral.Companies[1]);
        Assert.Equal(storeA.Customers.Select(c => c.Number), storeB.Customers.Select(c => c.Number));

        await home.RunAsync(companyA, marketo, "A-", bc);
        await home.RunAsync(companyB, marketo, "B-", bc);

        var companies = bc.Host.Marketo.Companies().Select(c => c.ExternalCompanyId).ToList();
        var expected = storeA.Customers.Select(c => "A-" + c.Number).Concat(storeB.Customers.Select(c => "B-" + c.Number));
        Assert.Equal(expected.Order(StringComparer.Ordinal), companies.Order(StringComparer.Ordinal));
        var person = storeB.Contacts.First(c => c.Type == "Person" && EmailRules.Problem(c.Email) is null && c.CompanyNumber.Length > 0
            && storeB.ContactByNumber(c.CompanyNumber)!.LinkedCustomer is not null && !storeA.Contacts.Any(a => EmailRules.Normalize(a.Email) == EmailRules.Normalize(c.Email))
            && storeB.Contacts.Count(o => EmailRules.Normalize(o.Email) == EmailRules.Normalize(c.Email)) == 1);
        var linked = storeB.ContactByNumber(person.CompanyNumber)!.LinkedCustomer!;
        Assert.Equal("B-" + linked.Number, Assert.Single(bc.Host.Marketo.LeadsByEmail(person.Email)).Fields["externalCompanyId"]);
        Assert.Equal(2, home.Store.Pairs().Count);
        // Every audit line names the pair it was written for.
        var (pairA, pairB) = (SyncPairs.KeyOf(companyA, marketo).PairId, SyncPairs.KeyOf(companyB, marketo).PairId);
        var audited = new AuditLogReader(home.Audit.Folder).Read(new AuditQuery()).Where(l => l.TargetType == MarketoRecord.Company).ToList();
        Assert.Equal(30, audited.Count);
        Assert.All(audited, l => Assert.Equal(l.TargetKey!.StartsWith("A-", StringComparison.Ordinal) ? pairA : pairB, l.PairId));

        // Company B changes; ten minutes later company A changes and runs first. A checkpoint shared by the home would now
        // stand past B's change (beyond the overlap window) and B's run would miss it; B's own checkpoint finds it.
        var changedB = storeB.CustomerByNumber("C00003")!;
        bc.Host.BusinessCentral.ModifyCustomerInUi(changedB.Id, c => c.City = "Company B City");
        bc.Host.Clock.Advance(TimeSpan.FromMinutes(10));
        var changedA = storeA.CustomerByNumber("C00005")!;
        bc.Host.BusinessCentral.ModifyCustomerInUi(changedA.Id, c => c.City = "Company A City");

        var runA = await home.RunAsync(companyA, marketo, "A-", bc);
        var runB = await home.RunAsync(companyB, marketo, "B-", bc);

        Assert.Equal("A-C00005", Assert.Single(runA, r => r.TargetType == MarketoRecord.Company && r.Action == SyncAction.Updated).TargetKey);
        Assert.Equal("B-C00003", Assert.Single(runB, r => r.TargetType == MarketoRecord.Company && r.Action == SyncAction.Updated).TargetKey);
        Assert.Equal("Company B City", bc.Host.Marketo.CompanyByExternalId("B-C00003")!.Fields["billingCity"]);
        Assert.Equal("Company A City", bc.Host.Marketo.CompanyByExternalId("A-C00005")!.Fields["billingCity"]);
        Assert.NotEqual("Company B City", bc.Host.Marketo.CompanyByExternalId("A-C00003")!.Fields["billingCity"]);
        var pairs = home.Store.Pairs();
        Assert.NotEqual(home.Store.Pair(pairs[0].PairId).Checkpoints.Get(SyncCheckpoints.Customers), home.Store.Pair(pairs[1].PairId).Checkpoints.Get(SyncCheckpoints.Customers));
    }

    [Fact]
    public async Task Two_pairs_run_at_the_same_time_on_one_state_file_each_under_its_own_lease()
    {
        await using var two = await TwoCompanies.StartAsync(customers: 40, pageSize: 20);
        var (bc, home, companyA, companyB, marketo) = (two.Bc, two.Home, two.CompanyA, two.CompanyB, two.Marketo);
        using var secondOpen = SqliteStateStore.Open(home.Store.Path);

        async Task<List<SyncResult>> RunLeasedAsync(SqliteStateStore store, BusinessCentralClient client, string prefix)
        {
            var pair = SyncPairs.Register(store, SyncPairs.KeyOf(client, marketo), client.Company.Name, prefix, bc.Host.Clock, bc.Log);
            await using var lease = await SyncLease.AcquireAsync(store.Pair(pair.PairId).Lease, pair.PairId, new SyncLeaseOptions(), TimeProvider.System, bc.Log, CancellationToken.None);
            var results = new List<SyncResult>();
            await lease.RunAsync(async token => results.AddRange(await home.RunAsync(client, marketo, prefix, bc, store, token)), CancellationToken.None);
            return results;
        }

        var both = await Task.WhenAll(Task.Run(() => RunLeasedAsync(home.Store, companyA, "A-")), Task.Run(() => RunLeasedAsync(secondOpen, companyB, "B-")));

        // Customers blocked for all transactions are not sent (CustomerBlocked).
        Assert.All(both, results => Assert.Equal(40, results.Count(r => r.TargetType == MarketoRecord.Company && (r.Action == SyncAction.Created || r.Reason == SyncReasons.CustomerBlocked))));
        Assert.Equal(both.Sum(results => results.Count(r => r.TargetType == MarketoRecord.Company && r.Action == SyncAction.Created)), bc.Host.Marketo.CompanyCount);
        Assert.All(home.Store.Pairs(), p => Assert.Equal(0, home.Store.Pair(p.PairId).Queue(SyncDirection.BcToMarketo).Count(QueuedJobStatus.Pending)));
        Assert.Equal(2, home.Store.Pairs().Count);
    }

    [Fact]
    public async Task Without_prefixes_the_second_company_is_refused_before_any_write()
    {
        await using var two = await TwoCompanies.StartAsync(customers: 8, pageSize: 200);
        var (bc, home, companyA, companyB, marketo) = (two.Bc, two.Home, two.CompanyA, two.CompanyB, two.Marketo);
        await home.RunAsync(companyA, marketo, null, bc);
        var marketoCalls = bc.Host.Journal.For(SandboxService.Marketo).Count;

        // No prefix on either side, a prefix on one side only, the same prefix on both: each could collide.
        foreach (var prefix in new string?[] { null, "B-" })
        {
            var refused = await Assert.ThrowsAsync<MlConnectorException>(() => home.RunAsync(companyB, marketo, prefix, bc));
            Assert.Equal(SyncPairs.CompanyKeyPrefixRequired, refused.ErrorId);
            Assert.Contains("-CompanyKeyPrefix", refused.Message, StringComparison.Ordinal);
            Assert.Contains(companyA.Company.Name, refused.Message, StringComparison.Ordinal);
        }
        await home.RunAsync(companyA, marketo, "Same-", bc);
        var same = await Assert.ThrowsAsync<MlConnectorException>(() => home.RunAsync(companyB, marketo, "same-", bc));
        Assert.Equal(SyncPairs.CompanyKeyPrefixRequired, same.ErrorId);

        Assert.Single(home.Store.Pairs());
        Assert.DoesNotContain(bc.Host.Journal.For(SandboxService.Marketo).Skip(marketoCalls), e => e.Method == "POST" && e.Path.StartsWith("/rest/v1/leads.json", StringComparison.Ordinal));
        Assert.DoesNotContain(bc.Host.Marketo.Companies(), c => c.ExternalCompanyId.StartsWith("same-", StringComparison.Ordinal) || c.ExternalCompanyId.StartsWith("B-", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_second_marketo_instance_starts_its_pair_from_nothing_and_leaves_the_first_pairs_state_alone()
    {
        await using var bc = await BcSandbox.StartAsync(customers: 12);
        await using var second = await SandboxHost.StartAsync(new SandboxOptions { Customers = 0, Marketo = { MunchkinId = "222-BBB-222" } });
        using var home = new Home();
        using var company = await bc.ConnectAsync(bc.Settings(pageSize: 200));
        using var first = await ConnectMarketoAsync(bc.Host, bc);
        using var other = await ConnectMarketoAsync(second, bc);
        await home.RunAsync(company, first, null, bc);
        var firstPair = Assert.Single(home.Store.Pairs());
        var before = Snapshot(home.Store.Pair(firstPair.PairId));
        bc.Host.Journal.Clear();

        var results = await home.RunAsync(company, other, null, bc);

        var customers = bc.Host.BusinessCentral.Store.Customers.Select(c => c.Number).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(customers, second.Marketo.Companies().Select(c => c.ExternalCompanyId).Order(StringComparer.Ordinal));
        Assert.Equal(customers, results.Where(r => r.TargetType == MarketoRecord.Company && r.Action == SyncAction.Created).Select(r => r.SourceNumber).Order(StringComparer.Ordinal));
        Assert.Contains(results, r => r.TargetType == MarketoRecord.Lead && r.Action == SyncAction.Created);
        // A full read: the customers were asked for without a lastModifiedDateTime filter.
        Assert.Contains(bc.BcCalls("/customers"), c => !c.Path.Contains("lastModifiedDateTime", StringComparison.Ordinal));
        Assert.Empty(bc.Host.Journal.For(SandboxService.Marketo));
        Assert.Equal(2, home.Store.Pairs().Count);
        Assert.Equal(before, Snapshot(home.Store.Pair(firstPair.PairId)));

        // Get-MlSyncState's rows: one per pair, the lease holder shown while a run holds the pair.
        var secondPair = SyncPairs.KeyOf(company, other).PairId;
        await using (await SyncLease.AcquireAsync(home.Store.Pair(secondPair).Lease, secondPair, new SyncLeaseOptions(), TimeProvider.System, bc.Log, CancellationToken.None))
        {
            var rows = SyncPairStatus.Of(home.Store, DateTimeOffset.UtcNow);
            Assert.Equal([("123-ABC-456", (string?)null), ("222-BBB-222", $"{Environment.ProcessId}@{Environment.MachineName}")], rows.Select(r => (r.MunchkinId!, r.LeaseHolder)));
            Assert.All(rows, r => Assert.Equal((company.Company.Id, 0, 0), (r.BcCompanyId!.Value, r.Pending, r.Parked)));
            Assert.All(rows, r => Assert.True(r.Records >= customers.Length));
            Assert.All(rows, r => Assert.NotNull(r.ContactsReadUntil));
        }
        Assert.All(SyncPairStatus.Of(home.Store, DateTimeOffset.UtcNow), r => Assert.Null(r.LeaseHolder));
    }

    private static string Snapshot(IPairState state) => string.Join("|",
        state.Records(SyncDirection.BcToMarketo).Count(), state.Checkpoints.Get(SyncCheckpoints.Customers), state.Checkpoints.Get(SyncCheckpoints.Contacts),
        state.Checkpoints.Get(SyncCheckpoints.FinancialsRefreshed), state.Queue(SyncDirection.BcToMarketo).Count(QueuedJobStatus.Pending),
        state.Links.Count(LinkKind.Customer), state.Links.Count(LinkKind.Contact));

    /// <summary>A sandbox with two BC companies (the same customer numbers), a client for each, one Marketo and one home.</summary>
    private sealed class TwoCompanies : IAsyncDisposable
    {
        private TwoCompanies(BcSandbox bc, BusinessCentralClient a, BusinessCentralClient b, MarketoClient marketo)
            => (Bc, CompanyA, CompanyB, Marketo) = (bc, a, b, marketo);

        public BcSandbox Bc { get; }
        public Home Home { get; } = new();
        public BusinessCentralClient CompanyA { get; }
        public BusinessCentralClient CompanyB { get; }
        public MarketoClient Marketo { get; }

        public static async Task<TwoCompanies> StartAsync(int customers, int pageSize)
        {
            var bc = await BcSandbox.StartAsync(customers, o => o.Companies = 2);
            return new TwoCompanies(bc, await bc.ConnectAsync(bc.Settings(pageSize)), await bc.ConnectAsync(Company(bc, 2)), await ConnectMarketoAsync(bc.Host, bc));
        }

        public async ValueTask DisposeAsync()
        {
            Home.Dispose();
            Marketo.Dispose();
            CompanyB.Dispose();
            CompanyA.Dispose();
            await Bc.DisposeAsync();
        }
    }

    private static BusinessCentralSettings Company(BcSandbox bc, int number)
    {
        var settings = bc.Settings(pageSize: 200);
        settings.Company = bc.Host.Options.BusinessCentral.CompanyNameOf(number);
        return settings;
    }

    private static Task<MarketoClient> ConnectMarketoAsync(SandboxHost host, BcSandbox bc)
        => MarketoClient.ConnectAsync(MarketoTestHost.SettingsFor(host), new SecretText(host.Marketo.Options.ClientSecret), bc.Log, host.Clock);

    /// <summary>One MlConnector home: a state store and an audit folder that every pair's runs share.</summary>
    private sealed class Home : IDisposable
    {
        private readonly string _folder = Directory.CreateTempSubdirectory("mlc-home-").FullName;

        public Home()
        {
            Store = SqliteStateStore.Open(Path.Combine(_folder, "state", "mlconnector.db"));
            Audit = new AuditLog(Path.Combine(_folder, "audit"));
        }

        public SqliteStateStore Store { get; }

        public AuditLog Audit { get; }

        /// <summary>One run of the pair of <paramref name="bc"/> and <paramref name="marketo"/>, on this home's store or another open of its file.</summary>
        public async Task<List<SyncResult>> RunAsync(BusinessCentralClient bc, MarketoClient marketo, string? prefix, BcSandbox sandbox,
            SqliteStateStore? store = null, CancellationToken cancellationToken = default)
        {
            store ??= Store;
            var pair = SyncPairs.Register(store, SyncPairs.KeyOf(bc, marketo), bc.Company.Name, prefix, sandbox.Host.Clock, sandbox.Log);
            var context = new SyncContext
            {
                BusinessCentral = bc, Marketo = marketo, State = store.Pair(pair.PairId), Audit = Audit, Time = sandbox.Host.Clock, Log = sandbox.Log, ChunkSize = 10,
            };
            return await BcSandbox.ToListAsync(new CustomerToMarketoSync(context, new BcToMarketoMapper(MappingLoader.Default(), prefix)).RunAsync(new CustomerSyncRequest(), cancellationToken), cancellationToken);
        }

        public void Dispose()
        {
            Store.Dispose();
            try { Directory.Delete(_folder, recursive: true); } catch (IOException) { }
        }
    }
}
