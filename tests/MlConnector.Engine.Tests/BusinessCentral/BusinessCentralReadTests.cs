using MlConnector.Engine.BusinessCentral;

namespace MlConnector.Engine.Tests.BusinessCentral;

/// <summary>Reads over one shared sandbox (nothing here changes its data or faults).</summary>
public sealed class BusinessCentralReadTests : IAsyncLifetime
{
    private const int Customers = 60;
    private BcSandbox _sandbox = null!;
    private BusinessCentralClient _client = null!;

    public async Task InitializeAsync()
    {
        _sandbox = await BcSandbox.StartAsync(Customers);
        _client = await _sandbox.ConnectAsync(_sandbox.Settings(pageSize: 25));
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _sandbox.DisposeAsync();
    }

    [Fact]
    public async Task Customers_stream_page_by_page_through_nextLink_with_maxpagesize()
    {
        var pages = new List<BcPageProgress>();
        var before = _sandbox.BcCalls("/customers").Count;
        var customers = await BcSandbox.ToListAsync(_client.GetCustomersAsync(new BcCustomerQuery { OnPage = pages.Add }, default));

        var expected = _sandbox.Host.BusinessCentral.Store.Customers.OrderBy(c => c.Number, StringComparer.Ordinal).Select(c => c.Id).ToArray();
        Assert.Equal(expected, customers.Select(c => c.Id).ToArray());
        Assert.Equal([25, 25, 10], pages.Select(p => p.PageCount));
        Assert.Equal(Customers, pages[^1].TotalSoFar);
        Assert.Equal(3, _sandbox.BcCalls("/customers").Count - before);

        var paths = _sandbox.Host.Journal.For(MlConnector.Sandbox.Core.SandboxService.BusinessCentral).Select(e => e.Path).ToArray();
        Assert.DoesNotContain(paths, p => p.Contains("$top", StringComparison.OrdinalIgnoreCase) || p.Contains("%24top", StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain(paths, p => p.Contains("$skip=", StringComparison.OrdinalIgnoreCase) || p.Contains("%24skip=", StringComparison.OrdinalIgnoreCase));
        Assert.Contains(_sandbox.Log.Lines, l => l.StartsWith("DEBUG BC GET /v2.0/", StringComparison.Ordinal) && l.Contains("/customers -> 200 in ", StringComparison.Ordinal));
        Assert.DoesNotContain(_sandbox.Log.Lines, l => l.Contains("eyJ", StringComparison.Ordinal) || l.Contains(_sandbox.Host.Options.Entra.ClientSecret, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Customer_fields_and_financial_details_are_parsed_by_their_BC_names()
    {
        var store = _sandbox.Host.BusinessCentral.Store;
        var customers = await BcSandbox.ToListAsync(_client.GetCustomersAsync(new BcCustomerQuery { IncludeFinancialDetails = true }, default));
        foreach (var c in customers)
        {
            var source = store.Customer(c.Id)!;
            Assert.Equal(source.Number, c.Number);
            Assert.Equal(source.DisplayName, c.DisplayName);
            Assert.Equal(source.Email, c.Email);
            Assert.Equal(source.City, c.City);
            Assert.Equal(source.CreditLimit, c.CreditLimit);
            Assert.Equal(source.Blocked == "_x0020_" ? "" : source.Blocked, c.Blocked);
            Assert.Equal(store.CurrencyCodeOf(source), c.CurrencyCode);
            Assert.Equal(source.LastModified, c.LastModifiedDateTime);
            var financials = _sandbox.Host.BusinessCentral.Financials(c.Id);
            Assert.Equal(financials.Balance, c.Balance);
            Assert.Equal(financials.OverdueAmount, c.OverdueAmount);
            Assert.Equal(financials.TotalSalesExcludingTax, c.TotalSalesExcludingTax);
        }
        Assert.Contains(_sandbox.BcCalls("/customers"), e => e.Path.Contains("customerFinancialDetail", StringComparison.Ordinal));

        var plain = await _client.GetCustomerByIdAsync(customers[3].Id, default);
        Assert.Equal(customers[3].Number, plain!.Number);
        Assert.Null(plain.Balance);
        Assert.Null(await _client.GetCustomerByIdAsync(Guid.NewGuid(), default));
    }

    [Fact]
    public async Task Number_filter_is_chunked_on_one_field_and_deduplicated()
    {
        var all = _sandbox.Host.BusinessCentral.Store.Customers.Select(c => c.Number).OrderBy(n => n, StringComparer.Ordinal).ToArray();
        var wanted = all.Take(45).Concat(all.Take(3).Select(n => n.ToLowerInvariant())).Append("NOPE-1").ToArray();
        var before = _sandbox.BcCalls("/customers").Count;

        var customers = await BcSandbox.ToListAsync(_client.GetCustomersAsync(new BcCustomerQuery { Numbers = wanted }, default));

        Assert.Equal(all.Take(45), customers.Select(c => c.Number).Order(StringComparer.Ordinal));
        var calls = _sandbox.BcCalls("/customers").Skip(before).ToArray();
        Assert.Equal(3, calls.Length); // 46 distinct values in chunks of 20
        Assert.All(calls, c => Assert.True(c.Path.Length < 2048, c.Path));
        Assert.All(calls, c => Assert.Equal(200, c.Status));
    }
}
