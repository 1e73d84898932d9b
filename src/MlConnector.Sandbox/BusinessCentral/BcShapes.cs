using System.Net.Mail;

namespace MlConnector.Sandbox.BusinessCentral;

/// <summary>A row of an API page over another table: its id, etag and timestamp are that record's.</summary>
public abstract class ViewRow : BcRecord
{
    protected ViewRow(BcRecord source)
    {
        Id = source.Id;
        RowVersion = source.RowVersion;
        LastModified = source.LastModified;
    }
}

/// <summary>customerFinancialDetails row: page 30048 reads the Customer table, so id, etag and timestamp are the customer's.</summary>
public sealed class FinancialRow : ViewRow
{
    public FinancialRow(BcCustomer customer, BcFinancials financials) : base(customer)
    {
        Customer = customer;
        Financials = financials;
    }

    public BcCustomer Customer { get; }
    public BcFinancials Financials { get; }
}

/// <summary>contactsInformation row (temporary table 5049): one contact related to one customer.</summary>
public sealed class ContactInfoRow : ViewRow
{
    public ContactInfoRow(BcContact contact, BcCustomer customer) : base(contact)
    {
        Contact = contact;
        Customer = customer;
    }

    public BcContact Contact { get; }
    public BcCustomer Customer { get; }
}

/// <summary>customerContacts row (page 30089): a person contact of a customer's company contact.</summary>
public sealed class CustomerContactRow : ViewRow
{
    public CustomerContactRow(BcContact contact, BcCustomer customer) : base(contact)
    {
        Contact = contact;
        Customer = customer;
    }

    public BcContact Contact { get; }
    public BcCustomer Customer { get; }
}

/// <summary>The entity sets the simulator serves, each bound to the store and to the captured $metadata.</summary>
public sealed class BcShapes
{
    public BcShapes(BcDataStore store)
    {
        Store = store;
        Company = new ShapeBuilder<BcCompany>("companies", "Company", "company", "name")
            .Get("id", c => c.Id).Get("systemVersion", c => c.SystemVersion).Get("timestamp", c => c.RowVersion)
            .Get("name", c => c.Name).Get("displayName", c => c.DisplayName).Get("businessProfileId", _ => "")
            .Get("systemCreatedAt", c => c.CreatedAt).Get("systemCreatedBy", c => c.CreatedBy)
            .Get("systemModifiedAt", c => c.LastModified).Get("systemModifiedBy", c => c.CreatedBy).Build();
        Customer = BuildCustomer();
        Financial = new ShapeBuilder<FinancialRow>("customerFinancialDetails", "Customer", "customerFinancialDetail", "number")
            .Get("id", f => f.Id).Get("number", f => f.Customer.Number).Get("balance", f => f.Financials.Balance)
            .Get("totalSalesExcludingTax", f => f.Financials.TotalSalesExcludingTax).Get("overdueAmount", f => f.Financials.OverdueAmount)
            .Get("lastModifiedDateTime", f => f.LastModified)
            .To("customer", "customers", false, f => f.Customer).Build();
        Contact = BuildContact();
        ContactInformation = new ShapeBuilder<ContactInfoRow>("contactsInformation", "Contact Information Buffer", "contactInformation", "contactNumber")
            .Get("contactId", r => r.Contact.Id).Get("contactNumber", r => r.Contact.Number).Get("contactName", r => r.Contact.DisplayName)
            .Get("contactType", r => r.Contact.Type).Get("relatedId", r => r.Customer.Id).Get("relatedType", _ => "Customer")
            .To("customer", "customers", false, r => r.Customer).To("contact", "contacts", false, r => r.Contact).Build();
        Currency = new ShapeBuilder<BcCurrency>("currencies", "Currency", "currency", "code")
            .Get("id", c => c.Id).Get("code", c => c.Code).Get("displayName", c => c.DisplayName).Get("symbol", c => c.Symbol)
            .Get("amountDecimalPlaces", c => c.AmountDecimalPlaces).Get("amountRoundingPrecision", c => c.AmountRoundingPrecision)
            .Get("lastModifiedDateTime", c => c.LastModified).Build();
        CustomerContact = new ShapeBuilder<CustomerContactRow>("customerContacts", "Contact", "customerContact", "id")
            .Get("id", r => r.Id).Get("email", r => r.Contact.Email).Get("firstName", r => r.Contact.FirstName).Get("lastName", r => r.Contact.Surname)
            .Get("professionalTitle", r => r.Contact.JobTitle).Computed("customerId", r => r.Customer.Id).Computed("customerName", r => r.Customer.DisplayName)
            .Get("primaryPhoneNumber", r => r.Contact.PhoneNumber).Build();
        PaymentTerm = new ShapeBuilder<BcPaymentTerm>("paymentTerms", "Payment Terms", "paymentTerm", "code")
            .Get("id", r => r.Id).Get("code", r => r.Code).Get("displayName", r => r.DisplayName).Get("dueDateCalculation", r => r.DueDateCalculation)
            .Get("discountDateCalculation", r => r.DiscountDateCalculation).Get("discountPercent", r => r.DiscountPercent)
            .Get("calculateDiscountOnCreditMemos", r => r.CalculateDiscountOnCreditMemos).Get("lastModifiedDateTime", r => r.LastModified).Build();
        ShipmentMethod = new ShapeBuilder<BcShipmentMethod>("shipmentMethods", "Shipment Method", "shipmentMethod", "code")
            .Get("id", r => r.Id).Get("code", r => r.Code).Get("displayName", r => r.DisplayName).Get("lastModifiedDateTime", r => r.LastModified).Build();
        PaymentMethod = new ShapeBuilder<BcPaymentMethod>("paymentMethods", "Payment Method", "paymentMethod", "code")
            .Get("id", r => r.Id).Get("code", r => r.Code).Get("displayName", r => r.DisplayName).Get("lastModifiedDateTime", r => r.LastModified).Build();
        CountryRegion = new ShapeBuilder<BcCountryRegion>("countriesRegions", "Country/Region", "countryRegion", "code")
            .Get("id", r => r.Id).Get("code", r => r.Code).Get("displayName", r => r.DisplayName).Get("addressFormat", r => r.AddressFormat)
            .Get("lastModifiedDateTime", r => r.LastModified).Build();
        BySet = new[] { Company, Customer, Financial, Contact, ContactInformation, Currency, CustomerContact, PaymentTerm, ShipmentMethod, PaymentMethod, CountryRegion }
            .ToDictionary(s => s.EntitySet, StringComparer.Ordinal);
    }

    public BcDataStore Store { get; }
    public EntityShape Company { get; }
    public EntityShape Customer { get; }
    public EntityShape Financial { get; }
    public EntityShape Contact { get; }
    public EntityShape ContactInformation { get; }
    public EntityShape Currency { get; }
    public EntityShape CustomerContact { get; }
    public EntityShape PaymentTerm { get; }
    public EntityShape ShipmentMethod { get; }
    public EntityShape PaymentMethod { get; }
    public EntityShape CountryRegion { get; }

    /// <summary>The rows of a setup table's entity set, or null for any other set.</summary>
    public IEnumerable<BcSetupRecord>? SetupRows(EntityShape shape)
        => shape == PaymentTerm ? Store.Setup.PaymentTerms : shape == ShipmentMethod ? Store.Setup.ShipmentMethods
            : shape == PaymentMethod ? Store.Setup.PaymentMethods : shape == CountryRegion ? Store.Setup.CountriesRegions : null;
    public IReadOnlyDictionary<string, EntityShape> BySet { get; }

    public FinancialRow FinancialsOf(BcCustomer customer) => new(customer, BcPosting.Financials(customer, Store.WorkDate));

    /// <summary>Rows of contactsInformation for a customer: its company contact and every contact of that company.</summary>
    public IEnumerable<ContactInfoRow> ContactInformationOf(BcCustomer customer)
    {
        if (customer.CompanyContact is not { } company) return Array.Empty<ContactInfoRow>();
        var members = Store.ContactsOfCompany(company.Number);
        if (members.Count == 0) members = new[] { company };
        return members.Select(c => new ContactInfoRow(c, customer));
    }

    public ContactInfoRow? ContactInformationOf(BcContact contact)
    {
        var company = contact.CompanyNumber.Length > 0 ? Store.ContactByNumber(contact.CompanyNumber) : contact;
        return company?.LinkedCustomer is { } customer ? new ContactInfoRow(contact, customer) : null;
    }

    /// <summary>Person contacts of customers' company contacts, as committed (<see cref="BcDataStore.Visible"/>).</summary>
    public IEnumerable<CustomerContactRow> CustomerContacts()
        => Store.Customers.Where(c => c.CompanyContact is not null)
            .SelectMany(c => Store.ContactsOfCompany(c.CompanyContact!.Number).Select(Store.Visible).OfType<BcContact>()
                .Where(p => p.Type == "Person").Select(p => new CustomerContactRow(p, c)));

    private EntityShape BuildCustomer() => new ShapeBuilder<BcCustomer>("customers", "Customer", "customer", "number")
        .Get("id", c => c.Id)
        .Edit<string>("number", c => c.Number, (c, v) => Store.Renumber(c, v.Length == 0 ? Store.NextCustomerNumber() : v))
        .Edit<string>("displayName", c => c.DisplayName, (c, v) => c.DisplayName = NotBlank("displayName", v))
        .Edit<string>("type", c => c.Type, (c, v) => c.Type = v)
        .Edit<string>("addressLine1", c => c.AddressLine1, (c, v) => c.AddressLine1 = v)
        .Edit<string>("addressLine2", c => c.AddressLine2, (c, v) => c.AddressLine2 = v)
        .Edit<string>("city", c => c.City, (c, v) => c.City = v)
        .Edit<string>("state", c => c.State, (c, v) => c.State = v)
        .Edit<string>("country", c => c.Country, (c, v) => c.Country = Store.Setup.Country(v.ToUpperInvariant(), "Customer"))
        .Edit<string>("postalCode", c => c.PostalCode, (c, v) => c.PostalCode = v.ToUpperInvariant())
        .Edit<string>("phoneNumber", c => c.PhoneNumber, (c, v) => c.PhoneNumber = v)
        .Edit<string>("email", c => c.Email, (c, v) => c.Email = ValidEmail(v))
        .Edit<string>("website", c => c.Website, (c, v) => c.Website = v)
        .Edit<string>("salespersonCode", c => c.SalespersonCode, (c, v) => c.SalespersonCode = v.ToUpperInvariant())
        .Get("balanceDue", c => Math.Round(BcPosting.Financials(c, Store.WorkDate).Balance / Store.ExchangeRateOf(c), 2))
        .Edit<decimal>("creditLimit", c => c.CreditLimit, (c, v) => c.CreditLimit = v)
        .Edit<bool>("taxLiable", c => c.TaxLiable, (c, v) => c.TaxLiable = v)
        .Edit<Guid>("taxAreaId", c => c.TaxAreaId, (c, v) => c.TaxAreaId = v)
        .Get("taxAreaDisplayName", c => c.TaxAreaId == Guid.Empty ? "" : "Domestic")
        .Edit<string>("taxRegistrationNumber", c => c.TaxRegistrationNumber, (c, v) => c.TaxRegistrationNumber = v)
        .Edit<Guid>("currencyId", c => c.CurrencyId, (c, v) => c.CurrencyId = v == Guid.Empty || Store.Currency(v) is not null
            ? v : throw BcErrors.Dialog("The \"currencyId\" does not match to a Currency."))
        .Edit<string>("currencyCode", c => Store.CurrencyCodeOf(c), (c, v) => c.CurrencyId = v.Length == 0 || string.Equals(v, Store.LocalCurrencyCode, StringComparison.OrdinalIgnoreCase)
            ? Guid.Empty : Store.CurrencyByCode(v)?.Id ?? throw BcErrors.Dialog("The \"currencyCode\" does not match to a Currency."))
        .Edit<Guid>("paymentTermsId", c => c.PaymentTermsId, (c, v) => c.PaymentTermsId = Store.Setup.PaymentTerm(v))
        .Edit<Guid>("shipmentMethodId", c => c.ShipmentMethodId, (c, v) => c.ShipmentMethodId = Store.Setup.ShipmentMethod(v))
        .Edit<Guid>("paymentMethodId", c => c.PaymentMethodId, (c, v) => c.PaymentMethodId = Store.Setup.PaymentMethod(v))
        .Edit<string>("blocked", c => c.Blocked, (c, v) => c.Blocked = v)
        .Get("lastModifiedDateTime", c => c.LastModified)
        .To("customerFinancialDetail", "customerFinancialDetails", false, FinancialsOf)
        .To("contactsInformation", "contactsInformation", true, c => ContactInformationOf(c))
        .To("currency", "currencies", false, c => c.CurrencyId == Guid.Empty ? null : Store.Currency(c.CurrencyId))
        .To("paymentTerm", "paymentTerms", false, c => Store.Setup.PaymentTerms.FirstOrDefault(p => p.Id == c.PaymentTermsId))
        .To("shipmentMethod", "shipmentMethods", false, c => Store.Setup.ShipmentMethods.FirstOrDefault(p => p.Id == c.ShipmentMethodId))
        .To("paymentMethod", "paymentMethods", false, c => Store.Setup.PaymentMethods.FirstOrDefault(p => p.Id == c.PaymentMethodId))
        .Build();

    private EntityShape BuildContact() => new ShapeBuilder<BcContact>("contacts", "Contact", "contact", "number")
        .Get("id", c => c.Id)
        .Edit<string>("number", c => c.Number, (c, v) => Store.Renumber(c, v.Length == 0 ? Store.NextContactNumber() : v))
        .Edit<string>("type", c => c.Type, (c, v) => c.Type = v)
        .Edit<string>("displayName", c => c.DisplayName, (c, v) => { c.DisplayName = NotBlank("displayName", v); c.SearchName = Upper(v); })
        .Edit<string>("jobTitle", c => c.JobTitle, (c, v) => c.JobTitle = v)
        .Edit<string>("companyNumber", c => c.CompanyNumber, SetCompanyNumber)
        .Get("companyName", c => c.CompanyName)
        .Get("contactBusinessRelation", c => c.BusinessRelation)
        .Edit<string>("addressLine1", c => c.AddressLine1, (c, v) => c.AddressLine1 = v)
        .Edit<string>("addressLine2", c => c.AddressLine2, (c, v) => c.AddressLine2 = v)
        .Edit<string>("city", c => c.City, (c, v) => c.City = v)
        .Edit<string>("state", c => c.State, (c, v) => c.State = v)
        .Edit<string>("country", c => c.Country, (c, v) => c.Country = Store.Setup.Country(v.ToUpperInvariant(), "Contact"))
        .Edit<string>("postalCode", c => c.PostalCode, (c, v) => c.PostalCode = v.ToUpperInvariant())
        .Edit<string>("phoneNumber", c => c.PhoneNumber, (c, v) => c.PhoneNumber = v)
        .Edit<string>("mobilePhoneNumber", c => c.MobilePhoneNumber, (c, v) => c.MobilePhoneNumber = v)
        .Edit<string>("email", c => c.Email, (c, v) => c.Email = ValidEmail(v))
        .Edit<string>("website", c => c.Website, (c, v) => c.Website = v)
        .Edit<string>("searchName", c => c.SearchName, (c, v) => c.SearchName = Upper(v))
        .Edit<bool>("privacyBlocked", c => c.PrivacyBlocked, (c, v) => c.PrivacyBlocked = v)
        .Edit<string>("taxRegistrationNumber", c => c.TaxRegistrationNumber, (c, v) => c.TaxRegistrationNumber = v)
        .Get("lastInteractionDate", c => c.LastInteractionDate)
        .Get("lastModifiedDateTime", c => c.LastModified)
        .To("contactInformation", "contactsInformation", false, c => ContactInformationOf(c))
        .Build();

    private void SetCompanyNumber(BcContact contact, string number)
    {
        if (number.Length == 0) { contact.CompanyNumber = ""; contact.CompanyName = ""; return; }
        var company = number == contact.Number && contact.Type == "Company" ? contact : Store.ContactByNumber(number);
        if (company is null || company.Type != "Company")
            throw new BcException(400, "Internal_RecordNotFound", $"The Contact does not exist. Identification fields and values: No.='{number}'");
        contact.CompanyNumber = company.Number;
        contact.CompanyName = company.DisplayName;
        if (company != contact) contact.BusinessRelation = company.BusinessRelation;
    }

    private static string NotBlank(string property, string value)
        => value.Trim().Length == 0 ? throw BcErrors.Dialog($"The blank \"{property}\" is not allowed.") : value;

    private static string Upper(string value) => value.Length <= 100 ? value.ToUpperInvariant() : value[..100].ToUpperInvariant();

    /// <summary>BC validates e-mail addresses on entry (Mail Management); seeded legacy data may still hold invalid ones.</summary>
    private static string ValidEmail(string value)
    {
        if (value.Length == 0) return value;
        foreach (var part in value.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            if (!MailAddress.TryCreate(part, out var parsed) || parsed.Address != part || !parsed.Host.Contains('.', StringComparison.Ordinal))
                throw BcErrors.Dialog($"The email address \"{part}\" is not valid.");
        return value;
    }
}
