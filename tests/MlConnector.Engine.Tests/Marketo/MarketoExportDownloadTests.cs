using MlConnector.Engine.Marketo;
using MlConnector.Sandbox.Core;

namespace MlConnector.Engine.Tests.Marketo;

/// <summary>
/// Fetching an export's file (shared/api/marketo.md §9.1): Range requests of the chunk size asked for (206), a failed
/// chunk retried alone, the whole file in one request when the job gives no fileSize, and a file that does not match
/// the job's SHA-256 refused. The test file is 2,206 bytes.
/// </summary>
public sealed class MarketoExportDownloadTests
{
    [Fact]
    public async Task The_file_comes_in_ranges_of_the_chunk_size_and_a_failed_range_is_asked_for_again_alone()
    {
        await using var test = await MarketoTestHost.StartAsync();
        var job = await MarketoExportSetup.CreateLeadsAndExportAsync(test);
        test.Sandbox.Faults.Add(new FaultRule { Service = SandboxService.Marketo, PathContains = "/file.json", NthCall = 2, HttpStatus = 502 });

        using var file = new MemoryStream();
        await test.Client.DownloadLeadExportAsync(job, file, 1102, CancellationToken.None);

        Assert.Equal(MarketoExportSetup.ExpectedFile(), file.ToArray());
        // 1102 + 1102 + 2 bytes, the second range twice.
        Assert.Equal(new[] { 206, 502, 206, 206 }, test.Rest.Where(MarketoExportSetup.IsFileRequest).Select(e => e.Status));
    }

    [Fact]
    public async Task Chunks_of_exactly_1_KB_are_allowed_and_smaller_ones_refused_before_any_request()
    {
        await using var test = await MarketoTestHost.StartAsync();
        var job = await MarketoExportSetup.CreateLeadsAndExportAsync(test);

        using var refused = new MemoryStream();
        var small = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => test.Client.DownloadLeadExportAsync(job, refused, 1023, CancellationToken.None));
        Assert.Equal("chunkBytes", small.ParamName);
        Assert.Contains("at least 1 KB", small.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<ArgumentNullException>(() => test.Client.DownloadLeadExportAsync(null!, refused, 1024, CancellationToken.None));
        await Assert.ThrowsAsync<ArgumentNullException>(() => test.Client.DownloadLeadExportAsync(job, null!, 1024, CancellationToken.None));
        Assert.DoesNotContain(test.Rest, MarketoExportSetup.IsFileRequest);

        using var file = new MemoryStream();
        await test.Client.DownloadLeadExportAsync(job, file, 1024, CancellationToken.None);
        Assert.Equal(MarketoExportSetup.ExpectedFile(), file.ToArray());
        Assert.Equal(3, test.Rest.Count(MarketoExportSetup.IsFileRequest));
    }

    [Fact]
    public async Task Without_a_file_size_the_file_comes_in_one_request_and_is_still_checked()
    {
        await using var test = await MarketoTestHost.StartAsync();
        var job = await MarketoExportSetup.CreateLeadsAndExportAsync(test) with { FileSize = null };

        using var file = new MemoryStream();
        await test.Client.DownloadLeadExportAsync(job, file, 1024, CancellationToken.None);

        Assert.Equal(MarketoExportSetup.ExpectedFile(), file.ToArray());
        Assert.Equal(new[] { ("GET", 200) }, test.Rest.Where(MarketoExportSetup.IsFileRequest).Select(e => (e.Method, e.Status)));
        Assert.Matches($@"^DEBUG: Marketo GET /bulk/v1/leads/export/{job.ExportId}/file\.json -> HTTP 200, {file.Length} bytes, \d+ ms$",
            test.Log.Lines.Last(l => l.Contains("/file.json", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_file_that_does_not_match_the_job_checksum_is_refused_as_invalid_data()
    {
        await using var test = await MarketoTestHost.StartAsync();
        var job = await MarketoExportSetup.CreateLeadsAndExportAsync(test) with { FileChecksum = "sha256:" + new string('0', 64) };

        using var file = new MemoryStream();
        var error = await Assert.ThrowsAsync<MlConnectorException>(() => test.Client.DownloadLeadExportAsync(job, file, 4096, CancellationToken.None));

        Assert.Equal(("MarketoExportChecksumMismatch", MlErrorCategory.InvalidData), (error.ErrorId, error.Category));
        Assert.Contains(job.ExportId, error.Message, StringComparison.Ordinal);
        Assert.Contains("the job says sha256:0000", error.Message, StringComparison.Ordinal);
        Assert.Contains("nothing of it was used", error.Message, StringComparison.Ordinal);
    }
}
