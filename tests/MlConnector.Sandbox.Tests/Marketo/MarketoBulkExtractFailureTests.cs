using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;

namespace MlConnector.Sandbox.Tests.Marketo;

/// <summary>The BulkExportFailures switch: the next export jobs end Failed with errorMsg and no file (bulk-extract.md, marketo.md §9.1).</summary>
public sealed class MarketoBulkExtractFailureTests
{
    private static string Iso(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'");

    private static async Task<string> RunAsync(MarketoSandbox sandbox)
    {
        var now = sandbox.Host.Clock.GetUtcNow();
        var created = await sandbox.Api.PostAsync("bulk/v1/leads/export/create.json",
            new { fields = new[] { "id", "email" }, format = "CSV", filter = new { createdAt = new { startAt = Iso(now.AddDays(-30)), endAt = Iso(now.AddMinutes(1)) } } });
        var id = created.Item(0)["exportId"]!.GetValue<string>();
        await sandbox.Api.PostAsync($"bulk/v1/leads/export/{id}/enqueue.json", new { });
        sandbox.Host.Clock.Advance(TimeSpan.FromSeconds(2));
        return id;
    }

    [Fact]
    public async Task The_next_export_ends_Failed_with_errorMsg_and_no_file_and_the_one_after_completes()
    {
        var sandbox = await MarketoFixture.StartPrivateAsync(leads: 3);
        try
        {
            using var set = await sandbox.Http.PostAsJsonAsync("admin/marketo/switches", new { bulkExportFailures = 1 });
            Assert.Equal(HttpStatusCode.OK, set.StatusCode);

            var failedId = await RunAsync(sandbox);
            var failed = (await sandbox.Api.GetAsync($"bulk/v1/leads/export/{failedId}/status.json")).Item(0);
            Assert.Equal("Failed", failed["status"]!.GetValue<string>());
            Assert.Equal(sandbox.Host.Marketo.Options.BulkExportFailureMessage, failed["errorMsg"]!.GetValue<string>());
            Assert.NotNull(failed["finishedAt"]);
            Assert.Null(failed["numberOfRecords"]);
            var request = new HttpRequestMessage(HttpMethod.Get, $"bulk/v1/leads/export/{failedId}/file.json");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", sandbox.Api.Token ?? await sandbox.Api.AuthenticateAsync());
            using (var file = await sandbox.Http.SendAsync(request)) Assert.Equal(HttpStatusCode.NotFound, file.StatusCode);
            var listed = await sandbox.Api.GetAsync("bulk/v1/leads/export.json?status=Failed");
            Assert.Contains(listed.Result, j => j!["exportId"]!.GetValue<string>() == failedId);

            var nextId = await RunAsync(sandbox);
            var next = (await sandbox.Api.GetAsync($"bulk/v1/leads/export/{nextId}/status.json")).Item(0);
            Assert.Equal("Completed", next["status"]!.GetValue<string>());
            Assert.Null(next["errorMsg"]);
        }
        finally { await sandbox.StopAsync(); }
    }
}
