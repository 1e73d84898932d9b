using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;

namespace MlConnector.Sandbox.Tests.Marketo;

/// <summary>Bulk Lead Extract (bulk-lead-extract.md, bulk-extract.md): jobs, queue, allowance, filters, file with Range and checksum.</summary>
public sealed class MarketoBulkExtractTests
{
    private static string Iso(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'");

    private static object CreatedIn(DateTimeOffset start, DateTimeOffset end, params string[] fields)
        => new { fields, format = "CSV", filter = new { createdAt = new { startAt = Iso(start), endAt = Iso(end) } } };

    private static async Task<string> CreateAsync(MarketoApi api, object body)
    {
        var reply = await api.PostAsync("bulk/v1/leads/export/create.json", body);
        Assert.True(reply.Success, reply.Body.ToJsonString());
        Assert.Equal("Created", reply.Status0);
        return reply.Item(0)["exportId"]!.GetValue<string>();
    }

    private static async Task<HttpResponseMessage> FileAsync(MarketoSandbox sandbox, string exportId, string? range = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, $"bulk/v1/leads/export/{exportId}/file.json");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", sandbox.Api.Token ?? await sandbox.Api.AuthenticateAsync());
        if (range is not null) request.Headers.TryAddWithoutValidation("Range", range);
        return await sandbox.Http.SendAsync(request);
    }

    [Fact]
    public async Task A_job_is_created_queued_processed_and_its_file_served_with_checksum_range_and_null_literals()
    {
        var sandbox = await MarketoFixture.StartPrivateAsync(leads: 12);
        try
        {
            var api = sandbox.Api;
            var now = sandbox.Host.Clock.GetUtcNow();
            await api.PostAsync("rest/v1/leads.json", new { input = new[] { new { email = "no.name@extract.example.com" } } });
            var id = await CreateAsync(api, new
            {
                fields = new[] { "id", "email", "firstName", "title" }, format = "CSV",
                columnHeaderNames = new { id = "Marketo Id" },
                filter = new { createdAt = new { startAt = Iso(now.AddDays(-30)), endAt = Iso(now.AddMinutes(1)) } },
            });

            using (var early = await FileAsync(sandbox, id)) Assert.Equal(HttpStatusCode.NotFound, early.StatusCode);
            var queued = await api.PostAsync($"bulk/v1/leads/export/{id}/enqueue.json", new { });
            Assert.Equal("Queued", queued.Status0);
            Assert.NotNull(queued.Item(0)["queuedAt"]);
            Assert.Equal("1029", (await api.PostAsync($"bulk/v1/leads/export/{id}/enqueue.json", new { })).ErrorCode);

            sandbox.Host.Clock.Advance(TimeSpan.FromSeconds(2));
            var status = await api.GetAsync($"bulk/v1/leads/export/{id}/status.json");
            Assert.Equal("Completed", status.Status0);
            var item = status.Item(0);
            Assert.Equal(13, item["numberOfRecords"]!.GetValue<int>());

            using var whole = await FileAsync(sandbox, id);
            Assert.Equal(HttpStatusCode.OK, whole.StatusCode);
            var bytes = await whole.Content.ReadAsByteArrayAsync();
            Assert.Equal(item["fileSize"]!.GetValue<long>(), bytes.LongLength);
            Assert.Equal("sha256:" + Convert.ToHexStringLower(SHA256.HashData(bytes)), item["fileChecksum"]!.GetValue<string>());
            var rows = MarketoBulkImportTests.ReadDelimited(System.Text.Encoding.UTF8.GetString(bytes), ",");
            Assert.Equal(["Marketo Id", "email", "firstName", "title"], rows[0]);
            var noName = rows.Single(r => r[1] == "no.name@extract.example.com");
            Assert.Equal("null", noName[2]);

            using var part = await FileAsync(sandbox, id, "bytes=0-9");
            Assert.Equal(HttpStatusCode.PartialContent, part.StatusCode);
            Assert.Equal(bytes[..10], await part.Content.ReadAsByteArrayAsync());
            Assert.Equal($"bytes 0-9/{bytes.Length}", part.Content.Headers.ContentRange!.ToString());
            using var tail = await FileAsync(sandbox, id, "bytes=-5");
            Assert.Equal(bytes[^5..], await tail.Content.ReadAsByteArrayAsync());

            var listed = await api.GetAsync("bulk/v1/leads/export.json?status=Completed");
            Assert.Contains(listed.Result, j => j!["exportId"]!.GetValue<string>() == id);
        }
        finally { await sandbox.StopAsync(); }
    }

    [Theory]
    [InlineData("""{"fields":["email"],"filter":{"createdAt":{"startAt":"2026-01-01T00:00:00Z","endAt":"2026-02-15T00:00:00Z"}}}""", "1003")]
    [InlineData("""{"fields":["email"],"filter":{"createdAt":{"startAt":"2026-01-01T00:00:00.000Z","endAt":"2026-01-02T00:00:00Z"}}}""", "704")]
    [InlineData("""{"fields":["email","FirstName"],"filter":{"createdAt":{"startAt":"2026-01-01T00:00:00Z","endAt":"2026-01-02T00:00:00Z"}}}""", "1003")]
    [InlineData("""{"fields":["email"],"filter":{}}""", "1003")]
    [InlineData("""{"fields":["email"],"filter":{"staticListId":424242}}""", "1013")]
    public async Task Bad_jobs_are_refused(string body, string code)
    {
        var sandbox = await MarketoFixture.StartPrivateAsync();
        try
        {
            var reply = await sandbox.Api.PostRawAsync("bulk/v1/leads/export/create.json", body, "application/json");
            Assert.False(reply.Success);
            Assert.Equal(code, reply.ErrorCode);
        }
        finally { await sandbox.StopAsync(); }
    }

    [Fact]
    public async Task UpdatedAt_works_or_answers_1035_by_switch_and_reads_the_last_change()
    {
        var sandbox = await MarketoFixture.StartPrivateAsync(leads: 5);
        try
        {
            var now = sandbox.Host.Clock.GetUtcNow();
            var lead = sandbox.Host.Marketo.Leads()[0];
            sandbox.Host.Marketo.MarketingEdit(lead.Id, new Dictionary<string, string?> { ["title"] = "Changed" });
            var body = new { fields = new[] { "id" }, filter = new { updatedAt = new { startAt = Iso(now.AddMinutes(-1)), endAt = Iso(now.AddMinutes(1)) } } };
            var id = await CreateAsync(sandbox.Api, body);
            await sandbox.Api.PostAsync($"bulk/v1/leads/export/{id}/enqueue.json", new { });
            sandbox.Host.Clock.Advance(TimeSpan.FromSeconds(2));
            Assert.Equal(1, (await sandbox.Api.GetAsync($"bulk/v1/leads/export/{id}/status.json")).Item(0)["numberOfRecords"]!.GetValue<int>());

            sandbox.Host.Marketo.Options.UpdatedAtExportFilter = false;
            var refused = await sandbox.Api.PostAsync("bulk/v1/leads/export/create.json", body);
            Assert.Equal("1035", refused.ErrorCode);
            Assert.Equal("Unsupported filter type for target subscription", refused.ErrorMessage);
        }
        finally { await sandbox.StopAsync(); }
    }

    [Fact]
    public async Task Two_jobs_process_at_once_ten_queue_and_cancel_stops_a_job()
    {
        var sandbox = await MarketoFixture.StartPrivateAsync(o => o.BulkExportRecordsPerSecond = 1, leads: 4);
        try
        {
            var now = sandbox.Host.Clock.GetUtcNow();
            var ids = new List<string>();
            for (var i = 0; i < 11; i++) ids.Add(await CreateAsync(sandbox.Api, CreatedIn(now.AddDays(-31), now, "email")));
            for (var i = 0; i < 10; i++) Assert.Equal("Queued", (await sandbox.Api.PostAsync($"bulk/v1/leads/export/{ids[i]}/enqueue.json", new { })).Status0);
            var full = await sandbox.Api.PostAsync($"bulk/v1/leads/export/{ids[10]}/enqueue.json", new { });
            Assert.Equal("1029", full.ErrorCode);
            Assert.Equal("Too many jobs in queue", full.ErrorMessage);

            var statuses = new List<string>();
            foreach (var id in ids.Take(10)) statuses.Add((await sandbox.Api.GetAsync($"bulk/v1/leads/export/{id}/status.json")).Status0!);
            Assert.Equal(2, statuses.Count(s => s == "Processing"));

            var canceled = await sandbox.Api.PostAsync($"bulk/v1/leads/export/{ids[5]}/cancel.json", new { });
            Assert.Equal("Canceled", canceled.Status0);
            Assert.Equal("Queued", (await sandbox.Api.PostAsync($"bulk/v1/leads/export/{ids[10]}/enqueue.json", new { })).Status0);
            using var none = await FileAsync(sandbox, ids[5]);
            Assert.Equal(HttpStatusCode.NotFound, none.StatusCode);
        }
        finally { await sandbox.StopAsync(); }
    }

    [Fact]
    public async Task The_daily_allowance_blocks_create_and_enqueue_until_midnight_central()
    {
        var sandbox = await MarketoFixture.StartPrivateAsync(o => o.DailyExportQuotaBytes = 1, leads: 3);
        try
        {
            var now = sandbox.Host.Clock.GetUtcNow();
            var first = await CreateAsync(sandbox.Api, CreatedIn(now.AddDays(-31), now, "email"));
            var second = await CreateAsync(sandbox.Api, CreatedIn(now.AddDays(-31), now, "email"));
            await sandbox.Api.PostAsync($"bulk/v1/leads/export/{first}/enqueue.json", new { });
            sandbox.Host.Clock.Advance(TimeSpan.FromSeconds(2));
            Assert.Equal("Completed", (await sandbox.Api.GetAsync($"bulk/v1/leads/export/{first}/status.json")).Status0);

            var create = await sandbox.Api.PostAsync("bulk/v1/leads/export/create.json", CreatedIn(now.AddDays(-31), now, "email"));
            Assert.Equal("1029", create.ErrorCode);
            Assert.Matches(@"^Export daily quota \d+MB exceeded$", create.ErrorMessage);
            Assert.Equal("1029", (await sandbox.Api.PostAsync($"bulk/v1/leads/export/{second}/enqueue.json", new { })).ErrorCode);

            sandbox.Host.Clock.Advance(TimeSpan.FromDays(1));
            sandbox.Api.Token = null;
            Assert.Equal("Queued", (await sandbox.Api.PostAsync($"bulk/v1/leads/export/{second}/enqueue.json", new { })).Status0);
        }
        finally { await sandbox.StopAsync(); }
    }
}
