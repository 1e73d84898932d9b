using System.Text;
using MlConnector.Sandbox.Core;

namespace MlConnector.Engine.Tests.Marketo;

/// <summary>A bulk import's failures file is text, not an envelope (shared/api/marketo.md §3); a gateway page in its place is an error, not the file.</summary>
public sealed class MarketoImportRowsTests
{
    private static readonly byte[] Csv = Encoding.UTF8.GetBytes("email,lastName\nrow.one@example.test,One\nrow.two@example.test,Two\n");

    private static FaultRule OnFailures(int? times = null)
        => new() { Service = SandboxService.Marketo, PathContains = "/failures.json", HttpStatus = 502, Times = times };

    [Fact]
    public async Task A_gateway_page_instead_of_the_failures_file_is_an_http_error()
    {
        await using var test = await MarketoTestHost.StartAsync(settings: s => s.Retry.MaxAttempts = 1);
        var batch = await test.Client.ImportLeadsAsync(Csv, "email", CancellationToken.None);
        test.Sandbox.Faults.Add(OnFailures());

        var error = await Assert.ThrowsAsync<Engine.Marketo.MarketoApiException>(() => test.Client.GetLeadImportRowsAsync(batch.BatchId, failures: true, CancellationToken.None));

        Assert.Equal(("502", 502), (error.Code, error.HttpStatus));
    }

    [Fact]
    public async Task A_failures_file_read_again_after_a_gateway_error_comes_back_whole_and_the_retry_names_it()
    {
        await using var test = await MarketoTestHost.StartAsync();
        var batch = await test.Client.ImportLeadsAsync(Csv, "email", CancellationToken.None);
        test.Sandbox.Faults.Add(OnFailures(times: 1));

        var text = await test.Client.GetLeadImportRowsAsync(batch.BatchId, failures: true, CancellationToken.None);

        Assert.StartsWith("email,lastName,Import Failure Reason", text, StringComparison.Ordinal);
        Assert.Contains(test.Log.Lines, l => l.Contains($"Marketo: retry 1 of GET bulk/v1/leads/batch/{batch.BatchId}/failures.json after", StringComparison.Ordinal));
    }
}
