using System.Net;

namespace MlConnector.Sandbox.Tests.BusinessCentral.Webhooks;

/// <summary>{Environment}/api/microsoft/runtime/beta/companies({id})/webhookSupportedResources (shared/api/business-central.md §2, §5.7).</summary>
public sealed class WebhookSupportedResourcesTests
{
    private static string Url(WebhookBed bed, string? filter = null)
        => $"v2.0/{bed.Host.BusinessCentral.TenantId}/{bed.Host.BusinessCentral.Options.EnvironmentName}/api/microsoft/runtime/beta/companies({bed.Host.BusinessCentral.CompanyId})/webhookSupportedResources"
           + (filter is null ? "" : "?$filter=" + Uri.EscapeDataString(filter));

    private static async Task<string[]> ResourcesAsync(WebhookBed bed, string? filter = null)
    {
        using var response = await bed.Bc.SendAsync(HttpMethod.Get, Url(bed, filter));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        return System.Text.Json.JsonDocument.Parse(text).RootElement.GetProperty("value").EnumerateArray().Select(e => e.GetProperty("resource").GetString()!).ToArray();
    }

    [Fact]
    public async Task Customers_are_listed_and_contacts_only_behind_the_switch()
    {
        await using var bed = await WebhookBed.StartAsync();
        var all = await ResourcesAsync(bed, "resource eq 'v2.0*'");
        Assert.Contains("v2.0/customers", all);
        Assert.Contains("v2.0/currencies", all);
        Assert.DoesNotContain("v2.0/contacts", all);
        Assert.DoesNotContain("v2.0/contactsInformation", all);
        Assert.DoesNotContain("v2.0/customerFinancialDetails", all);
        Assert.Equal(22, all.Length);
        Assert.Equal(["v2.0/customerPaymentJournals", "v2.0/customers"], await ResourcesAsync(bed, "resource eq 'v2.0/custo*'"));

        bed.Webhooks.Options.ContactsSupported = true;
        Assert.Contains("v2.0/contacts", await ResourcesAsync(bed));
    }

    [Fact]
    public async Task The_runtime_api_wants_a_token_and_the_right_company()
    {
        await using var bed = await WebhookBed.StartAsync();
        using (var anonymous = await bed.Http.GetAsync(Url(bed)))
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        using var other = await bed.Bc.SendAsync(HttpMethod.Get, Url(bed).Replace(bed.Host.BusinessCentral.CompanyId.ToString(), Guid.NewGuid().ToString(), StringComparison.Ordinal));
        await BcTestClient.AssertErrorAsync(other, HttpStatusCode.BadRequest, "Internal_CompanyNotFound");
    }
}
