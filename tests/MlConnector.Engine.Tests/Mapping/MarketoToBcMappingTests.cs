using MlConnector.Engine.Mapping;
using MlConnector.Engine.Marketo;

namespace MlConnector.Engine.Tests.Mapping;

/// <summary>The reverse mapping: defaults, ownership, qualification, company key prefixes, and the files that are refused.</summary>
public sealed class MarketoToBcMappingTests
{
    private static MarketoLead Lead(params (string Field, string? Value)[] fields)
        => new() { Id = 7, Fields = fields.ToDictionary(f => f.Field, f => f.Value, StringComparer.OrdinalIgnoreCase) };

    private static readonly MarketoLead Ada = Lead(("email", "ada@example.com"), ("firstName", "Ada"), ("lastName", "Quill"), ("company", "Quill Ltd"),
        ("title", "Buyer"), ("phone", "+1 555"), ("address", "1 Main St\nSuite 2\nBack door"), ("city", "Leeds"), ("website", "quill.example"));

    [Fact]
    public void By_default_Marketo_owns_the_contact_and_Business_Central_the_customer()
    {
        var mapper = new MarketoToBcMapper(MarketoToBcMapping.Default());

        var created = mapper.Values(Ada, BcEntity.Customer, creating: true);
        Assert.Equal("Quill Ltd", created["displayName"]);
        Assert.Equal(("1 Main St", "Suite 2, Back door"), (created["addressLine1"], created["addressLine2"]));
        Assert.Equal(("ada@example.com", "quill.example"), (created["email"], created["website"]));
        Assert.Empty(mapper.Values(Ada, BcEntity.Customer, creating: false));

        var contact = mapper.Values(Ada, BcEntity.Contact, creating: false);
        Assert.Equal(("Ada Quill", "Buyer", "+1 555", "Leeds"), (contact["displayName"], contact["jobTitle"], contact["phoneNumber"], contact["city"]));
        Assert.False(contact.ContainsKey("mobilePhoneNumber")); // blank in Marketo: never clears BC
        Assert.DoesNotContain(MarketoToBcMapping.Default().Customer, f => f.BcField is "currencyCode" or "paymentTermsId" or "creditLimit");
    }

    [Fact]
    public void Ownership_and_fields_change_per_field_in_the_mapping_file()
    {
        var mapping = MarketoToBcMapping.FromUserJson("""
            {
              "company": { "fields": { "industry": "Type" } },
              "marketoToBc": {
                "contact": { "fields": { "jobTitle": "department" }, "remove": ["mobilePhoneNumber"] },
                "marketoOwns": ["customer.website"],
                "businessCentralOwns": ["contact.phoneNumber"]
              }
            }
            """);
        var mapper = new MarketoToBcMapper(mapping);
        var lead = Lead(("email", "a@b.example"), ("website", "new.example"), ("phone", "+1"), ("department", "Purchasing"), ("title", "ignored"));

        Assert.Equal(["website"], mapper.Values(lead, BcEntity.Customer, creating: false).Keys);
        var contact = mapper.Values(lead, BcEntity.Contact, creating: false);
        Assert.Equal("Purchasing", contact["jobTitle"]);
        Assert.False(contact.ContainsKey("phoneNumber"));
        Assert.Equal("+1", mapper.Values(lead, BcEntity.Contact, creating: true)["phoneNumber"]); // BC-owned still fills a new record
        Assert.DoesNotContain(mapping.Contact, f => f.BcField == "mobilePhoneNumber");
    }

    [Theory]
    [InlineData("""{ "marketoToBc": { "customer": { "fields": { "currencyCode": "currency" } } } }""", "MappingFieldNotAllowed", "currencyCode")]
    [InlineData("""{ "marketoToBc": { "contact": { "fields": { "favouriteColour": "color" } } } }""", "MappingTargetFieldUnknown", "favouriteColour")]
    [InlineData("""{ "marketoToBc": { "contact": { "remove": ["email"] } } }""", "MappingKeyRemoved", "contact.email")]
    [InlineData("""{ "marketoToBc": { "marketoOwns": ["customer.blocked"] } }""", "MappingFileInvalid", "customer.blocked")]
    [InlineData("""{ "marketoToBc": { "qualfy": {} } }""", "MappingFileInvalid", "qualfy")]
    [InlineData("""{ "marketoToBc": { "contact": { "fields": { "addressLine1": "address#0" } } } }""", "MappingFileInvalid", "addressLine1")]
    public void A_mapping_that_cannot_work_is_refused_naming_the_field(string json, string errorId, string field)
    {
        var error = Assert.Throws<MappingException>(() => MarketoToBcMapping.FromUserJson(json));
        Assert.Equal((errorId, field), (error.ErrorId, error.Field));
    }

    [Fact]
    public void Qualification_defaults_to_a_company_and_a_valid_email_and_can_require_a_marketing_field()
    {
        var defaults = new MarketoToBcMapper(MarketoToBcMapping.Default());
        Assert.Null(defaults.NotQualified(Ada));
        Assert.Equal("NotQualified: the lead has no company", defaults.NotQualified(Lead(("email", "a@b.example"))));
        Assert.Equal("NotQualified: InvalidEmail", defaults.NotQualified(Lead(("email", "not an email"), ("company", "X"))));

        var status = new MarketoToBcMapper(MarketoToBcMapping.FromUserJson("""{ "marketoToBc": { "qualify": { "field": "leadStatus", "values": ["Sales Qualified"] } } }"""));
        Assert.Null(status.NotQualified(Lead(("email", "a@b.example"), ("company", "X"), ("leadStatus", "sales qualified"))));
        Assert.Equal("NotQualified: leadStatus is 'Open', not 'Sales Qualified'", status.NotQualified(Lead(("email", "a@b.example"), ("company", "X"), ("leadStatus", "Open"))));

        var flag = new MarketoToBcMapper(MarketoToBcMapping.FromUserJson("""{ "marketoToBc": { "qualify": { "requireCompany": false, "field": "readyForErp" } } }"""));
        Assert.Null(flag.NotQualified(Lead(("email", "a@b.example"), ("readyForErp", "true"))));
        Assert.Equal("NotQualified: readyForErp is not set", flag.NotQualified(Lead(("email", "a@b.example"), ("readyForErp", "false"))));
    }

    [Theory]
    [InlineData("", null, "C00010", "C00010", null)]
    [InlineData("UK-", null, "UK-C00010", "C00010", null)]
    [InlineData("UK-", null, "C00010", null, "does not carry this pair's company key prefix 'UK-'")]
    [InlineData("", "US-", "US-C00010", null, "carries the company key prefix 'US-' of another sync pair")]
    [InlineData("UK-", "UK-NORTH-", "UK-NORTH-C1", null, "carries the company key prefix 'UK-NORTH-'")]
    public void A_company_key_is_this_pairs_only_with_its_prefix(string prefix, string? other, string key, string? number, string? otherPair)
    {
        var mapper = new MarketoToBcMapper(MarketoToBcMapping.Default(), prefix, other is null ? null : [other]);
        var result = mapper.CompanyKeyOf(Lead(("externalCompanyId", key)));
        Assert.Equal(number, result.Number);
        if (otherPair is null) Assert.Null(result.OtherPair);
        else Assert.Contains(otherPair, result.OtherPair);
    }

    [Fact]
    public void A_joined_name_is_held_when_Business_Central_has_a_middle_name_between()
    {
        var mapper = new MarketoToBcMapper(MarketoToBcMapping.Default());
        var lead = Lead(("firstName", "Ann"), ("lastName", "Smith"));
        Assert.True(mapper.Holds(BcEntity.Contact, "displayName", "Ann Marie Smith", "Ann Smith", lead));
        Assert.False(mapper.Holds(BcEntity.Contact, "displayName", "Anna Smith", "Ann Smith", lead));
        Assert.False(mapper.Holds(BcEntity.Contact, "displayName", "Ann Smithers", "Ann Smith", lead));
        Assert.True(mapper.Holds(BcEntity.Contact, "email", "ANN@EXAMPLE.COM", "ann@example.com", lead));
        Assert.False(mapper.Holds(BcEntity.Contact, "city", "LEEDS", "Leeds", lead));
    }

    [Fact]
    public void A_bulk_extract_file_reads_quotes_line_breaks_and_the_literal_null()
    {
        var csv = "id,email,company,address\n1,a@b.example,\"Quoted, \"\"Inc\"\"\",\"1 Main St\nFloor 2\"\r\n2,c@d.example,null,\n";
        var rows = MarketoBulkFile.Read(new StringReader(csv)).ToList();
        Assert.Equal(2, rows.Count);
        Assert.Equal(("Quoted, \"Inc\"", "1 Main St\nFloor 2"), (rows[0]["company"], rows[0]["address"]));
        Assert.Equal((null, null), (rows[1]["company"], rows[1]["address"]));
    }
}
