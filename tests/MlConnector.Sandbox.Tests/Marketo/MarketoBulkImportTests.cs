using System.Net;
using System.Net.Http.Headers;
using System.Text;
using MlConnector.Sandbox.Core;

namespace MlConnector.Sandbox.Tests.Marketo;

/// <summary>Bulk Lead Import (bulk-lead-import.md): multipart upload, the queue, processing on the sandbox clock, failure and warning files.</summary>
public sealed class MarketoBulkImportTests
{
    private static MultipartFormDataContent Upload(string file, string? format = "csv", params (string Name, string Value)[] fields)
    {
        var content = new MultipartFormDataContent();
        var part = new ByteArrayContent(Encoding.UTF8.GetBytes(file));
        part.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        content.Add(part, "file", "leads.csv");
        if (format is not null) content.Add(new StringContent(format), "format");
        foreach (var (name, value) in fields) content.Add(new StringContent(value), name);
        return content;
    }

    /// <summary>Parsed with .NET's own delimited-text reader, independently of the simulator's writer.</summary>
    internal static List<string[]> ReadDelimited(string text, string delimiter)
    {
        using var parser = new Microsoft.VisualBasic.FileIO.TextFieldParser(new StringReader(text)) { HasFieldsEnclosedInQuotes = true, TrimWhiteSpace = false };
        parser.SetDelimiters(delimiter);
        var rows = new List<string[]>();
        while (!parser.EndOfData) rows.Add(parser.ReadFields()!);
        return rows;
    }

    private static Task<MarketoReply> ImportAsync(MarketoApi api, HttpContent content, string query = "")
        => api.SendAsync(new HttpRequestMessage(HttpMethod.Post, "bulk/v1/leads.json" + query) { Content = content });

    private static async Task<string> FileAsync(MarketoSandbox sandbox, int batchId, string kind)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"bulk/v1/leads/batch/{batchId}/{kind}.json");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", sandbox.Api.Token ?? await sandbox.Api.AuthenticateAsync());
        using var response = await sandbox.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }

    [Fact]
    public async Task An_import_is_queued_processed_at_the_configured_rate_and_reports_failures_and_warnings()
    {
        var sandbox = await MarketoFixture.StartPrivateAsync(o => o.BulkImportRowsPerSecond = 2);
        try
        {
            var api = sandbox.Api;
            await api.PostAsync("rest/v1/companies.json", new { input = new[] { new { externalCompanyId = "BULK-CO", company = "Bulk Co" } } });
            var list = sandbox.Host.Marketo.CreateList("Imported");
            var file = "email,firstName,lastName,externalCompanyId\n" +
                       "ann@bulk.example.com,Ann,Able,BULK-CO\n" +
                       "not-an-email,Bad,Row,\n" +
                       "\"cole, jr@bulk.example.com\",Cole,\"Jr, \"\"the\"\" second\",\n" +
                       "dan@bulk.example.com,Dan,Dog,NO-SUCH-CO\n";
            var created = await ImportAsync(api, Upload(file, "csv", ("listId", list.ToString())));
            Assert.True(created.Success, created.Body.ToJsonString());
            Assert.Equal("Queued", created.Status0);
            var batchId = created.Item(0)["batchId"]!.GetValue<int>();
            Assert.Equal(batchId.ToString(), created.Item(0)["importId"]!.GetValue<string>());

            sandbox.Host.Clock.Advance(TimeSpan.FromSeconds(1));
            var midway = await api.GetAsync($"bulk/v1/leads/batch/{batchId}.json");
            Assert.Equal("Importing", midway.Status0);
            Assert.True(midway.Item(0)["numOfLeadsProcessed"]!.GetValue<int>() + midway.Item(0)["numOfRowsFailed"]!.GetValue<int>() < 4);

            sandbox.Host.Clock.Advance(TimeSpan.FromSeconds(2));
            var done = await api.GetAsync($"bulk/v1/leads/batch/{batchId}.json");
            Assert.Equal("Complete", done.Status0);
            Assert.Equal(2, done.Item(0)["numOfLeadsProcessed"]!.GetValue<int>());
            Assert.Equal(2, done.Item(0)["numOfRowsFailed"]!.GetValue<int>());
            Assert.Equal(1, done.Item(0)["numOfRowsWithWarning"]!.GetValue<int>());
            Assert.Equal("Import completed with errors, 2 records imported (2 members), 2 failed", done.Item(0)["message"]!.GetValue<string>());

            var ann = Assert.Single(sandbox.Host.Marketo.LeadsByEmail("ann@bulk.example.com"));
            Assert.Equal("Bulk Co", ann.Fields["company"]);
            Assert.Contains(ann.Id, sandbox.Host.Marketo.ListMembers(list));

            var failures = ReadDelimited(await FileAsync(sandbox, batchId, "failures"), ",");
            Assert.Equal(["email", "firstName", "lastName", "externalCompanyId", "Import Failure Reason"], failures[0]);
            Assert.Equal(["not-an-email", "cole, jr@bulk.example.com"], failures.Skip(1).Select(r => r[0]));
            Assert.All(failures.Skip(1), r => Assert.StartsWith("Invalid value", r[4]));
            var warnings = ReadDelimited(await FileAsync(sandbox, batchId, "warnings"), ",");
            Assert.Equal("Import Warning Reason", warnings[0][^1]);
            Assert.Equal("dan@bulk.example.com", Assert.Single(warnings.Skip(1))[0]);

            Assert.Equal(5, sandbox.Host.Journal.For(SandboxService.Marketo).Count(e => e.Path.StartsWith("/bulk/v1/leads", StringComparison.Ordinal))); // create, two status polls, two files
        }
        finally { await sandbox.StopAsync(); }
    }

    [Theory]
    [InlineData("tsv", "email\tfirstName\nt@bulk.example.com\tTab\n")]
    [InlineData("ssv", "email;firstName\ns@bulk.example.com;Semi\n")]
    public async Task Tsv_and_ssv_files_are_read_with_their_delimiters(string format, string file)
    {
        var sandbox = await MarketoFixture.StartPrivateAsync();
        try
        {
            var created = await ImportAsync(sandbox.Api, Upload(file, format: null), "?format=" + format);
            sandbox.Host.Clock.Advance(TimeSpan.FromSeconds(5));
            var done = await sandbox.Api.GetAsync($"bulk/v1/leads/batch/{created.Item(0)["batchId"]}.json");
            Assert.Equal("Complete", done.Status0);
            Assert.Equal(1, done.Item(0)["numOfLeadsProcessed"]!.GetValue<int>());
        }
        finally { await sandbox.StopAsync(); }
    }

    [Fact]
    public async Task Lookup_by_id_only_updates_and_an_unknown_header_field_fails_the_job()
    {
        var sandbox = await MarketoFixture.StartPrivateAsync(leads: 3);
        try
        {
            var lead = sandbox.Host.Marketo.Leads()[0];
            var created = await ImportAsync(sandbox.Api, Upload($"id,title\n{lead.Id},Imported title\n999999,Nobody\n", "csv", ("lookupField", "id")));
            sandbox.Host.Clock.Advance(TimeSpan.FromSeconds(5));
            var done = await sandbox.Api.GetAsync($"bulk/v1/leads/batch/{created.Item(0)["batchId"]}.json");
            Assert.Equal(1, done.Item(0)["numOfLeadsProcessed"]!.GetValue<int>());
            Assert.Equal(1, done.Item(0)["numOfRowsFailed"]!.GetValue<int>());
            Assert.Equal("Imported title", sandbox.Host.Marketo.Lead(lead.Id)!.Fields["title"]);

            var failed = await ImportAsync(sandbox.Api, Upload("email,FirstName\nx@bulk.example.com,X\n"));
            var status = await sandbox.Api.GetAsync($"bulk/v1/leads/batch/{failed.Item(0)["batchId"]}.json");
            Assert.Equal("Failed", status.Status0);
            Assert.Contains("Field 'FirstName' not found", status.Item(0)["message"]!.GetValue<string>());
        }
        finally { await sandbox.StopAsync(); }
    }

    [Fact]
    public async Task Two_import_at_once_ten_are_queued_and_the_eleventh_answers_1016()
    {
        var sandbox = await MarketoFixture.StartPrivateAsync(o => o.BulkImportRowsPerSecond = 1);
        try
        {
            var batches = new List<int>();
            for (var i = 0; i < 10; i++)
            {
                var reply = await ImportAsync(sandbox.Api, Upload($"email\nq{i}@bulk.example.com\nr{i}@bulk.example.com\n"));
                Assert.True(reply.Success);
                batches.Add(reply.Item(0)["batchId"]!.GetValue<int>());
            }
            var eleventh = await ImportAsync(sandbox.Api, Upload("email\nz@bulk.example.com\n"));
            Assert.Equal("1016", eleventh.ErrorCode);
            Assert.Equal("Too many imports", eleventh.ErrorMessage);

            sandbox.Host.Clock.Advance(TimeSpan.FromSeconds(1));
            var statuses = new List<string>();
            foreach (var batch in batches) statuses.Add((await sandbox.Api.GetAsync($"bulk/v1/leads/batch/{batch}.json")).Status0!);
            Assert.Equal(2, statuses.Count(s => s == "Importing"));
            Assert.Equal(8, statuses.Count(s => s == "Queued"));

            // Each job takes 2 s: after 2 s the first two are done and the next two run.
            sandbox.Host.Clock.Advance(TimeSpan.FromSeconds(1.5));
            Assert.Equal("Complete", (await sandbox.Api.GetAsync($"bulk/v1/leads/batch/{batches[0]}.json")).Status0);
            Assert.Equal("Importing", (await sandbox.Api.GetAsync($"bulk/v1/leads/batch/{batches[2]}.json")).Status0);
            Assert.True((await ImportAsync(sandbox.Api, Upload("email\nz@bulk.example.com\n"))).Success);
        }
        finally { await sandbox.StopAsync(); }
    }

    [Fact]
    public async Task A_file_over_10_MB_is_refused_with_413_and_a_bad_request_with_612_or_613()
    {
        var sandbox = await MarketoFixture.StartPrivateAsync();
        try
        {
            var big = "email,title\n" + string.Concat(Enumerable.Repeat("big@bulk.example.com," + new string('x', 200) + "\n", 50_000));
            using var request = new HttpRequestMessage(HttpMethod.Post, "bulk/v1/leads.json") { Content = Upload(big) };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await sandbox.Api.AuthenticateAsync());
            using var response = await sandbox.Http.SendAsync(request);
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);

            var json = await sandbox.Api.PostAsync("bulk/v1/leads.json", new { file = "email" });
            Assert.Equal("612", json.ErrorCode);
            var broken = new StringContent("--nope\r\nnot a part", Encoding.UTF8);
            broken.Headers.ContentType = MediaTypeHeaderValue.Parse("multipart/form-data; boundary=other");
            Assert.Equal("613", (await ImportAsync(sandbox.Api, broken)).ErrorCode);
            Assert.Equal("1002", (await ImportAsync(sandbox.Api, Upload("email\na@b.example.com\n", format: null))).ErrorCode);
        }
        finally { await sandbox.StopAsync(); }
    }
}
