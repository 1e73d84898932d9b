using MlConnector.Engine.Marketo;
using MlConnector.Sandbox.Core;

namespace MlConnector.Engine.Tests.Marketo;

/// <summary>
/// A bulk export file is raw bytes, not an envelope (shared/api/marketo.md §3, §9.1): 404 in plain text until the job
/// has completed, 206 for a Range. An envelope in its place (a token error) is handled as on any call.
/// </summary>
public sealed class MarketoExportFileErrorTests
{
    private const string FilePath = "/file.json";

    private static FaultRule OnFile(string? code = null, int? status = null, int? times = null)
        => new() { Service = SandboxService.Marketo, PathContains = FilePath, ErrorCode = code, HttpStatus = status, Times = times };

    private static JournalEntry[] FileCalls(MarketoTestHost test) => test.Rest.Where(MarketoExportSetup.IsFileRequest).ToArray();

    [Fact]
    public async Task A_token_error_on_the_file_renews_the_token_and_fetches_the_range_again()
    {
        await using var test = await MarketoTestHost.StartAsync();
        var job = await MarketoExportSetup.CreateLeadsAndExportAsync(test);
        test.Sandbox.Faults.Add(OnFile("601", times: 1));
        var calls = test.Client.CallCount;
        var identity = test.Identity.Count;

        using var file = new MemoryStream();
        await test.Client.DownloadLeadExportAsync(job, file, 1024, CancellationToken.None);

        Assert.Equal(job.FileSize, file.Length);
        var downloads = FileCalls(test);
        Assert.Equal("601", downloads[0].ErrorCode);
        Assert.All(downloads.Skip(1), e => Assert.Equal(("GET", 206), (e.Method, e.Status)));
        Assert.Equal(downloads.Length, test.Client.CallCount - calls);
        Assert.Equal(identity + 1, test.Identity.Count);
        Assert.Matches(@"^DEBUG: Marketo GET /bulk/v1/leads/export/[0-9a-f-]+/file\.json bytes 0-1023 -> HTTP 206, 1024 bytes, \d+ ms$",
            test.Log.Lines.Last(l => l.Contains(" bytes 0-1023 ", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_token_refused_again_after_renewal_ends_the_download_with_marketos_error()
    {
        await using var test = await MarketoTestHost.StartAsync();
        var job = await MarketoExportSetup.CreateLeadsAndExportAsync(test);
        test.Sandbox.Faults.Add(OnFile("601"));

        var error = await Assert.ThrowsAsync<MarketoApiException>(() => test.Client.DownloadLeadExportAsync(job, Stream.Null, 1024, CancellationToken.None));

        Assert.Equal("601", error.Code);
        Assert.Equal(2, FileCalls(test).Length);
    }

    [Fact]
    public async Task The_file_of_a_job_not_yet_completed_is_reported_as_not_available()
    {
        await using var test = await MarketoTestHost.StartAsync();
        var now = test.Sandbox.Clock.GetUtcNow();
        var job = await test.Client.CreateLeadExportAsync(new[] { "id", "email" }, "createdAt", now.AddDays(-30), now.AddMinutes(1), CancellationToken.None);

        var error = await Assert.ThrowsAsync<MarketoApiException>(() => test.Client.DownloadLeadExportAsync(job, Stream.Null, 1024, CancellationToken.None));

        Assert.Equal(("404", 404), (error.Code, error.HttpStatus));
        Assert.Equal("the export file is not available (the job has not completed, or its file has expired)", error.VendorMessage);
        Assert.Single(FileCalls(test));
    }

    [Fact]
    public async Task A_gateway_error_on_the_file_is_an_http_error_and_its_retry_names_the_file()
    {
        await using var test = await MarketoTestHost.StartAsync(settings: s => s.Retry.MaxAttempts = 2);
        var job = await MarketoExportSetup.CreateLeadsAndExportAsync(test);
        test.Sandbox.Faults.Add(OnFile(status: 502));

        var error = await Assert.ThrowsAsync<MarketoApiException>(() => test.Client.DownloadLeadExportAsync(job, Stream.Null, 1024, CancellationToken.None));

        Assert.Equal(("502", 502), (error.Code, error.HttpStatus));
        Assert.Equal("HTTP error on a file download", error.VendorMessage);
        Assert.Contains(test.Log.Lines, l => l.Contains($"Marketo: retry 1 of GET bulk/v1/leads/export/{job.ExportId}/file.json after", StringComparison.Ordinal));
    }
}
