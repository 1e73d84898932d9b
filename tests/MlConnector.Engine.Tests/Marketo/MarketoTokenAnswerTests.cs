using MlConnector.Engine.Marketo;
using MlConnector.Engine.Security;
using MlConnector.Sandbox;
using MlConnector.Sandbox.Core;
using Microsoft.Extensions.Time.Testing;

namespace MlConnector.Engine.Tests.Marketo;

/// <summary>
/// What the connector makes of each identity answer: a refusal quotes Marketo's error and description, an answer
/// with neither token nor error is a refusal, a server error is retried, the token's scope names the API user, the
/// renewal starts exactly one minute before expiry (and never for a token that lives no longer than that minute),
/// a token already replaced is not forgotten, and every identity call is counted and logged without its token.
/// </summary>
public sealed class MarketoTokenAnswerTests
{
    private static readonly HttpClient Http = new();

    private static async Task<SandboxHost> SandboxAsync() => await SandboxHost.StartAsync(new SandboxOptions { Customers = 0 });

    /// <summary>The token provider alone against the sandbox's identity service, on <paramref name="clock"/>.</summary>
    private static MarketoTokenProvider Provider(SandboxHost host, TimeProvider clock, CollectingLog log)
    {
        var settings = MarketoTestHost.SettingsFor(host);
        var retry = new MarketoRetry(settings.Retry, null, clock, log);
        return new MarketoTokenProvider(Http, settings.IdentityBase, settings.ClientId, new SecretText(host.Marketo.Options.ClientSecret), retry, clock, log);
    }

    [Fact]
    public async Task Refused_credentials_quote_Marketos_error_and_description()
    {
        await using var host = await SandboxAsync();
        var error = await Assert.ThrowsAsync<MarketoAuthenticationException>(() =>
            MarketoClient.ConnectAsync(MarketoTestHost.SettingsFor(host), new SecretText("wrong-secret-0815"), new CollectingLog(), host.Clock));

        Assert.Contains("(HTTP 401, unauthorized: Bad client credentials)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_answer_with_neither_token_nor_error_is_a_refusal()
    {
        await using var host = await SandboxAsync();
        host.Faults.Add(new FaultRule { Service = SandboxService.MarketoIdentity, PathContains = "oauth/token", HttpStatus = 404 });

        var error = await Assert.ThrowsAsync<MarketoAuthenticationException>(() =>
            MarketoClient.ConnectAsync(MarketoTestHost.SettingsFor(host), new SecretText(host.Marketo.Options.ClientSecret), new CollectingLog(), host.Clock));

        Assert.Contains("HTTP 404", error.Message, StringComparison.Ordinal);
        Assert.Single(host.Journal.For(SandboxService.MarketoIdentity));
    }

    [Fact]
    public async Task A_server_error_from_the_identity_service_is_retried_counted_and_logged()
    {
        await using var host = await SandboxAsync();
        host.Faults.Add(new FaultRule { Service = SandboxService.MarketoIdentity, PathContains = "oauth/token", HttpStatus = 500, Times = 1 });
        var log = new CollectingLog();

        using var client = await MarketoClient.ConnectAsync(MarketoTestHost.SettingsFor(host), new SecretText(host.Marketo.Options.ClientSecret), log, host.Clock);

        Assert.Equal(2, host.Journal.For(SandboxService.MarketoIdentity).Count);
        Assert.Equal(2, client.IdentityCallCount);
        Assert.Contains(log.Lines, l => l.StartsWith("DEBUG: Marketo POST /identity/oauth/token -> HTTP 500", StringComparison.Ordinal));
        Assert.Contains(log.Lines, l => l.StartsWith("DEBUG: Marketo POST /identity/oauth/token -> HTTP 200", StringComparison.Ordinal));
        // An identity answer has no requestId: the retry line says so rather than leaving it blank.
        Assert.Contains(log.Lines, l => l.Contains("retry 1 of identity/oauth/token after error 500 (requestId -)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_tokens_scope_names_the_api_user()
    {
        await using var test = await MarketoTestHost.StartAsync();
        Assert.Equal(test.Sandbox.Marketo.Options.ApiUser, test.Client.ApiUser);
    }

    [Fact]
    public async Task Renewal_starts_exactly_one_minute_before_expiry()
    {
        await using var host = await SandboxAsync();
        var clock = new FakeTimeProvider(host.Clock.GetUtcNow());
        var tokens = Provider(host, clock, new CollectingLog());

        var (_, expiresAt) = await tokens.GetAsync(CancellationToken.None);
        clock.Advance(expiresAt - MarketoTokenProvider.RenewMargin - clock.GetUtcNow() - TimeSpan.FromTicks(1));
        await tokens.GetAsync(CancellationToken.None);
        Assert.Equal(1, tokens.IdentityCalls);

        clock.Advance(TimeSpan.FromTicks(1));
        await tokens.GetAsync(CancellationToken.None);
        Assert.Equal(2, tokens.IdentityCalls);
    }

    [Fact]
    public async Task A_token_that_lives_no_longer_than_the_renewal_minute_is_used_until_it_expires()
    {
        await using var host = await SandboxAsync();
        host.Marketo.Options.TokenLifetime = MarketoTokenProvider.RenewMargin;
        using var client = await MarketoClient.ConnectAsync(MarketoTestHost.SettingsFor(host), new SecretText(host.Marketo.Options.ClientSecret), new CollectingLog(), host.Clock);

        await client.EnsureTokenAsync(CancellationToken.None);
        await client.EnsureTokenAsync(CancellationToken.None);
        Assert.Single(host.Journal.For(SandboxService.MarketoIdentity));
    }

    [Fact]
    public async Task Forgetting_a_token_that_was_already_replaced_keeps_the_new_one()
    {
        await using var host = await SandboxAsync();
        var log = new CollectingLog();
        var tokens = Provider(host, host.Clock, log);

        var first = (await tokens.GetAsync(CancellationToken.None)).Value;
        tokens.Invalidate(first);
        host.Marketo.Tokens.ExpireNow();
        var second = (await tokens.GetAsync(CancellationToken.None)).Value;
        Assert.NotEqual(first, second);

        tokens.Invalidate(first);
        Assert.Equal(second, (await tokens.GetAsync(CancellationToken.None)).Value);
        Assert.Equal(2, tokens.IdentityCalls);
        Assert.DoesNotContain(log.Lines, l => l.Contains(first, StringComparison.Ordinal) || l.Contains(second, StringComparison.Ordinal));
    }
}
