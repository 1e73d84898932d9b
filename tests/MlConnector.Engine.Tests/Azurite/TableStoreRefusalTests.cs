using Azure.Data.Tables;
using Azure.Data.Tables.Sas;
using MlConnector.Engine.Audit;
using MlConnector.Engine.Cloud;
using MlConnector.Engine.Security;
using MlConnector.Engine.State;
using MlConnector.Engine.State.Tables;
using MlConnector.Engine.Sync;

namespace MlConnector.Engine.Tests.Azurite;

/// <summary>
/// A store whose SAS lets it read but not write, or write but not read: every call Table Storage refuses is a
/// StateStoreException that says what the store was doing, so the operator knows which right is missing. Azurite
/// checks a SAS's permissions on single-row calls and queries but not inside a batch: a batch is refused here for a
/// value too long for its column instead.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class TableStoreRefusalTests(AzuriteFixture azurite)
{
    private const TableAccountSasPermissions ReadOnly = TableAccountSasPermissions.Read | TableAccountSasPermissions.List;
    private const TableAccountSasPermissions WriteOnly = TableAccountSasPermissions.Add | TableAccountSasPermissions.Update | TableAccountSasPermissions.Delete;
    private static readonly DateTimeOffset T0 = new(2026, 11, 27, 10, 0, 0, TimeSpan.Zero);
    private static readonly SyncPairKey Pair = SyncPairKey.Create("tenant", "Production", Guid.Parse("00000000-0000-0000-0000-0000000000c3"), "111-AAA-111");
    private static readonly LeaseHolder Holder = new("run-a", 11, "host-a", T0, T0.AddHours(1));
    private static readonly SubscriptionRecord Subscription = new("sub-1", "customers", "/api/v2.0/companies(a1)/customers", "https://hooks.example/a", T0.AddDays(3),
        null, ClientStateLocation.Caller, T0, T0);

    private readonly string _prefix = azurite.NewTableName("deny");

    private TableStoreAccount FullAccount => azurite.Account;

    private TableStoreAccount Account(TableAccountSasPermissions permissions)
    {
        var sas = new TableServiceClient(azurite.Server.ConnectionString).GenerateSasUri(permissions, TableAccountSasResourceTypes.All, DateTimeOffset.UtcNow.AddHours(1));
        return TableStoreAccount.WithSecret(new SecretText(sas.ToString()));
    }

    /// <summary>A store with a pair, an import, a lease and a subscription in it, written with the account key.</summary>
    private void Seed()
    {
        using var store = TableStateStore.Open(FullAccount, _prefix);
        store.RegisterPair(new SyncPair(Pair, "CRONUS", "", T0));
        var state = store.Pair(Pair.PairId);
        state.BulkImports.Add(new BulkImportBatch(11, 0, T0), []);
        Assert.True(state.Lease.TryAcquire(Holder, T0).Acquired);
        state.Subscriptions.Save(Subscription);
    }

    private static void Refused(string what, Action call, string status = "HTTP 403")
    {
        var error = Assert.Throws<StateStoreException>(call);
        Assert.Contains($"could not {what} ({status}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_store_that_may_only_read_names_each_write_it_was_refused()
    {
        Seed();
        Refused("open the store", () => TableStateStore.Open(Account(ReadOnly), _prefix).Dispose());

        using var store = TableStateStore.Open(Account(ReadOnly), _prefix, create: false);
        var state = store.Pair(Pair.PairId);
        Refused("register the sync pair " + Pair.PairId, () => store.RegisterPair(new SyncPair(Pair, "CRONUS Renamed", "", T0)));
        Refused("note the pair's last run", () => store.RecordRun(Pair.PairId, T0.AddHours(1)));
        Refused("store the bulk import 12", () => state.BulkImports.Add(new BulkImportBatch(12, 0, T0), []));
        Refused("forget the bulk import 11", () => state.BulkImports.Remove(11));
        Refused("count Marketo calls", () => state.MarketoCalls.Add(DateOnly.FromDateTime(T0.UtcDateTime), 1, T0));
        Refused("take the sync pair's lease", () => state.Lease.TryAcquire(Holder with { HolderId = "run-b" }, T0.AddHours(2)));
        Refused("renew the sync pair's lease", () => state.Lease.Renew(Holder.HolderId, T0.AddHours(2)));
        Refused("release the sync pair's lease", () => state.Lease.Release(Holder.HolderId));
        Refused("save the subscription sub-2", () => state.Subscriptions.Save(Subscription with { SubscriptionId = "sub-2" }));
        Refused("remove the subscription sub-1", () => state.Subscriptions.Remove("sub-1"));
    }

    [Fact]
    public void A_store_that_may_not_read_names_each_read_it_was_refused()
    {
        Seed();
        using var store = TableStateStore.Open(Account(WriteOnly), _prefix, create: false);
        var state = store.Pair(Pair.PairId);
        var transfer = (IPairStateTransfer)state;
        var records = state.Records(SyncDirection.BcToMarketo);
        Refused("list the sync pairs", () => store.Pairs());
        Refused("list the bulk imports", () => state.BulkImports.Open());
        Refused("list the jobs of a bulk import", () => state.BulkImports.Remove(11));
        Refused("read links", () => state.Links.ByBcNumber(LinkKind.Customer, ["C1"]));
        Refused("read links", () => state.Links.ByMarketoId(LinkKind.Customer, [501]));
        Refused("count links", () => state.Links.Count(LinkKind.Customer));
        Refused("read links", () => transfer.AllLinks(LinkKind.Customer).ToList());
        Refused("read record state", () => records.Get(["company:C1"]));
        Refused("count record state", () => records.Count());
        Refused("read record state", () => transfer.AllRecordStates(SyncDirection.BcToMarketo).ToList());
        Refused("read the Marketo call count", () => state.MarketoCalls.Get(DateOnly.FromDateTime(T0.UtcDateTime)));
        Refused("read the Marketo call counts", () => transfer.AllMarketoCalls().ToList());
        Refused("read the sync pair's lease", () => state.Lease.Current(T0));
        Refused("list the sync pair's subscriptions", () => state.Subscriptions.All());
        Refused("list the pair's rows", transfer.Clear);
        Refused("read the audit table", () => _ = store.Audit.HasHistory);
    }

    [Fact]
    public void A_store_that_may_neither_read_nor_create_its_tables_names_the_table_it_could_not_create()
    {
        var location = FullAccount.Location;
        Refused($"create the table {_prefix}Pairs in {location}", () => TableStateStore.Open(Account(WriteOnly), _prefix).Dispose());
    }

    [Fact]
    public void A_store_that_may_add_rows_but_not_replace_them_names_the_audit_write_it_was_refused()
    {
        using (TableStateStore.Open(FullAccount, _prefix)) { }
        using var store = TableStateStore.Open(Account(TableAccountSasPermissions.Read | TableAccountSasPermissions.Add), _prefix, create: false);
        var line = new AuditRecord { Time = T0, CorrelationId = "run-1", Direction = "BcToMarketo", SourceType = "Customer", SourceNumber = "C1", TargetType = "Company", Action = "Created" };
        Refused("write the audit", () => store.Audit.Append([line]));
    }

    [Fact]
    public void A_batch_Table_Storage_refuses_names_the_write_it_was_part_of()
    {
        // A column holds at most 64 KiB: the one refusal of a batch (not a conflict) Azurite gives whatever the SAS.
        var tooLong = new string('x', 40_000);
        using var store = TableStateStore.Open(FullAccount, _prefix);
        var state = store.Pair(Pair.PairId);
        const string status = "HTTP 400 PropertyValueTooLarge";
        Refused("save links", () => state.Links.Save([new RecordLink(LinkKind.Customer, "C1", null, 501, tooLong, T0)]), status);
        Refused("save record state", () => state.Records(SyncDirection.BcToMarketo).Save([new RecordState("company:C1", "C1", tooLong, null, T0)]), status);
        var line = new AuditRecord { Time = T0, CorrelationId = "run-1", Direction = "BcToMarketo", SourceType = "Customer", SourceNumber = tooLong, TargetType = "Company", Action = "Created" };
        Refused("write the audit", () => store.Audit.Append([line]), status);
    }
}
