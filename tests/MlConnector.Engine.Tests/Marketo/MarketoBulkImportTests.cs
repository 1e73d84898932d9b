using System.Text;
using MlConnector.Engine.Marketo;

namespace MlConnector.Engine.Tests.Marketo;

/// <summary>
/// Bulk Lead Import against the sandbox's import queue (shared/api/marketo.md §9.2): the upload answers Queued with its
/// batchId, the status poll reports the counts and Marketo's message once the batch is Complete or Failed, and a file
/// over 10 MB or a blank lookup field is refused before anything is sent.
/// </summary>
public sealed class MarketoBulkImportTests
{
    private static bool IsUpload(MlConnector.Sandbox.Core.JournalEntry e) => e.Method == "POST" && e.Path == "/bulk/v1/leads.json";

    [Fact]
    public async Task A_queued_import_completes_with_its_counts_and_marketos_message()
    {
        await using var test = await MarketoTestHost.StartAsync();
        var csv = "email,firstName\nann@example.test,Ann\n,Nobody\nbob@example.test,Bob\n"u8.ToArray();

        var queued = await test.Client.ImportLeadsAsync(csv, "email", CancellationToken.None);
        Assert.Equal(("Queued", false, 0L), (queued.Status, queued.Finished, queued.LeadsProcessed));

        test.Sandbox.Clock.Advance(TimeSpan.FromSeconds(5));
        var done = await test.Client.GetLeadImportStatusAsync(queued.BatchId, CancellationToken.None);

        Assert.Equal((queued.BatchId, "Complete", true), (done.BatchId, done.Status, done.Finished));
        Assert.Equal((2L, 1L, 0L), (done.LeadsProcessed, done.RowsFailed, done.RowsWithWarning));
        Assert.Equal("Import completed with errors, 2 records imported (2 members), 1 failed", done.Message);
    }

    [Fact]
    public async Task The_failures_and_warnings_files_hold_the_rows_with_the_reason_and_the_status_counts_them()
    {
        await using var test = await MarketoTestHost.StartAsync();
        var csv = "email,firstName,externalCompanyId\nann@example.test,Ann,\n,Nobody,\nbob@example.test,Bob,NO-SUCH-CO\n"u8.ToArray();
        var queued = await test.Client.ImportLeadsAsync(csv, "email", CancellationToken.None);
        test.Sandbox.Clock.Advance(TimeSpan.FromSeconds(5));

        var done = await test.Client.GetLeadImportStatusAsync(queued.BatchId, CancellationToken.None);
        var failures = await test.Client.GetLeadImportRowsAsync(queued.BatchId, failures: true, CancellationToken.None);
        var warnings = await test.Client.GetLeadImportRowsAsync(queued.BatchId, failures: false, CancellationToken.None);

        Assert.Equal((2L, 1L, 1L), (done.LeadsProcessed, done.RowsFailed, done.RowsWithWarning));
        Assert.StartsWith("email,firstName,externalCompanyId,Import Failure Reason\n,Nobody,,", failures, StringComparison.Ordinal);
        Assert.StartsWith("email,firstName,externalCompanyId,Import Warning Reason\nbob@example.test,Bob,NO-SUCH-CO,", warnings, StringComparison.Ordinal);
        Assert.Equal(2, failures.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Equal(2, warnings.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }

    [Fact]
    public async Task An_import_whose_header_names_no_field_fails_and_says_why()
    {
        await using var test = await MarketoTestHost.StartAsync();

        var queued = await test.Client.ImportLeadsAsync("email,shoeSize\nann@example.test,9\n"u8.ToArray(), "email", CancellationToken.None);
        var failed = await test.Client.GetLeadImportStatusAsync(queued.BatchId, CancellationToken.None);

        Assert.Equal(("Failed", true, 0L), (failed.Status, failed.Finished, failed.LeadsProcessed));
        Assert.StartsWith("Import failed", failed.Message, StringComparison.Ordinal);
        Assert.Contains("shoeSize", failed.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_file_of_exactly_10_MB_is_sent_and_one_byte_more_is_refused_unsent()
    {
        // The sandbox limits the whole multipart request; the documented 10 MB is the file's.
        await using var test = await MarketoTestHost.StartAsync(o => o.Marketo.BulkImportMaxBytes = 10 * 1024 * 1024 + 64 * 1024);
        var head = "email,firstName\nbig@example.test,";
        var limit = Encoding.ASCII.GetBytes(head + new string('x', 10 * 1024 * 1024 - head.Length - 1) + "\n");
        Assert.Equal(10_485_760, limit.Length);

        var queued = await test.Client.ImportLeadsAsync(limit, "email", CancellationToken.None);
        Assert.Equal("Queued", queued.Status);

        var over = new byte[10_485_761];
        limit.CopyTo(over, 0);
        over[^1] = (byte)'\n';
        var error = await Assert.ThrowsAsync<ArgumentException>(() => test.Client.ImportLeadsAsync(over, "email", CancellationToken.None));
        Assert.Equal("csv", error.ParamName);
        Assert.Contains("at most 10485760 bytes; this one has 10485761", error.Message, StringComparison.Ordinal);
        Assert.Single(test.Rest, IsUpload);
    }

    [Fact]
    public async Task A_blank_lookup_field_is_refused_unsent()
    {
        await using var test = await MarketoTestHost.StartAsync();

        await Assert.ThrowsAsync<ArgumentException>(() => test.Client.ImportLeadsAsync("email\nann@example.test\n"u8.ToArray(), "", CancellationToken.None));

        Assert.DoesNotContain(test.Rest, IsUpload);
    }
}
