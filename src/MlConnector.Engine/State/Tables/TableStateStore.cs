using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using Azure;
using Azure.Data.Tables;
using MlConnector.Engine.Audit;
using MlConnector.Engine.Cloud;

namespace MlConnector.Engine.State.Tables;

/// <summary>
/// The state store for runbooks: Azure Table Storage, five tables named after a prefix (default MlConnector): Pairs,
/// Queue, Records, Links and Audit. Each pair's state is one partition per table, keyed by its pair id, so transactions
/// (at most 100 rows, one partition) never span pairs. Every read-modify-write is conditional on the row's ETag and
/// retried when another writer got there first; the per-pair lease is such a write. A table store is never written by
/// a release from before sync pairs, so it holds no unclaimed state and a new pair adopts nothing.
/// </summary>
public sealed partial class TableStateStore : IStateStore
{
    public const string DefaultTablePrefix = "MlConnector";
    private const string MetaPartition = "store";
    private const string PairRow = "pair";

    private readonly StateTables _tables;
    private readonly List<IDisposable> _owned;
    private readonly ConcurrentDictionary<string, TablePairState> _pairs = new(StringComparer.Ordinal);

    private TableStateStore(StateTables tables, List<IDisposable> owned, string location, bool created)
    {
        _tables = tables;
        _owned = owned;
        Location = location;
        Created = created;
        Audit = new TableAuditTrail(tables.Audit, tables.Audit.Uri.GetLeftPart(UriPartial.Path));
    }

    public string Location { get; }

    public bool Created { get; }

    /// <summary>Writes retried in this process because another writer changed the same row first (each is an update that was not lost).</summary>
    public static long ConflictRetries => TableCalls.Conflicts;

    /// <summary>The audit table of the same account, where runs on this store write their audit lines.</summary>
    public TableAuditTrail Audit { get; }

    /// <summary>
    /// Opens the store in <paramref name="account"/>, creating its tables when they are missing — unless
    /// <paramref name="create"/> is false (a reader): then missing tables read as a store that holds nothing.
    /// </summary>
    public static TableStateStore Open(TableStoreAccount account, string? tablePrefix = null, bool create = true)
    {
        ArgumentNullException.ThrowIfNull(account);
        var prefix = tablePrefix ?? DefaultTablePrefix;
        if (!IsTablePrefix(prefix))
            throw new ArgumentException($"'{prefix}' is not a table prefix: use a letter, then up to 50 letters or digits.", nameof(tablePrefix));
        var owned = new List<IDisposable>();
        try
        {
            return Open(account, prefix, owned, create);
        }
        catch
        {
            foreach (var item in owned) item.Dispose();
            throw;
        }
    }

    private static TableStateStore Open(TableStoreAccount account, string prefix, List<IDisposable> owned, bool create)
    {
        var tables = new StateTables(account.Connect(owned), prefix);
        if (!create) return new TableStateStore(tables, owned, $"{account.Location} (tables {prefix}*)", created: false);
        foreach (var table in tables.All) TableCalls.Guard($"create the table {table.Name} in {account.Location}", () => CreateIfMissing(table));
        var created = TableCalls.Guard("open the store", () =>
        {
            try
            {
                tables.Pairs.AddEntity(new TableEntity(MetaPartition, "meta")
                {
                    ["CreatedBy"] = "MlConnector " + Hosting.EngineRuntime.VersionOf(typeof(TableStateStore).Assembly),
                    ["CreatedAt"] = StateTime.Format(DateTimeOffset.UtcNow),
                });
                return true;
            }
            catch (RequestFailedException e) when (e.Status == 409)
            {
                return false;
            }
        });
        return new TableStateStore(tables, owned, $"{account.Location} (tables {prefix}*)", created);
    }

    public IReadOnlyList<SyncPair> Pairs() => TableQueries.UnlessMissing(() =>
        TableQueries.Query(_tables.Pairs, TableClient.CreateQueryFilter($"RowKey eq {PairRow}"), "list the sync pairs", null, null)
            .Select(ToPair).OrderBy(p => p.CreatedAt).ThenBy(p => p.PairId, StringComparer.Ordinal).ToList(), []);

    public PairRegistration RegisterPair(SyncPair pair)
    {
        ArgumentNullException.ThrowIfNull(pair);
        return TableCalls.Optimistic("register the sync pair " + pair.PairId, () =>
        {
            var found = _tables.Pairs.GetEntityIfExists<TableEntity>(pair.PairId, PairRow);
            if (found.HasValue)
            {
                var row = found.Value!;
                _tables.Pairs.UpdateEntity(new TableEntity(pair.PairId, PairRow) { ["BcCompanyName"] = pair.BcCompanyName ?? "", ["CompanyKeyPrefix"] = pair.CompanyKeyPrefix },
                    row.ETag, TableUpdateMode.Merge);
                return new PairRegistration(ToPair(row) with { BcCompanyName = pair.BcCompanyName, CompanyKeyPrefix = pair.CompanyKeyPrefix }, false, 0);
            }
            _tables.Pairs.AddEntity(new TableEntity(pair.PairId, PairRow)
            {
                ["BcTenant"] = pair.Key.BcTenant,
                ["BcEnvironment"] = pair.Key.BcEnvironment,
                ["BcCompanyId"] = pair.Key.BcCompanyId.ToString("D"),
                ["MarketoInstance"] = pair.Key.MarketoInstance,
                ["BcCompanyName"] = pair.BcCompanyName ?? "",
                ["CompanyKeyPrefix"] = pair.CompanyKeyPrefix,
                ["CreatedAt"] = StateTime.Format(pair.CreatedAt),
            });
            return new PairRegistration(pair with { LastRunAt = null }, true, 0);
        });
    }

    public void RecordRun(string pairId, DateTimeOffset at) => TableCalls.Guard("note the pair's last run", () =>
    {
        try
        {
            _tables.Pairs.UpdateEntity(new TableEntity(pairId, PairRow) { ["LastRunAt"] = StateTime.Format(at) }, ETag.All, TableUpdateMode.Merge);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            // Not registered: as SQLite's UPDATE of no row, nothing to note.
        }
    });

    /// <summary>Never: no release before sync pairs wrote to Table Storage, so there is nothing for a pair to adopt.</summary>
    public bool HasUnclaimedState() => false;

    public IPairState Pair(string pairId) => _pairs.GetOrAdd(pairId, id => new TablePairState(_tables, id));

    public void Dispose()
    {
        foreach (var item in _owned) item.Dispose();
        _owned.Clear();
    }

    /// <summary>
    /// Creates the table when it is missing. A SAS or role that may use the tables but not create them is refused the
    /// create (403) even for a table that exists: then the table only has to answer a read.
    /// </summary>
    private static void CreateIfMissing(TableClient table)
    {
        try
        {
            table.CreateIfNotExists();
        }
        catch (RequestFailedException e) when (e.Status == 403)
        {
            _ = table.Query<TableEntity>(maxPerPage: 1, select: ["PartitionKey"]).AsPages().FirstOrDefault();
        }
    }

    private static SyncPair ToPair(TableEntity row)
    {
        var key = SyncPairKey.Create(row.GetString("BcTenant"), row.GetString("BcEnvironment"), Guid.Parse(row.GetString("BcCompanyId")), row.GetString("MarketoInstance"));
        var name = row.GetString("BcCompanyName");
        return new SyncPair(key, string.IsNullOrEmpty(name) ? null : name, row.GetString("CompanyKeyPrefix") ?? "", StateTime.Parse(row.GetString("CreatedAt")),
            row.GetString("LastRunAt") is { } last ? StateTime.Parse(last) : null);
    }

    /// <summary>A letter, then up to 50 letters or digits: with the longest table suffix a valid table name (3 to 63 of them).</summary>
    public static bool IsTablePrefix(string prefix) => PrefixPattern().IsMatch(prefix);

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9]{0,50}$")]
    private static partial Regex PrefixPattern();
}
