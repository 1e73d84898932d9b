using System.Net;
using MlConnector.Sandbox.Core;

namespace MlConnector.Sandbox.Tests.Core;

/// <summary>Injected 413, 414, 502, 503 and 504 come back as a gateway sends them (HTML page or empty body), not in a vendor envelope.</summary>
public sealed class GatewayErrorTests(SandboxFixture sandbox) : IClassFixture<SandboxFixture>
{
    public static TheoryData<SandboxService, string, int> Cases()
    {
        var data = new TheoryData<SandboxService, string, int>();
        foreach (var status in new[] { 413, 414, 502, 503, 504 })
        {
            data.Add(SandboxService.Marketo, "rest/v1/leads.json?gateway=" + status, status);
            data.Add(SandboxService.BusinessCentral, "v2.0/any/production/api/v2.0/companies?gateway=" + status, status);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Injected_gateway_status_has_no_vendor_envelope(SandboxService service, string path, int status)
    {
        var rule = sandbox.Host.Faults.Add(new FaultRule { Service = service, PathContains = "gateway=" + status, HttpStatus = status, RetryAfterSeconds = 5, Times = 1 });
        try
        {
            using var response = await sandbox.Http.GetAsync(path);
            var body = await response.Content.ReadAsStringAsync();

            Assert.Equal(status, (int)response.StatusCode);
            if (status == 503)
            {
                Assert.Equal("", body);
                Assert.Equal(TimeSpan.FromSeconds(5), response.Headers.RetryAfter?.Delta);
            }
            else
            {
                Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
                Assert.StartsWith("<html>", body, StringComparison.Ordinal);
                Assert.Contains($"<title>{status} ", body, StringComparison.Ordinal);
            }
            Assert.DoesNotContain("{", body, StringComparison.Ordinal);
            var entry = await sandbox.Host.Journal.WaitForAsync(e => e.Path.Contains("gateway=" + status, StringComparison.Ordinal) && e.Service == service, TimeSpan.FromSeconds(10));
            Assert.Equal(status, entry.Status);
            Assert.Equal(status.ToString(System.Globalization.CultureInfo.InvariantCulture), entry.ErrorCode);
        }
        finally { sandbox.Host.Faults.Remove(rule.Id); }
    }

    [Fact]
    public async Task A_vendor_error_code_keeps_the_vendor_body_for_a_gateway_status()
    {
        var rule = sandbox.Host.Faults.Add(new FaultRule { Service = SandboxService.Marketo, PathContains = "vendor-502", HttpStatus = 502, ErrorCode = "611", Times = 1 });
        try
        {
            using var response = await sandbox.Http.GetAsync("rest/v1/leads.json?vendor-502");
            Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
            Assert.Contains("\"code\":\"611\"", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
        finally { sandbox.Host.Faults.Remove(rule.Id); }
    }
}
