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

/// <summary>A private sandbox, both clients connected to it over real HTTP, and a state store and audit folder under a temp folder.</summary>
internal sealed class SyncSandbox : IAsyncDisposable
{
    private readonly BcSandbox _bc;
    private readonly string _folder = Directory.CreateTempSubdirectory("mlc-sync-").FullName;

    private SyncSandbox(BcSandbox bc, BusinessCentralClient bcClient, MarketoClient marketo, string? statePath)
    {
        _bc = bc;
        BusinessCentral = bcClient;
        Marketo = marketo;
        Store = SqliteStateStore.Open(statePath ?? Path.Combine(_folder, "state.db"));
        Pair = SyncPairs.Register(Store, SyncPairs.KeyOf(bcClient, marketo), bcClient.Company.Name, null, bc.Host.Clock, bc.Log);
        Audit = new AuditLog(Path.Combine(_folder, "audit"));
    }

    public SandboxHost Host => _bc.Host;
    public BusinessCentralClient BusinessCentral { get; }
    public MarketoClient Marketo { get; }
    public SqliteStateStore Store { get; }

    /// <summary>The sync pair of the two clients, registered in <see cref="Store"/>.</summary>
    public SyncPair Pair { get; }

    public IPairState State => Store.Pair(Pair.PairId);
    public AuditLog Audit { get; }

    public TestLog Log => _bc.Log;

    /// <summary>A sandbox seeded with <paramref name="customers"/>; the state in a fresh file, or in <paramref name="statePath"/> when given.</summary>
    public static async Task<SyncSandbox> StartAsync(int customers = 40, Action<SandboxOptions>? configure = null, string? statePath = null,
        Action<BusinessCentralSettings>? bcSettings = null, Action<MarketoSettings>? marketoSettings = null)
    {
        var bc = await BcSandbox.StartAsync(customers, configure);
        var settings = bc.Settings(pageSize: 200);
        bcSettings?.Invoke(settings);
        var bcClient = await bc.ConnectAsync(settings);
        var marketo = await ConnectMarketoAsync(bc, marketoSettings);
        return new SyncSandbox(bc, bcClient, marketo, statePath);
    }

    /// <summary>Another connection to the sandbox's Marketo (as a later run in a new process would make), with its own quota gate.</summary>
    public Task<MarketoClient> ConnectMarketoAsync(Action<MarketoSettings>? settings = null) => ConnectMarketoAsync(_bc, settings);

    private static Task<MarketoClient> ConnectMarketoAsync(BcSandbox bc, Action<MarketoSettings>? configure)
    {
        var settings = MarketoTestHost.SettingsFor(bc.Host);
        configure?.Invoke(settings);
        return MarketoClient.ConnectAsync(settings, new SecretText(bc.Host.Marketo.Options.ClientSecret), bc.Log, bc.Host.Clock);
    }

    public SyncContext Context(string? correlationId = null, MarketoClient? marketo = null, int? batchesInFlight = null, int chunkSize = 50) => new()
    {
        BusinessCentral = BusinessCentral, Marketo = marketo ?? Marketo, State = State, Audit = Audit, Time = Host.Clock, Log = _bc.Log,
        CorrelationId = correlationId ?? Guid.NewGuid().ToString("D"), ChunkSize = chunkSize, BatchesInFlight = batchesInFlight,
    };

    /// <summary>The BC → Marketo sync over a fresh context (default mapping unless given).</summary>
    public CustomerToMarketoSync Sync(MappingSet? mapping = null, string? correlationId = null, MarketoClient? marketo = null, int? batchesInFlight = null,
        int chunkSize = 50)
        => new(Context(correlationId, marketo, batchesInFlight, chunkSize), new BcToMarketoMapper(mapping ?? MappingLoader.Default()));

    public async Task<List<SyncResult>> RunAsync(CustomerSyncRequest? request = null, MappingSet? mapping = null, int? batchesInFlight = null, int chunkSize = 50)
        => await BcSandbox.ToListAsync(Sync(mapping, batchesInFlight: batchesInFlight, chunkSize: chunkSize).RunAsync(request ?? new CustomerSyncRequest(), CancellationToken.None));

    public IReadOnlyList<JournalEntry> MarketoWrites() => Host.Journal.For(SandboxService.Marketo)
        .Where(e => e.Method == "POST" && (e.Path.StartsWith("/rest/v1/leads.json", StringComparison.Ordinal) || e.Path.StartsWith("/rest/v1/companies.json", StringComparison.Ordinal))
            && !e.Path.Contains("_method=GET", StringComparison.Ordinal))
        .ToArray();

    /// <summary>What Marketo should hold after a full sync: one company per customer, one lead per distinct valid person email.</summary>
    public (HashSet<string> Companies, HashSet<string> LeadEmails) Expected()
    {
        var store = Host.BusinessCentral.Store;
        lock (store.Gate)
        {
            var companies = store.Customers.Select(c => c.Number).ToHashSet(StringComparer.Ordinal);
            var emails = store.Contacts.Where(c => c.Type == "Person" && EmailRules.Problem(c.Email) is null)
                .Select(c => EmailRules.Normalize(c.Email)).ToHashSet(StringComparer.Ordinal);
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
