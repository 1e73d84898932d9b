using MlConnector.Engine.BusinessCentral;

namespace MlConnector.Engine.Tests.BusinessCentral;

public sealed class BusinessCentralWriteTests : IAsyncLifetime
{
    private BcSandbox _sandbox = null!;
    private BusinessCentralClient _client = null!;

    public async Task InitializeAsync()
    {
        _sandbox = await BcSandbox.StartAsync(10);
        _client = await _sandbox.ConnectAsync();
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _sandbox.DisposeAsync();
    }

    [Fact]
    public async Task Create_posts_and_returns_the_new_customer()
    {
        var created = await _client.CreateCustomerAsync(new Dictionary<string, object?> { ["displayName"] = "Fabrikam Test", ["email"] = "ap@fabrikam.example.com" }, default);
        Assert.NotEqual(Guid.Empty, created.Id);
        Assert.NotEmpty(created.Number);
        Assert.Equal("ap@fabrikam.example.com", _sandbox.Host.BusinessCentral.Store.Customer(created.Id)!.Email);
        Assert.Contains(_sandbox.BcCalls("/customers"), e => e.Method == "POST" && e.Status == 201);
    }

    [Fact]
    public async Task A_stale_etag_is_re_read_and_the_change_applied_once_more()
    {
        var customer = (await _client.GetCustomerByIdAsync(_sandbox.Host.BusinessCentral.Store.Customers[2].Id, default))!;
        _sandbox.Host.BusinessCentral.ModifyCustomerInUi(customer.Id, c => c.City = "Changed Elsewhere");

        var updated = await _client.UpdateCustomerAsync(customer, new Dictionary<string, object?> { ["phoneNumber"] = "+1 555 0199" }, default);

        Assert.Equal("+1 555 0199", updated.PhoneNumber);
        Assert.Equal("Changed Elsewhere", updated.City);
        var patches = _sandbox.BcCalls($"/customers({customer.Id})").Where(e => e.Method == "PATCH").Select(e => e.Status).ToArray();
        Assert.Equal([409, 200], patches);
    }

    [Fact]
    public async Task Batch_sends_at_most_100_operations_per_request_and_reports_each()
    {
        var customers = _sandbox.Host.BusinessCentral.Store.Customers.Take(3).ToArray();
        var operations = Enumerable.Range(0, 101)
            .Select(i => new BcBatchOperation("PATCH", "customers", customers[i % 3].Id, new Dictionary<string, object?> { ["website"] = $"https://w{i}.example.com" }))
            .Append(new BcBatchOperation("PATCH", "customers", Guid.NewGuid(), new Dictionary<string, object?> { ["website"] = "x" }))
            .ToArray();
        var before = _sandbox.BcCalls("$batch").Count;

        var results = await _client.ExecuteBatchAsync(operations, default);

        Assert.Equal(2, _sandbox.BcCalls("$batch").Count - before);
        Assert.Equal(Enumerable.Range(0, 102), results.Select(r => r.Index));
        Assert.All(results.Take(101), r => Assert.True(r.Succeeded, $"{r.Index}: {r.Status} {r.ErrorCode} {r.ErrorMessage}"));
        Assert.False(results[^1].Succeeded);
        Assert.Equal(404, results[^1].Status);
    }
}
