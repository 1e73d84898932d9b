using MlConnector.Engine.BusinessCentral;
using MlConnector.Engine.Sync;
using MlConnector.Engine.Sync.BcToMarketo;
using MlConnector.Engine.Tests.BusinessCentral;
using MlConnector.Sandbox.Core;
using SandboxContact = MlConnector.Sandbox.BusinessCentral.BcContact;

namespace MlConnector.Engine.Tests.Sync;

/// <summary>What a BC → Marketo run reads from the sandbox's Business Central, and in which requests.</summary>
public sealed class BcSourcesTests
{
    private static BcSources Sources(SyncSandbox sandbox, int chunkSize = 50) => new(sandbox.Context(chunkSize: chunkSize));

    private static async Task<List<List<BcContact>>> ContactsAsync(SyncSandbox sandbox, bool modifiedSince, IReadOnlyCollection<string>? ofCustomers,
        IReadOnlyCollection<string>? numbers = null, int chunkSize = 50)
        => await BcSandbox.ToListAsync(Sources(sandbox, chunkSize).ContactsAsync(modifiedSince, false, ofCustomers, numbers, CancellationToken.None));

    private static string[] BcPaths(SyncSandbox sandbox, string entitySet)
        => sandbox.Host.Journal.For(SandboxService.BusinessCentral).Select(e => Uri.UnescapeDataString(e.Path)).Where(p => p.Contains("/" + entitySet, StringComparison.Ordinal)).ToArray();

    /// <summary>A new customer with two person contacts of its own.</summary>
    private static (string Customer, SandboxContact First, SandboxContact Second) CustomerWithTwoPersons(SyncSandbox sandbox)
    {
        var bc = sandbox.Host.BusinessCentral;
        var customer = bc.AddCustomer("Quill Works");
        var company = customer.CompanyContact!.Number;
        return (customer.Number, bc.AddPersonContact("Ada Quill", "ada.quill@sources-test.example", company), bc.AddPersonContact("Bo Quill", "bo.quill@sources-test.example", company));
    }

    [Fact]
    public async Task Customers_come_in_chunks_of_the_chunk_size_and_a_full_last_chunk_is_not_followed_by_an_empty_one()
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 7);

        var inThrees = await BcSandbox.ToListAsync(Sources(sandbox, 3).CustomersAsync(new CustomerSyncRequest(), CancellationToken.None));
        var inSevens = await BcSandbox.ToListAsync(Sources(sandbox, 7).CustomersAsync(new CustomerSyncRequest(), CancellationToken.None));

        Assert.Equal([3, 3, 1], inThrees.Select(c => c.Count));
        Assert.Equal([7], inSevens.Select(c => c.Count));
    }

    [Fact]
    public async Task Given_customers_with_a_balance_are_used_as_given_and_others_are_read_by_their_numbers_with_financial_details()
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 3);
        var number = sandbox.Host.BusinessCentral.Store.Customers[1].Number;
        var given = new BcCustomer { Number = "C99999", Balance = 12m };

        var asGiven = await BcSandbox.ToListAsync(Sources(sandbox).CustomersAsync(new CustomerSyncRequest { Customers = [given] }, CancellationToken.None));
        Assert.Empty(BcPaths(sandbox, "customers"));
        var read = await BcSandbox.ToListAsync(Sources(sandbox).CustomersAsync(
            new CustomerSyncRequest { Customers = [new BcCustomer { Number = number }] }, CancellationToken.None));

        Assert.Same(given, Assert.Single(Assert.Single(asGiven)));
        var customer = Assert.Single(Assert.Single(read));
        Assert.Equal(number, customer.Number);
        Assert.NotNull(customer.Balance);
    }

    [Fact]
    public async Task Contacts_by_number_are_persons_only_and_no_numbers_read_none()
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 2);
        var (customer, person, _) = CustomerWithTwoPersons(sandbox);
        var company = sandbox.Host.BusinessCentral.Store.Customers.Single(c => c.Number == customer).CompanyContact!.Number;

        var byNumber = await ContactsAsync(sandbox, modifiedSince: false, ofCustomers: null, numbers: [person.Number, company]);
        var none = await ContactsAsync(sandbox, modifiedSince: false, ofCustomers: null, numbers: []);

        Assert.Equal(person.Number, Assert.Single(Assert.Single(byNumber)).Number);
        Assert.Empty(none);
    }

    [Fact]
    public async Task A_first_run_reading_every_contact_does_not_read_the_given_customers_contacts_again()
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 3);
        var (customer, first, second) = CustomerWithTwoPersons(sandbox);

        var read = (await ContactsAsync(sandbox, modifiedSince: true, ofCustomers: [customer])).SelectMany(c => c).ToList();

        Assert.Equal(read.Count, read.Select(c => c.Number).Distinct().Count());
        Assert.Contains(read, c => c.Number == first.Number);
        Assert.Contains(read, c => c.Number == second.Number);
    }

    [Fact]
    public async Task After_a_checkpoint_changed_persons_and_the_given_customers_persons_are_read_each_once()
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 3);
        var (customer, changed, unchanged) = CustomerWithTwoPersons(sandbox);
        var other = sandbox.Host.BusinessCentral.Store.Customers[0].CompanyContact!;
        sandbox.State.Checkpoints.Advance(SyncCheckpoints.Contacts, sandbox.Host.Clock.GetUtcNow(), sandbox.Host.Clock.GetUtcNow());
        sandbox.Host.Clock.Advance(TimeSpan.FromHours(1));
        sandbox.Host.BusinessCentral.ModifyContactInUi(changed.Id, c => c.JobTitle = "Owner");
        sandbox.Host.BusinessCentral.ModifyContactInUi(other.Id, c => c.JobTitle = "Company");

        var read = (await ContactsAsync(sandbox, modifiedSince: true, ofCustomers: [customer])).SelectMany(c => c).Select(c => c.Number).ToList();

        Assert.Equal(new[] { changed.Number, unchanged.Number }.Order(), read.Order());
    }

    [Fact]
    public async Task Few_customers_are_read_by_their_numbers_and_many_by_one_scan_kept_to_those_customers_persons_without_empty_chunks()
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 3);
        var (customer, first, second) = CustomerWithTwoPersons(sandbox);
        var unknown = Enumerable.Range(1, 199).Select(i => $"ZZ{i:D4}").ToList();
        var wanted = new[] { first.Number, second.Number }.Order().ToList();

        var filtered = await ContactsAsync(sandbox, modifiedSince: false, ofCustomers: [customer, .. unknown], chunkSize: 1);
        var filteredPaths = BcPaths(sandbox, "customers").Count(p => p.Contains("ZZ0001", StringComparison.Ordinal));
        var scanned = await ContactsAsync(sandbox, modifiedSince: false, ofCustomers: [customer, .. unknown, "ZZ0200"], chunkSize: 1);

        Assert.Equal(wanted, filtered.SelectMany(c => c).Select(c => c.Number).Order());
        Assert.Equal(wanted, scanned.SelectMany(c => c).Select(c => c.Number).Order());
        Assert.All(scanned, chunk => Assert.NotEmpty(chunk));
        Assert.Equal(1, filteredPaths);
        Assert.Equal(filteredPaths, BcPaths(sandbox, "customers").Count(p => p.Contains("ZZ0001", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Few_customers_given_as_a_case_sensitive_set_are_still_matched_as_bc_stores_them()
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 2);
        var (customer, first, second) = CustomerWithTwoPersons(sandbox);

        var read = await ContactsAsync(sandbox, modifiedSince: false, ofCustomers: new HashSet<string>(StringComparer.Ordinal) { customer.ToLowerInvariant() });

        Assert.Equal(new[] { first.Number, second.Number }.Order(), read.SelectMany(c => c).Select(c => c.Number).Order());
    }

    [Fact]
    public async Task Missing_customers_of_contacts_are_read_once_with_financial_details_and_known_ones_are_kept()
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 3);
        var numbers = sandbox.Host.BusinessCentral.Store.Customers.Select(c => c.Number).ToArray();
        var knownCustomer = new BcCustomer { Number = numbers[0] };
        var known = new Dictionary<string, BcCustomer>(StringComparer.OrdinalIgnoreCase) { [numbers[0]] = knownCustomer };
        BcContact Of(string? customer) => new() { Number = "CT" + customer, CustomerNumber = customer };

        await Sources(sandbox).FillCustomersAsync([Of(numbers[0]), Of(""), Of(null)], known, CancellationToken.None);
        Assert.Empty(BcPaths(sandbox, "customers"));
        await Sources(sandbox).FillCustomersAsync([Of(numbers[0]), Of(numbers[1]), Of(numbers[1].ToLowerInvariant()), Of("")], known, CancellationToken.None);

        Assert.Equal(new[] { numbers[0], numbers[1] }.Order(), known.Keys.Order());
        Assert.Same(knownCustomer, known[numbers[0]]);
        Assert.NotNull(known[numbers[1]].Balance);
        Assert.Single(BcPaths(sandbox, "customers"));
    }
}
