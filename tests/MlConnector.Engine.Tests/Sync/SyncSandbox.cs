using MlConnector.Engine.Audit;
using MlConnector.Engine.BusinessCentral;
using MlConnector.Engine.Mapping;
using MlConnector.Engine.Marketo;
using MlConnector.Engine.Security;
using MlConnector.Engine.State;
using MlConnector.Engine.State.Sqlite;
using MlConnector.Engine.State.Tables;
using MlConnector.Engine.Sync;
using MlConnector.Engine.Sync.BcToMarketo;
using MlConnector.Engine.Tests.BusinessCentral;
using MlConnector.Engine.Tests.Marketo;
using MlConnector.Sandbox;
using MlConnector.Sandbox.Core;
using MlConnector.Sandbox.Marketo;

namespace MlConnector.Engine.Tests.Sync;

/// <summary>A private sandbox, both clients connected to it over real HTTP, and a state store and audit folder under a temp folder.</summary>
internal sealed class SyncSandbox : IAsyncDisposable
{
    private readonly BcSandbox _bc;
    private readonly string _folder = Directory.CreateTempSubdirectory("mlc-sync-").FullName;

    private SyncSandbox(BcSandbox bc, BusinessCentralClient bcClient, MarketoClient marketo, string? statePath, string? companyKeyPrefix, Func<IStateStore>? openStore)
    {
        _bc = bc;
        BusinessCentral = bcClient;
        Marketo = marketo;
        Store = openStore?.Invoke() ?? SqliteStateStore.Open(statePath ?? Path.Combine(_folder, "state.db"));
        Pair = SyncPairs.Register(Store, SyncPairs.KeyOf(bcClient, marketo), bcClient.Company.Name, companyKeyPrefix, bc.Host.Clock, bc.Log);
        Audit = new AuditLog(Path.Combine(_folder, "audit"));
    }

    public SandboxHost Host => _bc.Host;

    /// <summary>The sandbox and its BC settings, for a second client (another company).</summary>
    public BcSandbox Bc => _bc;
    public BusinessCentralClient BusinessCentral { get; }
    public MarketoClient Marketo { get; }
    public IStateStore Store { get; }

    /// <summary>The store as the SQLite database it is unless the sandbox was started on another store.</summary>
    public SqliteStateStore Sqlite => Store as SqliteStateStore ?? throw new InvalidOperationException("This sandbox keeps its state in " + Store.Location + ", not SQLite.");

    /// <summary>The sync pair of the two clients, registered in <see cref="Store"/>.</summary>
    public SyncPair Pair { get; }

    public IPairState State => Store.Pair(Pair.PairId);
    public AuditLog Audit { get; }

    public TestLog Log => _bc.Log;

    /// <summary>The folder this sandbox's state and audit live in.</summary>
    public string Folder => _folder;

    /// <summary>A sandbox seeded with <paramref name="customers"/>; the state in a fresh file, in <paramref name="statePath"/>, or in the store <paramref name="openStore"/> opens.</summary>
    public static async Task<SyncSandbox> StartAsync(int customers = 40, Action<SandboxOptions>? configure = null, string? statePath = null,
        Action<BusinessCentralSettings>? bcSettings = null, Action<MarketoSettings>? marketoSettings = null, string? companyKeyPrefix = null,
        Func<IStateStore>? openStore = null)
    {
        var bc = await BcSandbox.StartAsync(customers, configure);
        var settings = bc.Settings(pageSize: 200);
        bcSettings?.Invoke(settings);
        var bcClient = await bc.ConnectAsync(settings);
        var marketo = await ConnectMarketoAsync(bc, marketoSettings);
        return new SyncSandbox(bc, bcClient, marketo, statePath, companyKeyPrefix, openStore);
    }

    /// <summary>Another connection to the sandbox's Marketo (as a later run in a new process would make), with its own quota gate.</summary>
    public Task<MarketoClient> ConnectMarketoAsync(Action<MarketoSettings>? settings = null) => ConnectMarketoAsync(_bc, settings);

    private static Task<MarketoClient> ConnectMarketoAsync(BcSandbox bc, Action<MarketoSettings>? configure)
        => MarketoClient.ConnectAsync(MarketoTestHost.SettingsFor(bc.Host, configure), new SecretText(bc.Host.Marketo.Options.ClientSecret), bc.Log, bc.Host.Clock);

    /// <summary>
    /// A context over this sandbox's clients; over another store instance (another thread's) when <paramref name="state"/> is
    /// given, on another clock than the sandbox's when <paramref name="time"/> is.
    /// </summary>
    public SyncContext Context(string? correlationId = null, IProgress<SyncProgress>? progress = null, IPairState? state = null, MarketoClient? marketo = null,
        int? batchesInFlight = null, int chunkSize = 50, TimeProvider? time = null) => new()
    {
        BusinessCentral = BusinessCentral, Marketo = marketo ?? Marketo, State = state ?? State, Audit = Store is TableStateStore tables ? tables.Audit : Audit, Time = time ?? Host.Clock,
        Log = _bc.Log, CorrelationId = correlationId ?? Guid.NewGuid().ToString("D"), ChunkSize = chunkSize, Progress = progress, BatchesInFlight = batchesInFlight,
    };

    /// <summary>The BC → Marketo sync over a fresh context (default mapping unless given).</summary>
    public CustomerToMarketoSync Sync(MappingSet? mapping = null, string? correlationId = null, MarketoClient? marketo = null, int? batchesInFlight = null,
        int chunkSize = 50)
        => new(Context(correlationId, marketo: marketo, batchesInFlight: batchesInFlight, chunkSize: chunkSize),
            new BcToMarketoMapper(mapping ?? MappingLoader.Default(), Pair.CompanyKeyPrefix));

    public async Task<List<SyncResult>> RunAsync(CustomerSyncRequest? request = null, MappingSet? mapping = null, int? batchesInFlight = null, int chunkSize = 50)
        => await BcSandbox.ToListAsync(Sync(mapping, batchesInFlight: batchesInFlight, chunkSize: chunkSize).RunAsync(request ?? new CustomerSyncRequest(), CancellationToken.None));

    /// <summary>-WhatIf: the plan of <paramref name="request"/> (default mapping unless given).</summary>
    public async Task<List<SyncPlanRow>> PlanAsync(CustomerSyncRequest? request = null, MappingSet? mapping = null)
        => await BcSandbox.ToListAsync(Sync(mapping).PlanAsync(request ?? new CustomerSyncRequest(), CancellationToken.None));

    /// <summary>The audit lines of one BC record, oldest first.</summary>
    public IReadOnlyList<AuditRecord> Audited(string sourceNumber)
        => new AuditLogReader(Audit.Folder).Read(new AuditQuery { SourceNumbers = [sourceNumber] }).ToList();

    /// <summary>Person contacts with a usable email no other contact shares, not Privacy Blocked, that belong to a customer: each one lead of its own.</summary>
    public IReadOnlyList<MlConnector.Sandbox.BusinessCentral.BcContact> SolePersons()
    {
        var store = Host.BusinessCentral.Store;
        lock (store.Gate)
        {
            return store.Contacts.Where(c => c.Type == "Person" && !c.PrivacyBlocked && EmailRules.Problem(c.Email) is null
                    && store.Contacts.Count(o => EmailRules.Normalize(o.Email) == EmailRules.Normalize(c.Email)) == 1
                    && store.Customers.Any(cu => cu.Blocked != "All" && cu.CompanyContact?.Number == c.CompanyNumber))
                .ToList();
        }
    }

    /// <summary>The one Marketo lead with this email (fails when there is none or more than one).</summary>
    public LeadSnapshot Lead(string email) => Assert.Single(Host.Marketo.LeadsByEmail(email));

    public IReadOnlyList<JournalEntry> MarketoWrites() => Host.Journal.For(SandboxService.Marketo)
        .Where(e => e.Method == "POST" && (e.Path.StartsWith("/rest/v1/leads.json", StringComparison.Ordinal) || e.Path.StartsWith("/rest/v1/companies.json", StringComparison.Ordinal))
            && !e.Path.Contains("_method=GET", StringComparison.Ordinal))
        .ToArray();

    /// <summary>
    /// What Marketo should hold after a full sync: one company per customer not blocked for all transactions, one lead
    /// per distinct valid email of a person contact that is not Privacy Blocked.
    /// </summary>
    public (HashSet<string> Companies, HashSet<string> LeadEmails) Expected()
    {
        var store = Host.BusinessCentral.Store;
        lock (store.Gate)
        {
            var companies = store.Customers.Where(c => c.Blocked != "All").Select(c => c.Number).ToHashSet(StringComparer.Ordinal);
            var emails = store.Contacts.Where(c => c.Type == "Person" && !c.PrivacyBlocked && ExpectedLeads.Usable(c.Email))
                .Select(c => ExpectedLeads.Key(c.Email)).ToHashSet(StringComparer.Ordinal);
            return (companies, emails);
        }
    }

    public async ValueTask DisposeAsync()
    {
        Store.Dispose();
        Marketo.Dispose();
        BusinessCentral.Dispose();
        await _bc.DisposeAsync();
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { }
    }
}
