using MlConnector.Engine.BusinessCentral;

namespace MlConnector.Engine.Tests.BusinessCentral;

public sealed class BusinessCentralIncrementalTests
{
    [Fact]
    public async Task ModifiedSince_returns_changed_customers_and_the_overlap_window_catches_near_misses()
    {
        await using var sandbox = await BcSandbox.StartAsync(60);
        var bc = sandbox.Host.BusinessCentral;
        var ids = bc.Store.Customers.Select(c => c.Id).ToArray();

        sandbox.Host.Clock.Advance(TimeSpan.FromHours(1));
        var watermark = sandbox.Host.Clock.GetUtcNow();
        sandbox.Host.Clock.Advance(TimeSpan.FromMinutes(10));
        bc.ModifyCustomerInUi(ids[5], c => c.City = "Changed City");
        bc.ModifyCustomerInUi(ids[40], c => c.PhoneNumber = "+1 555 0100");
        var changedAt = sandbox.Host.Clock.GetUtcNow();
        sandbox.Host.Clock.Advance(TimeSpan.FromSeconds(30));
        bc.ModifyCustomerInUi(ids[41], c => c.City = "Late City");

        using var client = await sandbox.ConnectAsync();
        var changed = await BcSandbox.ToListAsync(client.GetCustomersAsync(new BcCustomerQuery { ModifiedSince = watermark }, default));
        Assert.Equal(new[] { ids[5], ids[40], ids[41] }.OrderBy(id => bc.Store.Customer(id)!.Number, StringComparer.Ordinal), changed.Select(c => c.Id));
        Assert.Equal("Changed City", changed.Single(c => c.Id == ids[5]).City);
        Assert.Contains(sandbox.BcCalls("/customers"), e => e.Path.Contains("lastModifiedDateTime", StringComparison.Ordinal));

        // A watermark 1 minute after the change still sees it: the default overlap is 2 minutes.
        var overlapping = await BcSandbox.ToListAsync(client.GetCustomersAsync(new BcCustomerQuery { ModifiedSince = changedAt.AddMinutes(1) }, default));
        Assert.Equal(3, overlapping.Count);

        var settings = sandbox.Settings();
        settings.ModifiedSinceOverlap = TimeSpan.Zero;
        using var strict = await sandbox.ConnectAsync(settings);
        Assert.Empty(await BcSandbox.ToListAsync(strict.GetCustomersAsync(new BcCustomerQuery { ModifiedSince = changedAt.AddMinutes(1) }, default)));
    }

    [Fact]
    public async Task A_record_changed_between_pages_is_returned_once()
    {
        await using var sandbox = await BcSandbox.StartAsync(60);
        var bc = sandbox.Host.BusinessCentral;
        using var client = await sandbox.ConnectAsync(sandbox.Settings(pageSize: 10));
        var first = bc.Store.Customers.OrderBy(c => c.Number, StringComparer.Ordinal).First();

        var read = await BcSandbox.ToListAsync(client.GetCustomersAsync(new BcCustomerQuery
        {
            OnPage = p => { if (p.PageNumber == 1) bc.ModifyCustomerInUi(first.Id, c => c.City = "Moved"); },
        }, default));

        Assert.Equal(60, read.Count);
        Assert.Equal(60, read.Select(c => c.Id).Distinct().Count());
    }
}
