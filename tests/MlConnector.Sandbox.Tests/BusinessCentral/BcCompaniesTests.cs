using System.Net;
using MlConnector.Sandbox.BusinessCentral;

namespace MlConnector.Sandbox.Tests.BusinessCentral;

/// <summary>SandboxOptions.Companies (--companies N): several companies in one environment, each with its own tables and overlapping customer numbers.</summary>
public sealed class BcCompaniesTests
{
    [Fact]
    public async Task A_second_company_is_listed_and_served_apart_under_the_same_customer_numbers()
    {
        var (host, http) = await SandboxFixture.StartAsync(new SandboxOptions { Customers = 12, Companies = 2 });
        await using var _ = host;
        using var __ = http;
        var bc = new BcTestClient(host, http);
        var options = host.BusinessCentral.Options;
        var (first, second) = (host.BusinessCentral.Companies[0], host.BusinessCentral.Companies[1]);

        var companies = (await bc.GetCollectionAsync(bc.ApiRoot + "companies", "company")).GetProperty("value").EnumerateArray()
            .Select(c => (c.GetProperty("id").GetGuid(), c.GetProperty("name").GetString())).ToArray();
        Assert.Equal([(options.CompanyId, options.CompanyName), (options.CompanyIdOf(2), options.CompanyNameOf(2))], companies);
        Assert.Same(first, host.BusinessCentral.Store);

        // Same numbers, different customers: each company's read shows its own.
        Assert.Equal(first.Customers.Select(c => c.Number), second.Customers.Select(c => c.Number));
        Assert.NotEqual(first.Customers.Select(c => c.DisplayName), second.Customers.Select(c => c.DisplayName));
        var byPath = await bc.GetCollectionAsync($"{bc.ApiRoot}companies({options.CompanyIdOf(2)})/customers?$filter=number eq 'C00001'", "customer");
        Assert.Equal(second.CustomerByNumber("C00001")!.Id, Assert.Single(byPath.GetProperty("value").EnumerateArray()).GetProperty("id").GetGuid());
        var byName = await bc.GetCollectionAsync($"{bc.ApiRoot}customers?company={Uri.EscapeDataString(options.CompanyNameOf(2))}&$filter=number eq 'C00001'", "customer");
        Assert.Equal(second.CustomerByNumber("C00001")!.Id, Assert.Single(byName.GetProperty("value").EnumerateArray()).GetProperty("id").GetGuid());

        // A back-office change by id lands in the company that holds the record, nowhere else.
        var changed = second.CustomerByNumber("C00002")!;
        host.BusinessCentral.ModifyCustomerInUi(changed.Id, c => c.City = "Second City");
        Assert.Equal("Second City", changed.City);
        Assert.NotEqual("Second City", first.CustomerByNumber("C00002")!.City);

        using var unknown = await bc.SendAsync(HttpMethod.Get, $"{bc.ApiRoot}companies({Guid.NewGuid()})/customers");
        await BcTestClient.AssertErrorAsync(unknown, HttpStatusCode.BadRequest, "Internal_CompanyNotFound");
    }

    [Fact]
    public void One_company_is_the_default_and_keeps_its_seed()
    {
        Assert.Equal(1, new SandboxOptions().Companies);
        Assert.Equal(new BusinessCentralOptions().CompanyId, new BusinessCentralOptions().CompanyIdOf(1));
        Assert.NotEqual(new BusinessCentralOptions().CompanyIdOf(2), new BusinessCentralOptions().CompanyIdOf(3));
    }
}
