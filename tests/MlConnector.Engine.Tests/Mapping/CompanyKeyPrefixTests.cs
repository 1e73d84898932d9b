using MlConnector.Engine.BusinessCentral;
using MlConnector.Engine.Mapping;

namespace MlConnector.Engine.Tests.Mapping;

public sealed class CompanyKeyPrefixTests
{
    private static readonly BcCustomer Customer = new() { Id = Guid.NewGuid(), Number = "C00010", DisplayName = "Fabrikam, Inc.", CurrencyCode = "EUR" };

    private static readonly BcContact Person = new()
    {
        Id = Guid.NewGuid(), Number = "CT0001", Type = "Person", FirstName = "Ann", LastName = "Lee", Email = "ann@fabrikam.example", CustomerNumber = "C00010",
    };

    [Fact]
    public void A_prefix_goes_before_the_company_key_and_the_leads_link_to_its_company_and_nowhere_else()
    {
        var mapper = new BcToMarketoMapper(MappingLoader.Default(), "UK-");
        var company = mapper.MapCustomer(Customer);
        var lead = mapper.MapContact(Person, Customer, withAccountFields: true).Record!;

        Assert.Equal(("UK-C00010", "UK-C00010", "Company:UK-C00010"), (company.Key, company.Fields["externalCompanyId"], company.TargetKey));
        Assert.Equal("C00010", company.SourceNumber);
        Assert.Equal(Customer.Id, company.SourceId);
        Assert.Equal("UK-C00010", lead.Fields["externalCompanyId"]);
        Assert.Equal("C00010", lead.Fields["bcCustomerNumber"]);
        Assert.Equal("ann@fabrikam.example", lead.Key);
        Assert.Equal(Person.Id, lead.SourceId);
    }

    [Fact]
    public void Without_a_prefix_keys_and_content_hashes_are_what_they_were()
    {
        var plain = new BcToMarketoMapper(MappingLoader.Default());
        var empty = new BcToMarketoMapper(MappingLoader.Default(), "");
        Assert.Equal(plain.MapCustomer(Customer).ContentHash, empty.MapCustomer(Customer).ContentHash);
        Assert.Equal("C00010", plain.MapCustomer(Customer).Key);
        Assert.NotEqual(plain.MapCustomer(Customer).ContentHash, new BcToMarketoMapper(MappingLoader.Default(), "UK-").MapCustomer(Customer).ContentHash);
        var unlinked = new BcContact { Number = "CT0002", Type = "Person", Email = "bo@example.net" };
        Assert.Null(new BcToMarketoMapper(MappingLoader.Default(), "UK-").MapContact(unlinked, null, false).Record!.Fields["externalCompanyId"]);
    }
}
