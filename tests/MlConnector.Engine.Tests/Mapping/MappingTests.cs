using System.Globalization;
using MlConnector.Engine.BusinessCentral;
using MlConnector.Engine.Mapping;

namespace MlConnector.Engine.Tests.Mapping;

public sealed class MappingTests
{
    private static BcCustomer Customer() => new()
    {
        Number = "C00010", DisplayName = "Fabrikam, Inc.", AddressLine1 = "1 Main St", AddressLine2 = "Suite 5", City = "Köln",
        Country = "DE", PostalCode = "50667", PhoneNumber = "+49 221 1234", Website = "fabrikam.example", SalespersonCode = "SP01",
        CurrencyCode = "EUR", CreditLimit = 15000.5m, Balance = 1234.56m, TotalSalesExcludingTax = 98765.43m, OverdueAmount = 0m,
        LastModifiedDateTime = new DateTimeOffset(2026, 11, 1, 8, 30, 0, TimeSpan.FromHours(1)),
    };

    private static BcContact Person(string email = "Ann.Lee@fabrikam.example") => new()
    {
        Number = "CT0001", Type = "Person", DisplayName = "Ann Lee", FirstName = "Ann", LastName = "Lee", JobTitle = "CFO",
        Email = email, PhoneNumber = "123", CustomerNumber = "C00010", CompanyNumber = "CT0000",
    };

    [Fact]
    public void Default_company_map_is_keyed_on_the_customer_number_and_carries_account_attributes()
    {
        var record = new BcToMarketoMapper(MappingLoader.Default()).MapCustomer(Customer());
        Assert.Equal("C00010", record.Key);
        Assert.Equal("C00010", record.Fields["externalCompanyId"]);
        Assert.Equal("Fabrikam, Inc.", record.Fields["company"]);
        Assert.Equal("1 Main St\nSuite 5", record.Fields["billingStreet"]);
        Assert.Equal("EUR", record.Fields["bcAccountCurrency"]);
        Assert.Equal(1234.56m, record.Fields["bcAccountBalance"]);
        Assert.Equal(98765.43m, record.Fields["bcAccountTotalSales"]);
        Assert.Equal(15000.5m, record.Fields["bcAccountCreditLimit"]);
        Assert.Equal("SP01", record.Fields["externalSalesPersonId"]);
    }

    [Fact]
    public void Default_lead_map_links_the_lead_to_its_company()
    {
        var mapped = new BcToMarketoMapper(MappingLoader.Default()).MapContact(Person(), Customer(), withAccountFields: false);
        Assert.NotNull(mapped.Record);
        Assert.Equal("Ann.Lee@fabrikam.example", mapped.Record!.Fields["email"]);
        Assert.Equal("C00010", mapped.Record.Fields["externalCompanyId"]);
        Assert.Equal("CFO", mapped.Record.Fields["title"]);
        Assert.False(mapped.Record.Fields.ContainsKey("bcBalance"));
        Assert.Equal("Lead:ann.lee@fabrikam.example", mapped.Record.TargetKey);
    }

    [Fact]
    public void Account_attributes_ride_on_the_lead_when_companies_are_read_only()
    {
        var mapper = new BcToMarketoMapper(MappingLoader.Default());
        Assert.True(mapper.LeadsCarryAccountFields(companiesWritable: false));
        Assert.False(mapper.LeadsCarryAccountFields(companiesWritable: true));
        var mapped = mapper.MapContact(Person(), Customer(), withAccountFields: true);
        Assert.Equal(1234.56m, mapped.Record!.Fields["bcBalance"]);
        Assert.Equal("EUR", mapped.Record.Fields["bcCurrencyCode"]);
    }

    [Theory]
    [InlineData("", EmailRules.Missing)]
    [InlineData("   ", EmailRules.Missing)]
    [InlineData("not-an-email", EmailRules.Invalid)]
    [InlineData("a@b", EmailRules.Invalid)]
    [InlineData("two@@at.example", EmailRules.Invalid)]
    [InlineData("dots..x@y.example", EmailRules.Invalid)]
    public void Contacts_without_a_usable_email_are_skipped_with_a_reason(string email, string reason)
    {
        var mapped = new BcToMarketoMapper(MappingLoader.Default()).MapContact(Person(email), Customer(), false);
        Assert.Null(mapped.Record);
        Assert.Equal(reason, mapped.SkipReason);
    }

    [Fact]
    public void An_email_over_marketo_length_is_skipped_as_too_long()
    {
        var email = new string('a', 250) + "@x.example";
        Assert.Equal(EmailRules.TooLong, new BcToMarketoMapper(MappingLoader.Default()).MapContact(Person(email), null, false).SkipReason);
    }

    [Fact]
    public void Company_contacts_are_not_leads()
    {
        var company = new BcContact { Number = "CT0000", Type = "Company", Email = "info@fabrikam.example" };
        Assert.Equal("NotAPerson", new BcToMarketoMapper(MappingLoader.Default()).MapContact(company, null, false).SkipReason);
    }

    [Fact]
    public void A_user_file_retargets_adds_and_drops_fields()
    {
        var mapping = MappingLoader.FromUserJson("""
            { "company": { "remove": ["bcAccountBalance", "website"], "fields": { "accountBalance": "Balance", "companyNotes": ["City", "Country"] } },
              "leadAccount": { "when": "Always" } }
            """);
        var record = new BcToMarketoMapper(mapping).MapCustomer(Customer());
        Assert.False(record.Fields.ContainsKey("bcAccountBalance"));
        Assert.False(record.Fields.ContainsKey("website"));
        Assert.Equal(1234.56m, record.Fields["accountBalance"]);
        Assert.Equal("Köln\nDE", record.Fields["companyNotes"]);
        Assert.Equal(LeadAccountFieldsWhen.Always, mapping.LeadAccountFieldsWhen);
    }

    [Theory]
    [InlineData("""{ "company": { "fields": { "x": "NoSuchProperty" } } }""", "MappingSourceUnknown", "x")]
    [InlineData("""{ "lead": { "remove": ["email"] } }""", "MappingKeyRemoved", "email")]
    [InlineData("""{ "invoices": {} }""", "MappingFileInvalid", "invoices")]
    [InlineData("""{ "leadAccount": { "when": "Sometimes" } }""", "MappingFileInvalid", "when")]
    public void A_bad_user_file_is_a_clear_error_naming_the_field(string json, string errorId, string field)
    {
        var error = Assert.Throws<MappingException>(() => MappingLoader.FromUserJson(json));
        Assert.Equal(errorId, error.ErrorId);
        Assert.Equal(field, error.Field);
        Assert.Contains(field, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validation_against_describe_names_an_unknown_field()
    {
        var mapping = MappingLoader.FromUserJson("""{ "lead": { "fields": { "favouriteColour__c": "JobTitle" } } }""");
        var leadFields = mapping.Lead.Fields.Where(f => f.Target != "favouriteColour__c").Select(f => new TargetField(f.Target, true))
            .Concat(mapping.LeadAccountFields.Select(f => new TargetField(f.Target, true))).ToArray();
        var companyFields = mapping.Company.Fields.Select(f => new TargetField(f.Target, true)).ToArray();
        var error = Assert.Throws<MappingException>(() => MappingValidator.Validate(mapping, leadFields, companyFields));
        Assert.Equal("MappingTargetFieldUnknown", error.ErrorId);
        Assert.Equal("favouriteColour__c", error.Field);
    }

    [Fact]
    public void Validation_against_describe_names_a_read_only_field_but_allows_the_company_key()
    {
        var mapping = MappingLoader.FromUserJson("""{ "lead": { "fields": { "bcEngagementScore": "JobTitle" } } }""");
        var leadFields = mapping.Lead.Fields.Select(f => new TargetField(f.Target, f.Target != "bcEngagementScore"))
            .Concat(mapping.LeadAccountFields.Select(f => new TargetField(f.Target, true))).ToArray();
        var companyFields = mapping.Company.Fields.Select(f => new TargetField(f.Target, f.Target != "externalCompanyId")).ToArray();
        var error = Assert.Throws<MappingException>(() => MappingValidator.Validate(mapping, leadFields, companyFields));
        Assert.Equal("MappingTargetFieldReadOnly", error.ErrorId);
        Assert.Equal("bcEngagementScore", error.Field);
    }

    [Theory]
    [InlineData("de-DE")]
    [InlineData("tr-TR")]
    [InlineData("ar-SA")]
    public void Mapping_and_hashes_are_culture_invariant(string culture)
    {
        var mapper = new BcToMarketoMapper(MappingLoader.Default());
        var invariant = RunIn(CultureInfo.InvariantCulture, () => mapper.MapCustomer(Customer()));
        var local = RunIn(new CultureInfo(culture), () => mapper.MapCustomer(Customer()));
        Assert.Equal(invariant.ContentHash, local.ContentHash);
        Assert.Equal(ContentHash.Canonical(invariant.Fields), ContentHash.Canonical(local.Fields));
        Assert.Contains("\"bcAccountBalance\":1234.56", ContentHash.Canonical(local.Fields), StringComparison.Ordinal);
    }

    [Fact]
    public void Hash_changes_when_a_mapped_value_changes()
    {
        var mapper = new BcToMarketoMapper(MappingLoader.Default());
        var before = mapper.MapCustomer(Customer());
        var after = mapper.MapCustomer(new BcCustomer { Number = "C00010", DisplayName = "Fabrikam, Inc.", Balance = 1m });
        Assert.NotEqual(before.ContentHash, after.ContentHash);
    }

    [Theory]
    [InlineData("#microsoft.graph.salesInvoice", "a sales invoice")]
    [InlineData("$metadata#companies(1)/generalLedgerEntries/$entity", "a general ledger entry")]
    [InlineData("$metadata#companies(1)/vendors/$entity", "a vendor")]
    public void Finance_documents_ledger_entries_and_vendors_never_cross(string context, string looksLike)
    {
        var (kind, reason) = SourceClassifier.Classify(["number", "displayName"], context);
        Assert.Equal(SourceKind.Rejected, kind);
        Assert.Contains(looksLike, reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_csv_row_with_an_invoice_shape_is_rejected_and_a_number_row_is_accepted()
    {
        Assert.Equal(SourceKind.Rejected, SourceClassifier.Classify(["Number", "invoiceDate", "totalAmountIncludingTax"], null).Kind);
        Assert.Equal(SourceKind.CustomerNumber, SourceClassifier.Classify(["Number"], null).Kind);
        Assert.Equal(SourceKind.Customer, SourceClassifier.Classify(["number"], "$metadata#companies(1)/customers/$entity").Kind);
    }

    private static T RunIn<T>(CultureInfo culture, Func<T> action)
    {
        var previous = CultureInfo.CurrentCulture;
        CultureInfo.CurrentCulture = culture;
        try { return action(); }
        finally { CultureInfo.CurrentCulture = previous; }
    }
}
