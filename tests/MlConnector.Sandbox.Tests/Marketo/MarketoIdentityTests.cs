using System.Net;
using System.Text.Json.Nodes;
using MlConnector.Sandbox.Core;

namespace MlConnector.Sandbox.Tests.Marketo;

public sealed class MarketoIdentityTests(MarketoFixture shared) : IClassFixture<MarketoFixture>
{
    [Fact]
    public async Task Identity_returns_the_same_token_until_expiry_with_expires_in_counting_down()
    {
        var sandbox = await MarketoFixture.StartPrivateAsync();
        try
        {
            var first = await sandbox.Api.IdentityAsync();
            Assert.Equal("bearer", first["token_type"]!.GetValue<string>());
            Assert.Equal(sandbox.Host.Marketo.Options.ApiUser, first["scope"]!.GetValue<string>());
            Assert.InRange(first["expires_in"]!.GetValue<int>(), 3595, 3600);
            Assert.Matches("^[0-9a-f-]{36}:[a-z]+$", first["access_token"]!.GetValue<string>());

            sandbox.Host.Clock.Advance(TimeSpan.FromSeconds(1000));
            var second = await sandbox.Api.IdentityAsync(post: true);
            Assert.Equal(first["access_token"]!.GetValue<string>(), second["access_token"]!.GetValue<string>());
            Assert.InRange(second["expires_in"]!.GetValue<int>(), 2595, 2600);

            sandbox.Host.Clock.Advance(TimeSpan.FromSeconds(2601));
            var third = await sandbox.Api.IdentityAsync();
            Assert.NotEqual(first["access_token"]!.GetValue<string>(), third["access_token"]!.GetValue<string>());
        }
        finally { await sandbox.StopAsync(); }
    }

    [Fact]
    public async Task Identity_accepts_credentials_in_a_form_body()
    {
        var sandbox = shared.AsPrivate();
        try
        {
            var o = sandbox.Host.Marketo.Options;
            using var response = await sandbox.Http.PostAsync("identity/oauth/token", new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["grant_type"] = "client_credentials", ["client_id"] = o.ClientId, ["client_secret"] = o.ClientSecret,
            }));
            var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
            MarketoApi.AssertValid("POST", "/identity/oauth/token", response.StatusCode, body);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        }
        finally { await sandbox.StopAsync(); }
    }

    [Theory]
    [InlineData(false, "unauthorized")]
    [InlineData(true, "invalid_client")]
    public async Task Bad_credentials_answer_401_with_an_oauth_error(bool wrongClientId, string error)
    {
        var sandbox = shared.AsPrivate();
        try
        {
            var o = sandbox.Host.Marketo.Options;
            using var response = await sandbox.Http.GetAsync($"identity/oauth/token?grant_type=client_credentials&client_id={(wrongClientId ? "nobody" : o.ClientId)}&client_secret=wrong");
            var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
            MarketoApi.AssertValid("GET", "/identity/oauth/token", response.StatusCode, body);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Equal(error, body["error"]!.GetValue<string>());
        }
        finally { await sandbox.StopAsync(); }
    }

    [Fact]
    public async Task Expired_token_answers_602_once_then_601_and_neither_is_counted()
    {
        var sandbox = await MarketoFixture.StartPrivateAsync();
        try
        {
            await sandbox.Api.AuthenticateAsync();
            Assert.True((await sandbox.Api.GetAsync("rest/v1/leads/describe2.json")).Success);
            sandbox.Host.Clock.Advance(TimeSpan.FromMinutes(61));

            var first = await sandbox.Api.GetAsync("rest/v1/leads/describe2.json");
            var second = await sandbox.Api.GetAsync("rest/v1/leads/describe2.json");
            Assert.Equal(HttpStatusCode.OK, first.Status);
            Assert.False(first.Success);
            Assert.Equal("602", first.ErrorCode);
            Assert.Equal("Access token expired", first.ErrorMessage);
            Assert.Equal("601", second.ErrorCode);

            await sandbox.Api.AuthenticateAsync();
            Assert.True((await sandbox.Api.GetAsync("rest/v1/leads/describe2.json")).Success);
            var journal = sandbox.Host.Journal.For(SandboxService.Marketo);
            Assert.All(journal.Where(e => e.ErrorCode is "601" or "602"), e => Assert.False(e.CountedAgainstLimits));
            Assert.Equal(2, journal.Count(e => e.ErrorCode is "601" or "602"));
        }
        finally { await sandbox.StopAsync(); }
    }

    [Theory]
    [InlineData(null)]
    [InlineData("not-a-token")]
    public async Task Missing_or_unknown_token_answers_601(string? token)
    {
        var sandbox = shared.AsPrivate();
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "rest/v1/leads/describe.json");
            if (token is not null) request.Headers.Authorization = new("Bearer", token);
            var reply = await sandbox.Api.SendAsync(request, authorize: false);
            Assert.Equal("601", reply.ErrorCode);
        }
        finally { await sandbox.StopAsync(); }
    }

    [Theory]
    [InlineData(false, "601")]
    [InlineData(true, null)]
    public async Task Access_token_query_parameter_is_refused_by_default_and_switchable(bool accept, string? expectedError)
    {
        var sandbox = shared.AsPrivate();
        sandbox.Host.Marketo.Options.AcceptAccessTokenQueryParameter = accept;
        try
        {
            var token = await sandbox.Api.AuthenticateAsync();
            var reply = await sandbox.Api.GetAsync("rest/v1/leads/describe.json?access_token=" + Uri.EscapeDataString(token), authorize: false);
            Assert.Equal(expectedError, reply.ErrorCode);
        }
        finally { sandbox.Host.Marketo.Options.AcceptAccessTokenQueryParameter = false; }
    }

    [Fact]
    public async Task Identity_calls_are_journaled_as_not_counted()
    {
        var sandbox = shared.AsPrivate();
        try
        {
            var before = sandbox.Host.Journal.For(SandboxService.MarketoIdentity).Count;
            var calls = sandbox.Host.Marketo.Limiter.CallsToday();
            await sandbox.Api.IdentityAsync();
            await sandbox.Api.IdentityAsync();
            var entries = sandbox.Host.Journal.For(SandboxService.MarketoIdentity);
            Assert.Equal(before + 2, entries.Count);
            Assert.All(entries, e => Assert.False(e.CountedAgainstLimits));
            Assert.Equal(calls, sandbox.Host.Marketo.Limiter.CallsToday());
        }
        finally { await sandbox.StopAsync(); }
    }
}
