using Azure.Data.Tables;
using MlConnector.Engine.Audit;
using MlConnector.Engine.State.Tables;

namespace MlConnector.Engine.Tests.Azurite;

/// <summary>
/// The audit table beyond reading a day back in order (TableStoreReferenceTests): lines of the same instant keep the
/// order they were written in, a damaged line is reported by its place in its day, a query ends on its last day, and
/// each row carries the columns an outside query filters on.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class TableAuditTrailTests(AzuriteFixture azurite)
{
    private static readonly DateTimeOffset Day = new(2026, 3, 1, 8, 0, 0, TimeSpan.Zero);

    private TableStateStore OpenStore() => TableStateStore.Open(azurite.Account, azurite.NewTableName("audit"));

    private static AuditRecord Line(string number, DateTimeOffset at, string action = "Created") => new()
    {
        Time = at, CorrelationId = "run-1", Direction = "BcToMarketo", PairId = "pair-1", SourceType = "Customer", SourceNumber = number, TargetType = "Company", Action = action,
    };

    private TableClient AuditTable(TableStateStore store) => new TableServiceClient(azurite.Server.ConnectionString).GetTableClient(store.Audit.Location.Split('/')[^1]);

    [Fact]
    public void Lines_written_at_the_same_instant_come_back_in_the_order_they_were_written()
    {
        using var store = OpenStore();
        var numbers = Enumerable.Range(1, 25).Select(i => "C" + i).ToList();
        store.Audit.Append(numbers.Select(n => Line(n, Day)));

        Assert.Equal(numbers, store.Audit.Read(new AuditQuery()).Select(r => r.SourceNumber));
    }

    [Fact]
    public void A_damaged_line_is_reported_by_its_place_in_its_day()
    {
        using var store = OpenStore();
        store.Audit.Append(Enumerable.Range(0, 5).Select(i => Line("C" + i, Day.AddMinutes(i))));
        // Between the second and third line of the day, in a bucket of its own.
        var between = Day.AddMinutes(1).AddSeconds(30).UtcTicks.ToString("D19", System.Globalization.CultureInfo.InvariantCulture);
        AuditTable(store).AddEntity(new TableEntity("2026-03-01|3f", between + "|x|1") { ["Line"] = "{ torn" });

        var damaged = new List<AuditDamage>();
        Assert.Equal(5, store.Audit.Read(new AuditQuery(), damaged.Add).Count());
        Assert.Equal([3L], Assert.Single(damaged).Lines);
    }

    [Fact]
    public void A_query_until_a_time_reads_no_later_day()
    {
        using var store = OpenStore();
        store.Audit.Append([Line("C1", Day), Line("C2", Day.AddDays(1)), Line("C3", Day.AddDays(2))]);

        Assert.Equal(["C1", "C2"], store.Audit.Read(new AuditQuery { Until = Day.AddDays(1).AddHours(1) }).Select(r => r.SourceNumber));
    }

    [Fact]
    public void Each_row_carries_the_pair_run_record_and_action_for_queries_from_outside_the_module()
    {
        using var store = OpenStore();
        store.Audit.Append([Line("C1", Day), Line("C2", Day.AddMinutes(1), "Updated")]);

        var updated = Assert.Single(AuditTable(store).Query<TableEntity>(TableClient.CreateQueryFilter($"Action eq {"Updated"}")).ToList());
        Assert.Equal(("pair-1", "run-1", "C2"), (updated.GetString("PairId"), updated.GetString("CorrelationId"), updated.GetString("SourceNumber")));
    }

    [Fact]
    public void Reading_with_no_query_is_refused_by_argument()
    {
        using var store = OpenStore();
        Assert.Equal("query", Assert.Throws<ArgumentNullException>(() => store.Audit.Read(null!).ToList()).ParamName);
    }
}
