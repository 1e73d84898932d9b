using System.Net;
using MlConnector.Sandbox.Core;
using MlConnector.Sandbox.Marketo;

namespace MlConnector.Sandbox.Tests.Marketo;

public sealed class MarketoLimitTests
{
    [Fact]
    public async Task Rolling_window_answers_606_and_frees_up_after_the_window()
    {
        var sandbox = await MarketoFixture.StartPrivateAsync(o => { o.RateLimit = 5; o.RateWindow = TimeSpan.FromSeconds(20); });
        try
        {
            for (var i = 0; i < 5; i++) Assert.True((await sandbox.Api.GetAsync("rest/v1/leads/describe2.json")).Success);
            var limited = await sandbox.Api.GetAsync("rest/v1/leads/describe2.json");
            Assert.Equal(HttpStatusCode.OK, limited.Status);
            Assert.Equal("606", limited.ErrorCode);
            Assert.Equal("Max rate limit '5' exceeded with in '20' secs", limited.ErrorMessage);

            sandbox.Host.Clock.Advance(TimeSpan.FromSeconds(21));
            Assert.True((await sandbox.Api.GetAsync("rest/v1/leads/describe2.json")).Success);
        }
        finally { await sandbox.StopAsync(); }
    }

    [Fact]
    public async Task Calls_failing_with_601_or_602_do_not_use_up_the_window()
    {
        var sandbox = await MarketoFixture.StartPrivateAsync(o => o.RateLimit = 3);
        try
        {
            for (var i = 0; i < 10; i++)
            {
                using var bad = new HttpRequestMessage(HttpMethod.Get, "rest/v1/leads/describe2.json");
                bad.Headers.Authorization = new("Bearer", "garbage");
                Assert.Equal("601", (await sandbox.Api.SendAsync(bad, authorize: false)).ErrorCode);
            }
            Assert.Equal("605", (await sandbox.Api.GetAsync("rest/v1/leads/delete.json")).ErrorCode);
            for (var i = 0; i < 3; i++) Assert.True((await sandbox.Api.GetAsync("rest/v1/leads/describe2.json")).Success);
            Assert.Equal(3, sandbox.Host.Marketo.Limiter.CallsToday());
        }
        finally { await sandbox.StopAsync(); }
    }

    [Fact]
    public async Task Daily_quota_answers_607_until_midnight_us_central()
    {
        var sandbox = await MarketoFixture.StartPrivateAsync(o => o.DailyQuota = 3);
        try
        {
            for (var i = 0; i < 3; i++) Assert.True((await sandbox.Api.GetAsync("rest/v1/leads/describe.json")).Success);
            Assert.Equal("607", (await sandbox.Api.GetAsync("rest/v1/leads/describe.json")).ErrorCode);

            var now = sandbox.Host.Clock.GetUtcNow();
            var midnight = MarketoLimiter.CentralMidnight(MarketoLimiter.CentralDate(now).AddDays(1));
            sandbox.Host.Clock.Advance(midnight - now - TimeSpan.FromMinutes(1));
            await sandbox.Api.AuthenticateAsync();
            Assert.Equal("607", (await sandbox.Api.GetAsync("rest/v1/leads/describe.json")).ErrorCode);
            sandbox.Host.Clock.Advance(TimeSpan.FromMinutes(2));
            Assert.True((await sandbox.Api.GetAsync("rest/v1/leads/describe.json")).Success);
        }
        finally { await sandbox.StopAsync(); }
    }

    [Fact]
    public async Task More_than_the_concurrency_limit_in_flight_answers_615()
    {
        var sandbox = await MarketoFixture.StartPrivateAsync(o => { o.ConcurrencyLimit = 2; o.ProcessingDelay = TimeSpan.FromMilliseconds(600); });
        try
        {
            await sandbox.Api.AuthenticateAsync();
            var replies = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => sandbox.Api.GetAsync("rest/v1/leads/describe2.json")));
            Assert.InRange(replies.Count(r => r.Success), 1, 2);
            Assert.Contains(replies, r => r.ErrorCode == "615" && r.ErrorMessage == "Concurrent access limit reached");
        }
        finally { await sandbox.StopAsync(); }
    }

    [Fact]
    public async Task Usage_reports_counted_calls_for_today_and_last_seven_days()
    {
        var sandbox = await MarketoFixture.StartPrivateAsync();
        try
        {
            for (var i = 0; i < 4; i++) await sandbox.Api.GetAsync("rest/v1/leads/describe.json");
            var usage = await sandbox.Api.GetAsync("rest/v1/stats/usage.json");
            Assert.Equal(5, usage.Item(0)["total"]!.GetValue<int>()); // four calls plus this one
            Assert.Equal(sandbox.Host.Marketo.Options.ApiUser, usage.Item(0)["users"]![0]!["userId"]!.GetValue<string>());
            var week = await sandbox.Api.GetAsync("rest/v1/stats/usage/last7days.json");
            Assert.Equal(7, week.Result.Count);
        }
        finally { await sandbox.StopAsync(); }
    }

    [Fact]
    public async Task Limits_are_switchable_through_the_admin_api()
    {
        var sandbox = await MarketoFixture.StartPrivateAsync();
        try
        {
            using var response = await sandbox.Http.PostAsync("admin/marketo/limits", System.Net.Http.Json.JsonContent.Create(new { rateLimit = 1, rateWindowSeconds = 20 }));
            response.EnsureSuccessStatusCode();
            Assert.True((await sandbox.Api.GetAsync("rest/v1/leads/describe.json")).Success);
            Assert.Equal("606", (await sandbox.Api.GetAsync("rest/v1/leads/describe.json")).ErrorCode);
            var state = await sandbox.Http.GetStringAsync("admin/marketo/state");
            Assert.Contains("\"rateLimit\":1", state);
        }
        finally { await sandbox.StopAsync(); }
    }
}

public sealed class MarketoFaultTests(MarketoFixture shared) : IClassFixture<MarketoFixture>
{
    [Theory]
    [InlineData("604", "Request time-out", false)]
    [InlineData("606", "Max rate limit '1000000' exceeded with in '20' secs", true)]
    [InlineData("607", "Daily quota reached", true)]
    [InlineData("608", "API Temporarily Unavailable", false)]
    [InlineData("611", "System error", false)]
    [InlineData("615", "Concurrent access limit reached", true)]
    [InlineData("1029", "Too many jobs in queue", true)]
    public async Task Injected_error_codes_render_the_real_envelope(string code, string message, bool counted)
    {
        var sandbox = shared.AsPrivate();
        try
        {
            sandbox.Host.Faults.Add(new FaultRule { Service = SandboxService.Marketo, PathContains = "/rest/v1/leads.json", ErrorCode = code, Times = 1 });
            var reply = await sandbox.Api.GetAsync("rest/v1/leads.json?filterType=email&filterValues=a@b.example");
            Assert.Equal(HttpStatusCode.OK, reply.Status);
            Assert.False(reply.Success);
            Assert.Equal(code, reply.ErrorCode);
            Assert.Equal(message, reply.ErrorMessage);
            var entry = sandbox.Host.Journal.For(SandboxService.Marketo).Single(e => e.ErrorCode == code && e.Path.Contains("leads.json"));
            Assert.Equal(counted, entry.CountedAgainstLimits);
            Assert.True((await sandbox.Api.GetAsync("rest/v1/leads.json?filterType=email&filterValues=a@b.example")).Success);
        }
        finally { await sandbox.StopAsync(); }
    }

    [Theory]
    [InlineData(500)]
    [InlineData(400)]
    public async Task Injected_http_status_is_returned_with_an_envelope(int status)
    {
        var sandbox = shared.AsPrivate();
        try
        {
            sandbox.Host.Faults.Add(new FaultRule { Service = SandboxService.Marketo, PathContains = "/rest/v1/leads.json", HttpStatus = status, Times = 1 });
            var reply = await sandbox.Api.PostAsync("rest/v1/leads.json", new { input = new[] { new { email = "x@example.com" } } });
            Assert.Equal(status, (int)reply.Status);
            Assert.Equal(status.ToString(), reply.ErrorCode);
        }
        finally { await sandbox.StopAsync(); }
    }

    [Fact]
    public async Task Injected_identity_fault_uses_the_oauth_error_body()
    {
        var sandbox = shared.AsPrivate();
        try
        {
            sandbox.Host.Faults.Add(new FaultRule { Service = SandboxService.MarketoIdentity, ErrorCode = "unauthorized", Times = 1 });
            var body = await sandbox.Api.IdentityAsync();
            Assert.Equal("unauthorized", body["error"]!.GetValue<string>());
            Assert.True((await sandbox.Api.IdentityAsync()).ContainsKey("access_token"));
        }
        finally { await sandbox.StopAsync(); }
    }
}
