using MlConnector.Engine.Http;
using MlConnector.Engine.Marketo;

namespace MlConnector.Engine.Tests.Marketo;

/// <summary>
/// Each rule of the Marketo settings, at both sides of its limit: a value just inside passes, one just outside is
/// refused as invalid configuration naming the setting and its range (Marketo's instance limits, Adobe's guidance).
/// </summary>
public sealed class MarketoSettingsTests
{
    public static TheoryData<string, Action<MarketoSettings>, string?> Cases => new()
    {
        { "no client id", s => s.ClientId = " ", "ClientId is required." },
        { "neither munchkin nor base", s => s.MunchkinId = "", "MunchkinId or BaseUri is required." },
        { "malformed munchkin", s => s.MunchkinId = "123-ABC-45", "MunchkinId '123-ABC-45' is not of the form 123-ABC-456" },
        { "munchkin with a trailing part", s => s.MunchkinId = "123-ABC-4567", "is not of the form 123-ABC-456" },
        { "base given, no munchkin", s => { s.MunchkinId = ""; s.BaseUri = new Uri("http://127.0.0.1:5000/"); }, null },
        { "calls 0", s => s.CallsPer20Seconds = 0, "CallsPer20Seconds must be between 1 and 100 (Marketo's instance limit)." },
        { "calls 1", s => s.CallsPer20Seconds = 1, null },
        { "calls 100", s => s.CallsPer20Seconds = 100, null },
        { "calls 101", s => s.CallsPer20Seconds = 101, "CallsPer20Seconds must be between 1 and 100" },
        { "concurrency 0", s => s.MaxConcurrency = 0, "MaxConcurrency must be between 1 and 10 (Marketo's instance limit)." },
        { "concurrency 1", s => s.MaxConcurrency = 1, null },
        { "concurrency 10", s => s.MaxConcurrency = 10, null },
        { "concurrency 11", s => s.MaxConcurrency = 11, "MaxConcurrency must be between 1 and 10" },
        { "window 0", s => s.RateWindow = TimeSpan.Zero, "RateWindow must be positive." },
        { "window 1 tick", s => s.RateWindow = TimeSpan.FromTicks(1), null },
        { "budget 0", s => s.DailyCallBudget = 0, "DailyCallBudget must be positive when given." },
        { "budget 1", s => s.DailyCallBudget = 1, null },
        { "poll 0", s => s.BulkImportPollInterval = TimeSpan.Zero, "BulkImportPollInterval must be positive and at most 5 minutes." },
        { "poll 5 min", s => s.BulkImportPollInterval = TimeSpan.FromMinutes(5), null },
        { "poll 5 min and a tick", s => s.BulkImportPollInterval = TimeSpan.FromMinutes(5) + TimeSpan.FromTicks(1), "BulkImportPollInterval must be positive and at most 5 minutes." },
        { "page 0", s => s.PageSize = 0, "PageSize must be between 1 and 300." },
        { "page 1", s => s.PageSize = 1, null },
        { "page 300", s => s.PageSize = 300, null },
        { "page 301", s => s.PageSize = 301, "PageSize must be between 1 and 300." },
        { "attempts 0", s => s.Retry.MaxAttempts = 0, "Retry.MaxAttempts must be between 1 and 20." },
        { "attempts 1", s => s.Retry.MaxAttempts = 1, null },
        { "attempts 20", s => s.Retry.MaxAttempts = 20, null },
        { "attempts 21", s => s.Retry.MaxAttempts = 21, "Retry.MaxAttempts must be between 1 and 20." },
        { "no total time", s => s.Retry.MaxTotalTime = TimeSpan.Zero, "Retry.MaxTotalTime and Retry.AttemptTimeout must be positive." },
        { "no attempt time-out", s => s.Retry.AttemptTimeout = TimeSpan.Zero, "Retry.MaxTotalTime and Retry.AttemptTimeout must be positive." },
        { "negative base delay", s => s.Retry.BaseDelay = TimeSpan.FromTicks(-1), "Retry delays must be non-negative and MaxDelay >= BaseDelay." },
        { "no base delay", s => s.Retry.BaseDelay = TimeSpan.Zero, null },
        { "no concurrency back-off", s => s.Retry.ConcurrencyBackoff = TimeSpan.Zero, null },
        { "max delay below base", s => { s.Retry.BaseDelay = TimeSpan.FromSeconds(2); s.Retry.MaxDelay = TimeSpan.FromSeconds(1); }, "MaxDelay >= BaseDelay" },
        { "max delay equal to base", s => { s.Retry.BaseDelay = TimeSpan.FromSeconds(2); s.Retry.MaxDelay = TimeSpan.FromSeconds(2); }, null },
        { "negative concurrency back-off", s => s.Retry.ConcurrencyBackoff = TimeSpan.FromTicks(-1), "Retry delays must be non-negative" },
        { "plain http REST host", s => s.BaseUri = new Uri("http://123-abc-456.mktorest.com/"), "The Marketo REST endpoint" },
        { "plain http identity host", s => s.IdentityUri = new Uri("http://123-abc-456.mktorest.com/identity/"), "The Marketo identity endpoint" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Each_setting_is_checked_at_its_limits(string name, Action<MarketoSettings> change, string? refusal)
    {
        var settings = new MarketoSettings { MunchkinId = "123-ABC-456", ClientId = "client" };
        change(settings);

        if (refusal is null)
        {
            settings.Validate();
            return;
        }
        var error = Assert.Throws<MlConnectorException>(settings.Validate);
        Assert.Equal("MarketoInvalidConfiguration", error.ErrorId);
        Assert.Equal(MlErrorCategory.InvalidConfiguration, error.Category);
        Assert.StartsWith("Marketo settings: ", error.Message, StringComparison.Ordinal);
        Assert.True(error.Message.Contains(refusal, StringComparison.Ordinal), $"{name}: {error.Message}");
    }

    [Fact]
    public void An_untrusted_host_is_refused_naming_the_host_expected_and_the_opt_in_turns_that_into_a_warning_per_endpoint()
    {
        var settings = new MarketoSettings { MunchkinId = "123-ABC-456", ClientId = "client", BaseUri = new Uri("https://marketo.example.net/") };

        var error = Assert.Throws<MlConnectorException>(settings.Validate);
        Assert.Equal("MarketoUntrustedEndpoint", error.ErrorId);
        Assert.Contains("the identity endpoint 'https://marketo.example.net' is not Adobe's host", error.Message, StringComparison.Ordinal);
        Assert.Contains("(123-abc-456.mktorest.com)", error.Message, StringComparison.Ordinal);
        Assert.Contains("so the client secret or the access token would go to a host Adobe does not document", error.Message, StringComparison.Ordinal);
        Assert.EndsWith("Only for an endpoint you run and trust, connect with -AllowUntrustedEndpoint.", error.Message, StringComparison.Ordinal);

        settings.AllowUntrustedEndpoint = true;
        settings.Validate();
        var warnings = settings.UntrustedWarnings().ToList();
        Assert.Equal(2, warnings.Count);
        Assert.Contains("identity endpoint 'https://marketo.example.net'", warnings[0], StringComparison.Ordinal);
        Assert.Contains("the client secret will be sent to it", warnings[0], StringComparison.Ordinal);
        Assert.Contains("REST endpoint 'https://marketo.example.net'", warnings[1], StringComparison.Ordinal);
        Assert.Contains("the access token and your records will be sent to it", warnings[1], StringComparison.Ordinal);
    }

    [Fact]
    public void Without_a_munchkin_id_the_expected_host_is_described_by_its_pattern()
    {
        var settings = new MarketoSettings { ClientId = "client", BaseUri = new Uri("https://marketo.example.net/"), AllowUntrustedEndpoint = true };
        Assert.All(settings.UntrustedWarnings(), w => Assert.Contains(TrustedHosts.MarketoPattern, w, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("https://123-abc-456.mktorest.com/rest", "https://123-abc-456.mktorest.com/")]
    [InlineData("https://123-abc-456.mktorest.com/REST/", "https://123-abc-456.mktorest.com/")]
    [InlineData("https://123-abc-456.mktorest.com", "https://123-abc-456.mktorest.com/")]
    [InlineData("https://127.0.0.1:5000/marketo?x=1", "https://127.0.0.1:5000/marketo/")]
    public void The_REST_base_drops_a_trailing_rest_and_ends_with_a_slash(string given, string expected)
        => Assert.Equal(expected, new MarketoSettings { BaseUri = new Uri(given) }.RestBase.AbsoluteUri);

    [Theory]
    [InlineData(null, "https://127.0.0.1:5000/identity/")]
    [InlineData("https://127.0.0.1:5000/id", "https://127.0.0.1:5000/id/")]
    [InlineData("https://127.0.0.1:5000/id/", "https://127.0.0.1:5000/id/")]
    public void The_identity_base_is_the_REST_base_s_identity_folder_unless_given_and_ends_with_one_slash(string? given, string expected)
        => Assert.Equal(expected, new MarketoSettings { BaseUri = new Uri("https://127.0.0.1:5000/"), IdentityUri = given is null ? null : new Uri(given) }.IdentityBase.AbsoluteUri);

    [Fact]
    public void Settings_without_a_client_id_are_refused()
        => Assert.Contains("ClientId is required.", Assert.Throws<MlConnectorException>(new MarketoSettings { MunchkinId = "123-ABC-456" }.Validate).Message, StringComparison.Ordinal);
}
