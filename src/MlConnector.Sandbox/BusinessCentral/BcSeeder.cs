using System.Globalization;
using System.Text;
using static MlConnector.Sandbox.BusinessCentral.BcSeedWords;

namespace MlConnector.Sandbox.BusinessCentral;

/// <summary>
/// Deterministic demo data: customers in several currencies with ledgers, their company contacts and about 2.5 person
/// contacts each, prospects and loose persons, and the mess real tenants have (missing, invalid, duplicate and
/// maximum-length e-mails, unicode and right-to-left names, blocked customers), a few of them changed in the last
/// hours. Same seed, same data.
/// </summary>
internal sealed class BcSeeder(BcDataStore store, Guid companyId, string companyName, Random random)
{
    private static readonly DateOnly BaseDate = new(2024, 6, 30);
    private static readonly (string Code, string Name, string Symbol, decimal Rate, string Places, decimal Precision, double Share)[] CurrencyTable =
    [
        ("EUR", "Euro", "€", 1.0850m, "2:2", 0.01m, 0.15), ("GBP", "Pound Sterling", "£", 1.2700m, "2:2", 0.01m, 0.10),
        ("CAD", "Canadian dollar", "$", 0.7300m, "2:2", 0.01m, 0.08), ("DKK", "Danish krone", "kr", 0.1450m, "2:2", 0.01m, 0.06),
        ("JPY", "Japanese yen", "¥", 0.0067m, "0:0", 1m, 0.06),
    ];

    private readonly List<string> _emails = new();
    private readonly Dictionary<BcCustomer, List<BcContact>> _peopleOf = new();
    private DateTimeOffset _now;

    public void Seed(int customers)
    {
        _now = store.Clock.GetUtcNow();
        SeedCompany();
        foreach (var c in CurrencyTable)
            store.Currencies.Add(new BcCurrency
            {
                Id = NewGuid(), Code = c.Code, DisplayName = c.Name, Symbol = c.Symbol, ExchangeRate = c.Rate, AmountDecimalPlaces = c.Places,
                AmountRoundingPrecision = c.Precision, LastModified = Past(900), RowVersion = store.NextRowVersion(),
            });
        var paymentTerms = Enumerable.Range(0, 4).Select(_ => NewGuid()).ToArray();
        var shipmentMethods = Enumerable.Range(0, 3).Select(_ => NewGuid()).ToArray();
        var paymentMethods = Enumerable.Range(0, 3).Select(_ => NewGuid()).ToArray();
        var domesticTaxArea = NewGuid();
        store.Setup.Seed(paymentTerms, shipmentMethods, paymentMethods, store.Company.CreatedAt, store.NextRowVersion);

        for (var i = 1; i <= customers; i++)
        {
            var currency = PickCurrency();
            var script = PickScript(currency);
            var customer = NewCustomer(i, currency, script);
            customer.PaymentTermsId = paymentTerms[random.Next(paymentTerms.Length)];
            customer.ShipmentMethodId = random.NextDouble() < 0.8 ? shipmentMethods[random.Next(shipmentMethods.Length)] : Guid.Empty;
            customer.PaymentMethodId = random.NextDouble() < 0.6 ? paymentMethods[random.Next(paymentMethods.Length)] : Guid.Empty;
            customer.TaxLiable = customer.Country == "US";
            customer.TaxAreaId = customer.Country == "US" ? domesticTaxArea : Guid.Empty;
            store.AddCustomer(customer);

            var company = CompanyContactFor(customer);
            store.AddContact(company);
            store.Relate(company, customer);
            var persons = random.Next(0, 6);
            var people = new List<BcContact>(persons);
            for (var p = 0; p < persons; p++)
            {
                people.Add(Person(script, company, Domain(customer), "Customer"));
                store.AddContact(people[^1]);
            }
            _peopleOf[customer] = people;
        }

        // Prospects (company contacts without a customer) with their people, and persons belonging to no company.
        for (var i = 0; i < customers / 40; i++)
        {
            var script = PickScript(null);
            var prospect = new BcCustomer { Number = "", DisplayName = CompanyName(script), Country = "US", City = "Chicago" };
            var company = CompanyContactFor(prospect);
            company.BusinessRelation = "None";
            store.AddContact(company);
            for (var p = random.Next(1, 3); p > 0; p--) store.AddContact(Person(script, company, Slug(prospect.DisplayName, "prospect") + ".com", "None"));
        }
        for (var i = 0; i < customers / 20; i++) store.AddContact(Person(PickScript(null), null, "example.net", "None"));
        ChangeSomeRecently(customers);
    }

    /// <summary>
    /// A newcomer's first pipeline, Get-BcCustomer -ModifiedSince (Get-Date).AddDays(-1), finds something: a handful of
    /// customers (one in ten, at most five, spread over the numbers) and one person of each were changed in the last
    /// hours. Done after everything else, so the rest of the seeded data is the same as without it.
    /// </summary>
    private void ChangeSomeRecently(int customers)
    {
        var count = Math.Min(RecentlyChangedMax, Math.Max(1, customers / 10));
        for (var k = 0; k < count && customers > 0; k++)
        {
            var customer = store.Customers[k * customers / count];
            customer.LastModified = Recent();
            customer.RowVersion = store.NextRowVersion();
            if (_peopleOf.GetValueOrDefault(customer) is [var person, ..])
            {
                person.LastModified = Recent();
                person.RowVersion = store.NextRowVersion();
            }
        }
    }

    /// <summary>At most this many customers are seeded as changed in the last hours.</summary>
    public const int RecentlyChangedMax = 5;

    /// <summary>Person contacts' e-mails in creation order (blank ones left out; invalid and duplicate ones kept).</summary>
    public IReadOnlyList<string> Emails => _emails;

    private void SeedCompany()
    {
        var company = store.Company;
        company.Id = companyId;
        company.Name = companyName.Length <= 30 ? companyName : companyName[..30];
        company.DisplayName = companyName;
        company.CreatedAt = BcTime.SqlRound(new DateTimeOffset(2023, 1, 4, 16, 55, 47, 367, TimeSpan.Zero));
        company.CreatedBy = NewGuid();
        company.LastModified = company.CreatedAt;
        company.RowVersion = store.NextRowVersion();
    }

    private BcCustomer NewCustomer(int index, BcCurrency? currency, Script script)
    {
        var place = Place(currency);
        var name = random.NextDouble() < 0.01 ? Exactly(CompanyName(script) + " International Holdings and Distribution Services Limited", 100) : CompanyName(script);
        var customer = new BcCustomer
        {
            Id = NewGuid(),
            Number = "C" + index.ToString("D5", CultureInfo.InvariantCulture),
            DisplayName = name,
            Type = random.NextDouble() < 0.05 ? "Person" : "Company",
            AddressLine1 = random.NextDouble() < 0.01 ? Exactly("Building 7, Industrial Park North, Unit 14B, Loading Dock C, attention Goods Receiving Department", 100)
                : (random.Next(1, 999)).ToString(CultureInfo.InvariantCulture) + " " + Streets[random.Next(Streets.Length)],
            AddressLine2 = random.NextDouble() < 0.2 ? "Suite " + random.Next(100, 999).ToString(CultureInfo.InvariantCulture) : "",
            City = place.City, State = place.State, Country = place.Country, PostalCode = place.Postal,
            PhoneNumber = random.NextDouble() < 0.9 ? place.Phone : "",
            SalespersonCode = new[] { "PS", "JR", "OF", "RS", "" }[random.Next(5)],
            CreditLimit = random.Next(0, 6) * 5000m,
            CurrencyId = currency?.Id ?? Guid.Empty,
            TaxRegistrationNumber = place.Country == "US" ? "" : place.Country + random.Next(10000000, 99999999).ToString(CultureInfo.InvariantCulture),
            Blocked = random.NextDouble() switch { < 0.03 => "Ship", < 0.05 => "Invoice", < 0.07 => "All", _ => BcEnums.Blank },
            LastModified = Past(720),
            RowVersion = store.NextRowVersion(),
        };
        var domain = Domain(customer);
        customer.Email = random.NextDouble() switch { < 0.1 => "", < 0.12 => "info@" + domain.Replace(".", "", StringComparison.Ordinal), _ => "info@" + domain };
        customer.Website = customer.Email.Length > 0 ? "www." + domain : "";
        var sales = random.NextDouble() < 0.8 ? Math.Round((decimal)random.NextDouble() * 250000m, 2) : 0m;
        var balance = Math.Round(sales * (decimal)random.NextDouble() * 0.3m, 2);
        customer.Ledger = new BcCustomerLedger
        {
            OpeningSales = sales, OpeningBalance = balance,
            OpeningOverdue = random.NextDouble() < 0.3 ? Math.Round(balance * (decimal)random.NextDouble() * 0.5m, 2) : 0m,
        };
        return customer;
    }

    private BcContact CompanyContactFor(BcCustomer customer)
    {
        var contact = new BcContact
        {
            Id = NewGuid(), Number = store.NextContactNumber(), Type = "Company", DisplayName = customer.DisplayName, CompanyName = customer.DisplayName,
            SearchName = Upper(customer.DisplayName), AddressLine1 = customer.AddressLine1, AddressLine2 = customer.AddressLine2, City = customer.City,
            State = customer.State, Country = customer.Country, PostalCode = customer.PostalCode, PhoneNumber = customer.PhoneNumber,
            Email = customer.Email, Website = customer.Website, TaxRegistrationNumber = customer.TaxRegistrationNumber,
            LastInteractionDate = random.NextDouble() < 0.5 ? DateOnly.MinValue : BaseDate.AddDays(-random.Next(0, 700)),
            LastModified = Past(720), RowVersion = store.NextRowVersion(),
        };
        contact.CompanyNumber = contact.Number;
        return contact;
    }

    private BcContact Person(Script script, BcContact? company, string domain, string relation)
    {
        var first = script.FirstNames[random.Next(script.FirstNames.Length)];
        var last = script.LastNames[random.Next(script.LastNames.Length)];
        var number = store.NextContactNumber();
        var person = new BcContact
        {
            Id = NewGuid(), Number = number, Type = "Person", DisplayName = first + " " + last, SearchName = Upper(first + " " + last),
            JobTitle = JobTitles[random.Next(JobTitles.Length)], CompanyNumber = company?.Number ?? "", CompanyName = company?.DisplayName ?? "",
            BusinessRelation = relation, AddressLine1 = company?.AddressLine1 ?? "", City = company?.City ?? "", Country = company?.Country ?? "",
            PostalCode = company?.PostalCode ?? "", PhoneNumber = company?.PhoneNumber ?? "",
            MobilePhoneNumber = random.NextDouble() < 0.4 ? "+1 555 01" + random.Next(10, 99).ToString(CultureInfo.InvariantCulture) : "",
            PrivacyBlocked = random.NextDouble() < 0.01,
            LastInteractionDate = random.NextDouble() < 0.5 ? DateOnly.MinValue : BaseDate.AddDays(-random.Next(0, 700)),
            LastModified = Past(720), RowVersion = store.NextRowVersion(),
        };
        var local = script.Latin ? Slug(first, "x") + "." + Slug(last, "y") : "p" + number.ToLowerInvariant();
        person.Email = MessyEmail(local, domain);
        if (person.Email.Length > 0) _emails.Add(person.Email);
        return person;
    }

    private string MessyEmail(string local, string domain)
    {
        var clean = local + "@" + domain;
        return random.NextDouble() switch
        {
            < 0.06 => "",
            < 0.09 => new[] { local + "@", local + "." + domain, local.Replace(".", " ", StringComparison.Ordinal) + "@" + domain, local + "@@" + domain, local + "@" + domain.Split('.')[0] }[random.Next(5)],
            < 0.11 when _emails.Count > 0 => _emails[random.Next(_emails.Count)],
            < 0.12 => Exactly(local + ".purchasing.department.accounts.payable.invoices", 80 - domain.Length - 1) + "@" + domain,
            < 0.14 => char.ToUpperInvariant(clean[0]) + clean[1..^domain.Length] + domain.ToUpperInvariant(),
            < 0.15 => " " + clean + " ",
            _ => clean,
        };
    }

    private BcCurrency? PickCurrency()
    {
        var roll = random.NextDouble();
        for (var i = 0; i < CurrencyTable.Length; i++)
        {
            if (roll < CurrencyTable[i].Share) return store.Currencies[i];
            roll -= CurrencyTable[i].Share;
        }
        return null;
    }

    private Script PickScript(BcCurrency? currency) => random.NextDouble() switch
    {
        < 0.05 => Arabic,
        < 0.09 => Hebrew,
        < 0.12 => EastAsian,
        _ when currency?.Code == "JPY" => EastAsian,
        _ when currency?.Code is "EUR" or "DKK" => European,
        _ => English,
    };

    private string CompanyName(Script script)
        => script.CompanyWords[random.Next(script.CompanyWords.Length)] + " " + script.CompanySuffixes[random.Next(script.CompanySuffixes.Length)];

    private (string City, string State, string Country, string Postal, string Phone) Place(BcCurrency? currency)
        => currency is not null && CitiesByCurrency.TryGetValue(currency.Code, out var cities) ? cities[random.Next(cities.Length)] : UsCities[random.Next(UsCities.Length)];

    private string Domain(BcCustomer customer)
    {
        var tld = customer.Country switch { "DE" => "de", "GB" => "co.uk", "FR" => "fr", "DK" => "dk", "JP" => "jp", "CA" => "ca", _ => "com" };
        return Slug(customer.DisplayName, "firm" + customer.Number.ToLowerInvariant()) + "." + tld;
    }

    /// <summary>
    /// ASCII letters and digits only. Not through Unicode normalization: the standalone program runs with invariant
    /// globalization, where Normalize leaves accented letters whole, so decomposing them would make an in-process host
    /// seed other e-mail domains than the standalone one from the same seed.
    /// </summary>
    private static string Slug(string text, string fallback)
    {
        var builder = new StringBuilder();
        foreach (var c in text.ToLowerInvariant())
        {
            if (builder.Length >= 24) break;
            if (c is >= 'a' and <= 'z' or >= '0' and <= '9') builder.Append(c);
        }
        return builder.Length >= 2 ? builder.ToString() : fallback;
    }

    private static string Exactly(string text, int length) => text.Length >= length ? text[..length] : text + new string('x', length - text.Length);

    private static string Upper(string text) => (text.Length <= 100 ? text : text[..100]).ToUpperInvariant();

    /// <summary>Between 5 minutes and 6 hours before the seeding.</summary>
    private DateTimeOffset Recent() => BcTime.SqlRound(_now.AddMinutes(-random.Next(5, 6 * 60)).AddMilliseconds(-random.Next(0, 60_000)));

    private DateTimeOffset Past(int maxDays) => BcTime.SqlRound(_now.AddDays(-random.Next(1, maxDays)).AddMilliseconds(-random.Next(0, 86_400_000)));

    private Guid NewGuid()
    {
        Span<byte> bytes = stackalloc byte[16];
        random.NextBytes(bytes);
        bytes[7] = (byte)((bytes[7] & 0x0F) | 0x40);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes);
    }
}
