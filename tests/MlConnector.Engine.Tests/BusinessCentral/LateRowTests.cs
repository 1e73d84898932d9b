using MlConnector.Engine.Tests.Sync;

namespace MlConnector.Engine.Tests.BusinessCentral;

/// <summary>
/// BC stamps lastModifiedDateTime before the commit and on more than one server tier, so rows arrive late and out of
/// order. The incremental sync starts each read ModifiedSinceOverlap before the newest stamp it saw; these runs show
/// the default window catching every late row and a too-small window losing some.
/// </summary>
public sealed class LateRowTests
{
    private static readonly TimeSpan CommitLag = TimeSpan.FromSeconds(40);
    private static readonly TimeSpan SlowServer = TimeSpan.FromSeconds(-50);

    [Theory]
    [InlineData(120, true)] // the default (BusinessCentralSettings.ModifiedSinceOverlap): more than lag + skew
    [InlineData(5, false)]
    public async Task The_overlap_window_catches_rows_that_commit_late_or_carry_a_slow_servers_stamp(int overlapSeconds, bool everyRowArrives)
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 30,
            configure: o => { o.BusinessCentral.CommitLag = CommitLag; o.BusinessCentral.SecondServerSkew = SlowServer; },
            bcSettings: s => s.ModifiedSinceOverlap = TimeSpan.FromSeconds(overlapSeconds));
        await sandbox.RunAsync();
        var bc = sandbox.Host.BusinessCentral;
        // Customers blocked for all transactions are not sent (CustomerBlocked): only the others can arrive.
        var customers = bc.Store.Customers.Where(c => c.Blocked != "All").ToList();
        var expected = new Dictionary<string, string>(StringComparer.Ordinal);
        var lateAtSomeRun = 0;

        for (var round = 0; round < 8; round++)
        {
            for (var i = 0; i < 3; i++)
            {
                var customer = customers[round * 3 + i];
                var city = $"Round {round} City {i}";
                bc.ModifyCustomerInUi(customer.Id, c => c.City = city);
                expected[customer.Number] = city;
            }
            sandbox.Host.Clock.Advance(TimeSpan.FromSeconds(15));
            lateAtSomeRun += customers.Count(c => c.VisibleFrom > sandbox.Host.Clock.GetUtcNow());
            await sandbox.RunAsync();
        }
        sandbox.Host.Clock.Advance(TimeSpan.FromMinutes(5));
        await sandbox.RunAsync();
        await sandbox.RunAsync();

        Assert.True(lateAtSomeRun > 0, "no write was still uncommitted when a sync ran");
        var missed = expected.Where(e => sandbox.Host.Marketo.CompanyByExternalId(e.Key)?.Fields.GetValueOrDefault("billingCity") != e.Value)
            .Select(e => e.Key).ToList();
        if (everyRowArrives) Assert.Empty(missed);
        else Assert.NotEmpty(missed);
    }
}
