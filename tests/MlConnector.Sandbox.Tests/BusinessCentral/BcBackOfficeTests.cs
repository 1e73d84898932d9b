using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MlConnector.Sandbox.BusinessCentral;

namespace MlConnector.Sandbox.Tests.BusinessCentral;

/// <summary>Changes made behind the API (postings, UI edits, adds, deletes), through C# and the admin endpoints; private sandboxes.</summary>
public sealed class BcBackOfficeTests
{
    private static async Task<(SandboxHost Host, HttpClient Http, BcTestClient Bc)> StartAsync(int customers = 10)
    {
        var (host, http) = await SandboxFixture.StartAsync(new SandboxOptions { Customers = customers });
        return (host, http, new BcTestClient(host, http));
    }

    private static async Task<JsonElement> CustomerWithDetailsAsync(BcTestClient bc, Guid id)
        => await bc.GetEntityAsync($"{bc.Company}customers({id})?$expand=customerFinancialDetail", "customer");

    [Fact]
    public async Task Posting_an_invoice_changes_balances_but_not_lastModifiedDateTime_or_etag()
    {
        var (host, http, bc) = await StartAsync();
        await using var _ = host;
        using var __ = http;
        var customer = host.BusinessCentral.Store.Customers.First(c => c.CurrencyId == Guid.Empty);
        var before = await CustomerWithDetailsAsync(bc, customer.Id);

        var yesterday = DateOnly.FromDateTime(host.Clock.GetUtcNow().UtcDateTime).AddDays(-1);
        host.BusinessCentral.PostSalesInvoice(customer.Id, 1000m, 250m, postingDate: yesterday, dueDate: yesterday);
        var after = await CustomerWithDetailsAsync(bc, customer.Id);

        Assert.Equal(before.GetProperty("lastModifiedDateTime").GetString(), after.GetProperty("lastModifiedDateTime").GetString());
        Assert.Equal(before.GetProperty("@odata.etag").GetString(), after.GetProperty("@odata.etag").GetString());
        var (b, a) = (before.GetProperty("customerFinancialDetail"), after.GetProperty("customerFinancialDetail"));
        Assert.Equal(b.GetProperty("balance").GetDecimal() + 1250m, a.GetProperty("balance").GetDecimal());
        Assert.Equal(b.GetProperty("totalSalesExcludingTax").GetDecimal() + 1000m, a.GetProperty("totalSalesExcludingTax").GetDecimal());
        Assert.Equal(b.GetProperty("overdueAmount").GetDecimal() + 1250m, a.GetProperty("overdueAmount").GetDecimal());
    }

    [Fact]
    public async Task Invoice_posted_today_counts_in_sales_and_overdue_only_after_the_clock_passes_its_dates()
    {
        var (host, http, bc) = await StartAsync();
        await using var _ = host;
        using var __ = http;
        var customer = host.BusinessCentral.Store.Customers.First(c => c.CurrencyId == Guid.Empty);
        var before = host.BusinessCentral.Financials(customer.Id);
        var today = DateOnly.FromDateTime(host.Clock.GetUtcNow().UtcDateTime);
        host.BusinessCentral.PostSalesInvoice(customer.Id, 500m, 0m, today, today.AddDays(1));
        var now = host.BusinessCentral.Financials(customer.Id);
        Assert.Equal(before.Balance + 500m, now.Balance);
        Assert.Equal(before.TotalSalesExcludingTax, now.TotalSalesExcludingTax);
        host.Clock.Advance(TimeSpan.FromDays(3));
        var later = host.BusinessCentral.Financials(customer.Id);
        Assert.Equal(before.TotalSalesExcludingTax + 500m, later.TotalSalesExcludingTax);
        Assert.Equal(before.OverdueAmount + 500m, later.OverdueAmount);
    }

    [Fact]
    public async Task Admin_invoice_and_payment_endpoints_move_the_balance()
    {
        var (host, http, bc) = await StartAsync();
        await using var _ = host;
        using var __ = http;
        var customer = host.BusinessCentral.Store.Customers.First(c => c.CurrencyId == Guid.Empty);
        var start = host.BusinessCentral.Financials(customer.Id).Balance;
        using var invoice = await http.PostAsJsonAsync($"admin/bc/customers/{customer.Id}/invoices", new { amountExcludingTax = 300m, taxAmount = 0m });
        Assert.Equal(HttpStatusCode.OK, invoice.StatusCode);
        using var payment = await http.PostAsJsonAsync($"admin/bc/customers/{customer.Id}/payments", new { amount = 100m });
        Assert.Equal(HttpStatusCode.OK, payment.StatusCode);
        var details = await bc.GetEntityAsync($"{bc.Company}customerFinancialDetails({customer.Id})", "customerFinancialDetail");
        Assert.Equal(start + 200m, details.GetProperty("balance").GetDecimal());
    }

    [Fact]
    public async Task Ui_modification_through_admin_stamps_lastModifiedDateTime_with_the_sandbox_clock()
    {
        var (host, http, bc) = await StartAsync();
        await using var _ = host;
        using var __ = http;
        var customer = host.BusinessCentral.Store.Customers[2];
        host.Clock.Advance(TimeSpan.FromDays(3));
        using var response = await http.PostAsJsonAsync($"admin/bc/customers/{customer.Id}/modify", new { phoneNumber = "+1 555 0000" });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var json = await bc.GetEntityAsync($"{bc.Company}customers({customer.Id})", "customer");
        var stamp = DateTimeOffset.Parse(json.GetProperty("lastModifiedDateTime").GetString()!);
        Assert.True((host.Clock.GetUtcNow() - stamp).Duration() < TimeSpan.FromSeconds(5), $"{stamp} vs {host.Clock.GetUtcNow()}");
        Assert.Equal("+1 555 0000", json.GetProperty("phoneNumber").GetString());

        var contact = host.BusinessCentral.Store.Contacts.First(c => c.Type == "Person");
        using var contactResponse = await http.PostAsJsonAsync($"admin/bc/contacts/{contact.Id}/modify", new { jobTitle = "Head of Things" });
        Assert.Equal(HttpStatusCode.OK, contactResponse.StatusCode);
        var contactJson = await bc.GetEntityAsync($"{bc.Company}contacts({contact.Id})", "contact");
        Assert.Equal("Head of Things", contactJson.GetProperty("jobTitle").GetString());
        Assert.True(DateTimeOffset.Parse(contactJson.GetProperty("lastModifiedDateTime").GetString()!) > host.Clock.GetUtcNow().AddMinutes(-1));
    }

    [Fact]
    public async Task Admin_add_and_delete_customers_and_contacts()
    {
        var (host, http, bc) = await StartAsync();
        await using var _ = host;
        using var __ = http;
        using var added = await http.PostAsJsonAsync("admin/bc/customers", new { displayName = "Back Office Added", email = "bo@example.com" });
        Assert.Equal(HttpStatusCode.OK, added.StatusCode);
        var id = (await added.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        var json = await bc.GetEntityAsync($"{bc.Company}customers({id})", "customer");
        Assert.Equal("bo@example.com", json.GetProperty("email").GetString());

        using var contact = await http.PostAsJsonAsync("admin/bc/contacts", new { displayName = "Loose Person", email = "loose@example.com" });
        Assert.Equal(HttpStatusCode.OK, contact.StatusCode);
        var contactId = (await contact.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();

        Assert.Equal(HttpStatusCode.NoContent, (await http.DeleteAsync($"admin/bc/customers/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await http.DeleteAsync($"admin/bc/contacts/{contactId}")).StatusCode);
        using var gone = await bc.SendAsync(HttpMethod.Get, $"{bc.Company}customers({id})");
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        using var goneContact = await bc.SendAsync(HttpMethod.Get, $"{bc.Company}contacts({contactId})");
        Assert.Equal(HttpStatusCode.NotFound, goneContact.StatusCode);
    }
}
