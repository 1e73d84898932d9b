using System.Net;
using System.Text.Json;

namespace MlConnector.Sandbox.Tests.BusinessCentral;

/// <summary>The lastModifiedDateTime switches: commit lag (a write is seen after it was stamped) and a second server tier with a skewed clock.</summary>
public sealed class BcWriteTimingTests
{
    private static async Task<(SandboxHost Host, BcTestClient Bc)> StartAsync(Action<Sandbox.BusinessCentral.BusinessCentralOptions> configure)
    {
        var options = new SandboxOptions { Customers = 20 };
        configure(options.BusinessCentral);
        var (host, http) = await SandboxFixture.StartAsync(options);
        return (host, new BcTestClient(host, http));
    }

    [Fact]
    public async Task With_commit_lag_readers_see_the_previous_version_until_the_write_commits()
    {
        var (host, bc) = await StartAsync(o => o.CommitLag = TimeSpan.FromSeconds(60));
        await using var _ = host;
        using var __ = bc.Http;
        var sim = host.BusinessCentral;
        var before = host.Clock.GetUtcNow();
        var customers = sim.Store.Customers.Take(8).ToList();
        foreach (var customer in customers) sim.ModifyCustomerInUi(customer.Id, c => c.City = "Lagged");
        var pending = customers.Where(c => c.VisibleFrom > host.Clock.GetUtcNow()).ToList();
        Assert.NotEmpty(pending);

        foreach (var customer in pending)
        {
            var json = await bc.GetEntityAsync($"{bc.Company}customers({customer.Id})", "customer");
            Assert.NotEqual("Lagged", json.GetProperty("city").GetString());
            Assert.True(DateTimeOffset.Parse(json.GetProperty("lastModifiedDateTime").GetString()!) < before);
        }
        var since = Uri.EscapeDataString(before.AddSeconds(-1).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'"));
        var changed = await bc.GetCollectionAsync($"{bc.Company}customers?$filter=lastModifiedDateTime gt {since}", "customer");
        Assert.Equal(customers.Count - pending.Count, changed.GetProperty("value").GetArrayLength());

        host.Clock.Advance(TimeSpan.FromSeconds(61));
        var all = await bc.GetCollectionAsync($"{bc.Company}customers?$filter=lastModifiedDateTime gt {since}", "customer");
        Assert.Equal(customers.Count, all.GetProperty("value").GetArrayLength());
        // The late rows carry the stamp taken when they were written, not the time they became visible.
        Assert.All(all.GetProperty("value").EnumerateArray(), c => Assert.True(DateTimeOffset.Parse(c.GetProperty("lastModifiedDateTime").GetString()!) < host.Clock.GetUtcNow().AddSeconds(-59)));
    }

    [Fact]
    public async Task With_commit_lag_a_new_customer_is_not_found_until_its_insert_commits()
    {
        var (host, bc) = await StartAsync(o => o.CommitLag = TimeSpan.FromSeconds(30));
        await using var _ = host;
        using var __ = bc.Http;
        var created = Enumerable.Range(0, 6).Select(i => host.BusinessCentral.AddCustomer("Late Insert " + i)).ToList();
        var pending = created.First(c => c.VisibleFrom > host.Clock.GetUtcNow());
        using var missing = await bc.SendAsync(HttpMethod.Get, $"{bc.Company}customers({pending.Id})");
        await BcTestClient.AssertErrorAsync(missing, HttpStatusCode.NotFound, "Internal_RecordNotFound");
        host.Clock.Advance(TimeSpan.FromSeconds(31));
        var found = await bc.GetEntityAsync($"{bc.Company}customers({pending.Id})", "customer");
        Assert.Equal(pending.DisplayName, found.GetProperty("displayName").GetString());
    }

    [Fact]
    public async Task A_second_server_with_a_slow_clock_stamps_some_writes_in_the_past()
    {
        var (host, bc) = await StartAsync(o => o.SecondServerSkew = TimeSpan.FromSeconds(-45));
        await using var _ = host;
        using var __ = bc.Http;
        var sim = host.BusinessCentral;
        var stamps = new List<DateTimeOffset>();
        foreach (var customer in sim.Store.Customers.Take(10).ToList())
        {
            sim.ModifyCustomerInUi(customer.Id, c => c.PhoneNumber = "+1 555 0199");
            var json = await bc.GetEntityAsync($"{bc.Company}customers({customer.Id})", "customer");
            stamps.Add(DateTimeOffset.Parse(json.GetProperty("lastModifiedDateTime").GetString()!));
        }
        // Written one after the other, yet the stamps go back and forth by the skew.
        var steps = stamps.Zip(stamps.Skip(1), (a, b) => (b - a).TotalSeconds).ToArray();
        Assert.Contains(steps, s => s < -40);
        Assert.Contains(steps, s => s > 40);
    }

    [Fact]
    public async Task The_switches_are_set_through_the_admin_api()
    {
        var (host, bc) = await StartAsync(_ => { });
        await using var _ = host;
        using var __ = bc.Http;
        using var response = await bc.Http.PostAsync(new Uri(host.AdminUri, "bc/settings"),
            new StringContent("""{"commitLagSeconds":12,"secondServerSkewSeconds":-3.5}""", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var settings = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(12, settings.GetProperty("commitLagSeconds").GetDouble());
        Assert.Equal(-3.5, settings.GetProperty("secondServerSkewSeconds").GetDouble());
        Assert.Equal(TimeSpan.FromSeconds(12), host.BusinessCentral.Options.CommitLag);
    }
}
