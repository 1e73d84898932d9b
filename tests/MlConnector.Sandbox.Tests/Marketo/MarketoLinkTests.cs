using MlConnector.Sandbox.Marketo;

namespace MlConnector.Sandbox.Tests.Marketo;

/// <summary>
/// Links to records that do not exist: a lead's externalCompanyId naming no company and a company's externalSalesPersonId
/// naming no sales person. Adobe documents neither, so each is a switch (docs/sandbox.md).
/// </summary>
public sealed class MarketoLinkTests
{
    private static string Email() => $"link.{Guid.NewGuid():N}@example.com";

    private static async Task<string?> CompanyNameOfLeadAsync(MarketoApi api, string email)
    {
        var reply = await api.GetAsync($"rest/v1/leads.json?filterType=email&filterValues={Uri.EscapeDataString(email)}&fields=email,company,externalCompanyId");
        return reply.Item(0)["company"]?.GetValue<string>();
    }

    [Fact]
    public async Task By_default_a_lead_written_before_its_company_stays_unlinked_until_it_is_written_again()
    {
        var sandbox = await MarketoFixture.StartPrivateAsync();
        try
        {
            var api = sandbox.Api;
            var email = Email();
            var created = await api.PostAsync("rest/v1/leads.json", new { input = new[] { new { email, externalCompanyId = "LATE-CO" } } });
            Assert.Equal("created", created.Status0);
            await api.PostAsync("rest/v1/companies.json", new { input = new[] { new { externalCompanyId = "LATE-CO", company = "Late Company" } } });
            Assert.Null(await CompanyNameOfLeadAsync(api, email));

            await api.PostAsync("rest/v1/leads.json", new { input = new[] { new { email, externalCompanyId = "LATE-CO" } } });
            Assert.Equal("Late Company", await CompanyNameOfLeadAsync(api, email));
        }
        finally { await sandbox.StopAsync(); }
    }

    [Fact]
    public async Task LinkedLater_reads_the_company_as_soon_as_it_exists()
    {
        var sandbox = await MarketoFixture.StartPrivateAsync(o => o.UnknownCompanyLink = UnknownCompanyLinkMode.LinkedLater);
        try
        {
            var email = Email();
            await sandbox.Api.PostAsync("rest/v1/leads.json", new { input = new[] { new { email, externalCompanyId = "LATER-CO" } } });
            await sandbox.Api.PostAsync("rest/v1/companies.json", new { input = new[] { new { externalCompanyId = "LATER-CO", company = "Later Company" } } });
            Assert.Equal("Later Company", await CompanyNameOfLeadAsync(sandbox.Api, email));
        }
        finally { await sandbox.StopAsync(); }
    }

    [Fact]
    public async Task Skipped_mode_refuses_a_link_to_no_company_with_1013()
    {
        var sandbox = await MarketoFixture.StartPrivateAsync(o => o.UnknownCompanyLink = UnknownCompanyLinkMode.Skipped);
        try
        {
            var email = Email();
            var reply = await sandbox.Api.PostAsync("rest/v1/leads.json", new { input = new[] { new { email, externalCompanyId = "NO-SUCH-CO" } } });
            Assert.Equal("1013", reply.ReasonCode(0));
            Assert.Empty(sandbox.Host.Marketo.LeadsByEmail(email));
        }
        finally { await sandbox.StopAsync(); }
    }

    [Fact]
    public async Task An_unknown_sales_person_is_accepted_by_default_and_refused_with_718_when_switched()
    {
        var lenient = await MarketoFixture.StartPrivateAsync();
        try
        {
            var reply = await lenient.Api.PostAsync("rest/v1/companies.json", new { input = new[] { new { externalCompanyId = "SP-1", externalSalesPersonId = "NOBODY" } } });
            Assert.Equal("created", reply.Status0);
        }
        finally { await lenient.StopAsync(); }

        var strict = await MarketoFixture.StartPrivateAsync(o =>
        {
            o.UnknownSalesPerson = UnknownSalesPersonMode.Skipped;
            o.SalesPersons.Add("RS");
        });
        try
        {
            var reply = await strict.Api.PostAsync("rest/v1/companies.json", new
            {
                input = new[] { new { externalCompanyId = "SP-2", externalSalesPersonId = "NOBODY" }, new { externalCompanyId = "SP-3", externalSalesPersonId = "RS" } },
            });
            Assert.Equal("718", reply.ReasonCode(0));
            Assert.Equal("ExternalSalesPersonID not found", reply.Item(0)["reasons"]![0]!["message"]!.GetValue<string>());
            Assert.Equal("created", reply.Item(1)["status"]!.GetValue<string>());
        }
        finally { await strict.StopAsync(); }
    }
}
