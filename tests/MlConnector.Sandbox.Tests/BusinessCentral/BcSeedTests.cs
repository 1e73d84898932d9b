using System.Text.Json;
using MlConnector.Sandbox.BusinessCentral;
using MlConnector.Sandbox.Core;
using MlConnector.Sandbox.Entra;

namespace MlConnector.Sandbox.Tests.BusinessCentral;

/// <summary>The seeded data: deterministic, sized, in several currencies, and as messy as real tenants.</summary>
public sealed class BcSeedTests
{
    private static BusinessCentralSimulator Seed(int customers, int seed)
    {
        var clock = new SandboxClock();
        var bc = new BusinessCentralSimulator(new BusinessCentralOptions(), clock, new EntraSimulator(new EntraOptions(), clock));
        bc.Seed(customers, seed);
        return bc;
    }

    private static string Fingerprint(BusinessCentralSimulator bc)
        => JsonSerializer.Serialize(bc.Store.Customers.Select(c => new { c.Id, c.Number, c.DisplayName, c.Email, c.CurrencyId, c.Blocked, bc.Financials(c.Id).Balance }))
           + JsonSerializer.Serialize(bc.Store.Contacts.Select(c => new { c.Id, c.Number, c.DisplayName, c.Email, c.CompanyNumber, c.Type }));

    [Fact]
    public void Same_seed_gives_identical_data_and_another_seed_differs()
    {
        Assert.Equal(Fingerprint(Seed(200, 11)), Fingerprint(Seed(200, 11)));
        Assert.NotEqual(Fingerprint(Seed(200, 11)), Fingerprint(Seed(200, 12)));
    }

    [Fact]
    public void Seeded_data_has_about_two_and_a_half_persons_per_customer_and_the_mess_of_real_tenants()
    {
        var bc = Seed(2000, 7);
        var store = bc.Store;
        Assert.Equal(2000, store.Customers.Count);
        var persons = store.Contacts.Where(c => c.Type == "Person").ToList();
        var linked = persons.Count(p => p.BusinessRelation == "Customer");
        Assert.InRange(linked / 2000.0, 2.2, 2.8);
        Assert.Contains(persons, p => p.CompanyNumber == "");
        Assert.Contains(persons, p => p.CompanyNumber != "" && store.ContactByNumber(p.CompanyNumber)!.LinkedCustomer is null);

        Assert.Contains(persons, p => p.Email == "");
        Assert.Contains(persons, p => p.Email.Length > 0 && !System.Net.Mail.MailAddress.TryCreate(p.Email.Trim(), out _));
        Assert.True(persons.Where(p => p.Email.Length > 0).GroupBy(p => p.Email).Any(g => g.Count() > 1), "no duplicate e-mails");
        Assert.Contains(persons, p => p.Email.Length == 80);
        Assert.All(store.Contacts, c => Assert.True(c.Email.Length <= 80));
        Assert.Contains(store.Customers, c => c.DisplayName.Length == 100);
        Assert.Contains(persons, p => p.DisplayName.Any(ch => ch is >= '\u0600' and <= '\u06FF'));
        Assert.Contains(persons, p => p.DisplayName.Any(ch => ch is >= '\u0590' and <= '\u05FF'));
        Assert.Contains(persons, p => p.DisplayName.Any(ch => ch > '\u00C0' && ch < '\u0250'));

        foreach (var blocked in new[] { "Ship", "Invoice", "All", BcEnums.Blank }) Assert.Contains(store.Customers, c => c.Blocked == blocked);
        Assert.InRange(store.Customers.Count(c => c.CurrencyId == Guid.Empty) / 2000.0, 0.45, 0.65);
        Assert.True(store.Customers.Select(c => c.CurrencyId).Distinct().Count() >= 5);
        Assert.Contains(store.Customers, c => bc.Financials(c.Id).OverdueAmount > 0);
        Assert.Equal(persons.Count(p => p.Email.Length > 0), bc.ContactEmails().Count);
    }

    [Theory]
    [InlineData(2000, 5)]
    [InlineData(30, 3)]
    [InlineData(4, 1)]
    public void A_handful_of_customers_and_one_person_each_changed_in_the_last_hours_the_rest_long_ago(int customers, int recent)
    {
        var bc = Seed(customers, 7);
        var now = bc.Clock.GetUtcNow();
        var changed = bc.Store.Customers.Where(c => c.LastModified > now.AddDays(-1)).ToList();
        Assert.Equal(recent, changed.Count);
        Assert.All(changed, c => Assert.InRange(c.LastModified, now.AddHours(-6).AddMinutes(-1), now.AddMinutes(-4)));
        var people = bc.Store.Contacts.Where(c => c.Type == "Person" && c.LastModified > now.AddDays(-1)).ToList();
        Assert.InRange(people.Count, customers >= 30 ? 1 : 0, recent); // a customer may have no person to change
        Assert.All(people, p => Assert.Contains(changed, c => bc.Store.ContactByNumber(p.CompanyNumber)?.LinkedCustomer?.Id == c.Id));
        Assert.Equal(customers - recent, bc.Store.Customers.Count(c => c.LastModified < now.AddDays(-1)));
    }
}
