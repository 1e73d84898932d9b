using System.Security.Cryptography;
using MlConnector.Engine.Marketo;

namespace MlConnector.Engine.Tests.Marketo;

/// <summary>
/// A Bulk Lead Extract job against the sandbox's export queue (shared/api/marketo.md §9.1): create, enqueue, poll to
/// Completed with its record count, file size and SHA-256, fetch the file; or cancel it.
/// </summary>
public sealed class MarketoBulkExtractTests
{
    [Fact]
    public async Task A_completed_export_reports_its_records_size_and_checksum_and_its_file_arrives_whole()
    {
        await using var test = await MarketoTestHost.StartAsync();
        var job = await MarketoExportSetup.CreateLeadsAndExportAsync(test);
        var expected = MarketoExportSetup.ExpectedFile();

        Assert.Equal("Completed", job.Status);
        Assert.Equal(MarketoExportSetup.Leads, job.NumberOfRecords);
        Assert.Equal(MarketoExportSetup.FileBytes, job.FileSize);
        Assert.Equal("sha256:" + Convert.ToHexStringLower(SHA256.HashData(expected)), job.FileChecksum);
        Assert.Null(job.ErrorMessage);

        using var file = new MemoryStream();
        await test.Client.DownloadLeadExportAsync(job, file, 1024, CancellationToken.None);
        Assert.Equal(expected, file.ToArray());
    }

    [Fact]
    public async Task A_cancelled_export_is_finished_but_not_completed()
    {
        await using var test = await MarketoTestHost.StartAsync();
        var now = test.Sandbox.Clock.GetUtcNow();
        var created = await test.Client.CreateLeadExportAsync(["email"], "createdAt", now.AddDays(-1), now, CancellationToken.None);
        await test.Client.EnqueueLeadExportAsync(created.ExportId, CancellationToken.None);

        var cancelled = await test.Client.CancelLeadExportAsync(created.ExportId, CancellationToken.None);

        Assert.Equal((created.ExportId, "Canceled", true, false), (cancelled.ExportId, cancelled.Status, cancelled.Finished, cancelled.Completed));
        Assert.Equal("Canceled", (await test.Client.GetLeadExportStatusAsync(created.ExportId, CancellationToken.None)).Status);
        Assert.Contains(test.Rest, e => e.Method == "POST" && e.Path == $"/bulk/v1/leads/export/{created.ExportId}/cancel.json" && e.Status == 200);
    }

    [Fact]
    public async Task An_updatedAt_export_is_created_where_the_subscription_offers_it_and_answers_1035_where_it_does_not()
    {
        await using var test = await MarketoTestHost.StartAsync();
        var now = test.Sandbox.Clock.GetUtcNow();

        var job = await test.Client.CreateLeadExportAsync(["email"], "updatedAt", now.AddDays(-1), now, CancellationToken.None);
        Assert.Equal(("Created", false), (job.Status, job.Finished));
        Assert.False(string.IsNullOrEmpty(job.ExportId));

        test.Sandbox.Marketo.Options.UpdatedAtExportFilter = false;
        var refused = await Assert.ThrowsAsync<MarketoApiException>(() => test.Client.CreateLeadExportAsync(["email"], "updatedAt", now.AddDays(-1), now, CancellationToken.None));
        Assert.Equal("1035", refused.Code);
    }

    [Fact]
    public async Task An_export_needs_fields_and_a_createdAt_or_updatedAt_filter_before_anything_is_sent()
    {
        await using var test = await MarketoTestHost.StartAsync();
        var now = test.Sandbox.Clock.GetUtcNow();

        await Assert.ThrowsAsync<ArgumentNullException>(() => test.Client.CreateLeadExportAsync(null!, "createdAt", now.AddDays(-1), now, CancellationToken.None));
        var filter = await Assert.ThrowsAsync<ArgumentException>(() => test.Client.CreateLeadExportAsync(["email"], "staticListId", now.AddDays(-1), now, CancellationToken.None));
        Assert.Equal("filterType", filter.ParamName);
        Assert.Contains("createdAt or updatedAt", filter.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(test.Rest, e => e.Path.Contains("/export/", StringComparison.Ordinal));
    }
}
