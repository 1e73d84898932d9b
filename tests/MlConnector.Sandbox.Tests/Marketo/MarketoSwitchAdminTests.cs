using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MlConnector.Sandbox.Marketo;

namespace MlConnector.Sandbox.Tests.Marketo;

/// <summary>The new Marketo switches, the write log and static lists through the admin API (as the standalone program exposes them).</summary>
public sealed class MarketoSwitchAdminTests
{
    [Fact]
    public async Task Switches_write_log_and_lists_are_reachable_through_the_admin_api()
    {
        var sandbox = await MarketoFixture.StartPrivateAsync(leads: 3);
        try
        {
            using var set = await sandbox.Http.PostAsJsonAsync("admin/marketo/switches", new
            {
                concurrentUpsertDuplicates = true, unknownCompanyLink = "skipped", unknownSalesPerson = "Skipped", salesPersons = new[] { "RS" },
                outOfOrderSeconds = 30, updatedAtExportFilter = false, bulkImportRowsPerSecond = 7, bulkExportRecordsPerSecond = 9, dailyExportQuotaMb = 2,
            });
            Assert.Equal(HttpStatusCode.OK, set.StatusCode);
            var o = sandbox.Host.Marketo.Options;
            Assert.True(o.ConcurrentUpsertDuplicates);
            Assert.Equal(UnknownCompanyLinkMode.Skipped, o.UnknownCompanyLink);
            Assert.Equal(UnknownSalesPersonMode.Skipped, o.UnknownSalesPerson);
            Assert.Contains("RS", o.SalesPersons);
            Assert.Equal(TimeSpan.FromSeconds(30), o.OutOfOrderWindow);
            Assert.False(o.UpdatedAtExportFilter);
            Assert.Equal(2L * 1024 * 1024, o.DailyExportQuotaBytes);
            using var bad = await sandbox.Http.PostAsJsonAsync("admin/marketo/switches", new { unknownCompanyLink = "sometimes" });
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);

            await sandbox.Api.PostAsync("rest/v1/leads.json", new { input = new[] { new { email = "admin.log@example.com" } } });
            var writes = JsonDocument.Parse(await sandbox.Http.GetStringAsync("admin/marketo/writes")).RootElement;
            Assert.Equal("admin.log@example.com", writes[0].GetProperty("keys")[0].GetString());

            var leadIds = sandbox.Host.Marketo.Leads().Select(l => l.Id).Take(2).ToArray();
            using var created = await sandbox.Http.PostAsJsonAsync("admin/marketo/lists", new { name = "Admin list", leadIds });
            var id = JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetInt64();
            Assert.Equal(leadIds.Order(), sandbox.Host.Marketo.ListMembers(id).Order());
        }
        finally { await sandbox.StopAsync(); }
    }
}
