using MlConnector.Engine.Marketo;
using MlConnector.Sandbox.Core;

namespace MlConnector.Engine.Tests.Marketo;

/// <summary>
/// HTTP errors from Marketo's front end carry no envelope (an HTML page, or nothing): 502/503/504 are retried within
/// the bounds, 414 repeats the read as POST ?_method=GET, 413 halves the write until it fits (shared/api/marketo.md §4.1).
/// </summary>
public sealed class MarketoGatewayTests
{
    private static JournalEntry[] Writes(MarketoTestHost test)
        => test.Rest.Where(e => e.Method == "POST" && e.Path.StartsWith("/rest/v1/leads.json", StringComparison.Ordinal) && !e.Path.Contains("_method=GET", StringComparison.Ordinal)).ToArray();

    [Theory]
    [InlineData(502)]
    [InlineData(503)]
    [InlineData(504)]
    public async Task A_gateway_error_without_an_envelope_is_retried_and_the_call_succeeds(int status)
    {
        await using var test = await MarketoTestHost.StartAsync();
        test.Sandbox.Faults.Add(new FaultRule { Service = SandboxService.Marketo, PathContains = "companies/describe", HttpStatus = status, Times = 2 });

        var fields = await test.Client.DescribeCompaniesAsync(CancellationToken.None);

        Assert.NotEmpty(fields);
        Assert.Equal(new[] { status, status, 200 }, test.Rest.Select(e => e.Status));
        Assert.Equal(2, test.Log.Lines.Count(l => l.Contains("retry", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_gateway_error_that_persists_stops_after_the_configured_attempts_with_a_clean_message()
    {
        await using var test = await MarketoTestHost.StartAsync(settings: s => s.Retry.MaxAttempts = 3);
        test.Sandbox.Faults.Add(new FaultRule { Service = SandboxService.Marketo, PathContains = "companies/describe", HttpStatus = 504 });

        var error = await Assert.ThrowsAsync<MarketoApiException>(() => test.Client.DescribeCompaniesAsync(CancellationToken.None));

        Assert.Equal("504", error.Code);
        Assert.Equal("MarketoUnavailable", error.ErrorId);
        Assert.Equal(MlErrorCategory.Connection, error.Category);
        Assert.Contains("after 3 attempts", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("<", error.Message, StringComparison.Ordinal);
        Assert.Equal(3, test.Rest.Count);
    }

    [Fact]
    public async Task A_414_on_a_short_read_is_repeated_as_post_with_method_get()
    {
        await using var test = await MarketoTestHost.StartAsync(o => o.MarketoLeads = 5);
        test.Sandbox.Faults.Add(new FaultRule { Service = SandboxService.Marketo, PathContains = "/rest/v1/leads.json", Method = "GET", HttpStatus = 414, Times = 1 });
        var emails = test.Sandbox.Marketo.Leads().Select(l => l.Fields["email"]!).ToArray();

        var leads = new List<IReadOnlyDictionary<string, object?>>();
        await foreach (var lead in test.Client.GetLeadsByFilterAsync("email", emails, new[] { "email" }, CancellationToken.None)) leads.Add(lead);

        Assert.Equal(emails.Order(StringComparer.OrdinalIgnoreCase), leads.Select(l => (string)l["email"]!).Order(StringComparer.OrdinalIgnoreCase));
        Assert.Collection(test.Rest,
            first => Assert.Equal(("GET", 414), (first.Method, first.Status)),
            second => Assert.Equal(("POST", 200, true), (second.Method, second.Status, second.Path.Contains("_method=GET", StringComparison.Ordinal))));
    }

    [Fact]
    public async Task A_413_halves_the_lead_batch_and_every_lead_is_written_once_in_input_order()
    {
        await using var test = await MarketoTestHost.StartAsync();
        test.Sandbox.Faults.Add(new FaultRule { Service = SandboxService.Marketo, PathContains = "/rest/v1/leads.json", Method = "POST", HttpStatus = 413, Times = 1 });
        var leads = MarketoTestHost.Leads(10, "split");

        var results = await test.Client.SyncLeadsAsync(leads, MarketoSyncAction.CreateOrUpdate, "email", CancellationToken.None);

        Assert.Equal(Enumerable.Range(0, 10), results.Select(r => r.Seq));
        Assert.All(results, r => Assert.Equal(MarketoRecordStatus.Created, r.Status));
        Assert.Equal(10, test.Sandbox.Marketo.LeadCount);
        Assert.Equal(new[] { (413, 0), (200, 5), (200, 5) }, Writes(test).Select(e => (e.Status, e.RecordCount)));
    }

    [Fact]
    public async Task Over_the_real_body_limit_only_the_record_too_large_on_its_own_is_skipped_with_413()
    {
        await using var test = await MarketoTestHost.StartAsync(o => o.Marketo.MaxBodyBytes = 4096);
        var leads = MarketoTestHost.Leads(12, "fit").Select(l => (IReadOnlyDictionary<string, object?>)new Dictionary<string, object?>(l)).ToList();
        leads[7] = new Dictionary<string, object?> { ["email"] = "huge@example.test", ["lastName"] = new string('x', 5000) };

        var results = await test.Client.SyncLeadsAsync(leads, MarketoSyncAction.CreateOrUpdate, "email", CancellationToken.None);

        Assert.Equal(Enumerable.Range(0, 12), results.Select(r => r.Seq));
        var skipped = Assert.Single(results, r => !r.Succeeded);
        Assert.Equal(7, skipped.Seq);
        Assert.Equal(MarketoRecordStatus.Skipped, skipped.Status);
        Assert.True(skipped.HasReason("413"));
        Assert.Equal(11, test.Sandbox.Marketo.LeadCount);
        Assert.DoesNotContain(test.Sandbox.Marketo.Leads(), l => l.Fields.GetValueOrDefault("email") == "huge@example.test");
        Assert.Equal(11, Writes(test).Where(e => e.Status == 200).Sum(e => e.RecordCount));
    }
}
