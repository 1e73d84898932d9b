using System.Text;
using MlConnector.Engine.Marketo;

namespace MlConnector.Engine.Tests.Marketo;

/// <summary>How one call becomes an HTTP request: the 8 KB URI limit, the POST ?_method=GET override, the JSON body, bulk paths.</summary>
public sealed class MarketoCallTests
{
    private static readonly Uri Rest = new("https://123-ABC-456.mktorest.com/");

    /// <summary>A GET whose absolute URI is exactly <paramref name="bytes"/> long.</summary>
    private static MarketoCall GetOfLength(int bytes)
    {
        var prefix = new Uri(Rest, "rest/v1/leads.json?filterValues=").AbsoluteUri;
        return MarketoCall.Get("rest/v1/leads.json", ("filterValues", new string('a', bytes - Encoding.UTF8.GetByteCount(prefix))));
    }

    [Fact]
    public async Task A_get_of_exactly_8_KB_stays_a_get_and_one_byte_more_becomes_post_with_method_get()
    {
        using var atLimit = GetOfLength(MarketoLimits.MaxUriBytes).ToRequest(Rest, "token", forceOverride: false, out var overriddenAtLimit);
        Assert.False(overriddenAtLimit);
        Assert.Equal(HttpMethod.Get, atLimit.Method);
        Assert.Equal(MarketoLimits.MaxUriBytes, Encoding.UTF8.GetByteCount(atLimit.RequestUri!.AbsoluteUri));

        using var over = GetOfLength(MarketoLimits.MaxUriBytes + 1).ToRequest(Rest, "token", forceOverride: false, out var overriddenOver);
        Assert.True(overriddenOver);
        Assert.Equal(HttpMethod.Post, over.Method);
        Assert.Equal("https://123-abc-456.mktorest.com/rest/v1/leads.json?_method=GET", over.RequestUri!.AbsoluteUri);
        Assert.Equal("application/x-www-form-urlencoded", over.Content!.Headers.ContentType!.MediaType);
        Assert.StartsWith("filterValues=aaa", await over.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_forced_override_sends_even_a_short_get_as_a_form_post_and_leaves_posts_alone()
    {
        using var forced = MarketoCall.Get("rest/v1/leads.json", ("filterType", "email"), ("filterValues", "a@b.example")).ToRequest(Rest, "token", forceOverride: true, out var overridden);
        Assert.True(overridden);
        Assert.Equal(HttpMethod.Post, forced.Method);
        Assert.Equal("filterType=email&filterValues=a%40b.example", await forced.Content!.ReadAsStringAsync());
        Assert.Equal("Bearer token", forced.Headers.Authorization!.ToString());

        using var post = MarketoCall.PostJson("rest/v1/leads.json", "{}"u8.ToArray()).ToRequest(Rest, "token", forceOverride: true, out var postOverridden);
        Assert.False(postOverridden);
        Assert.Equal(HttpMethod.Post, post.Method);
        Assert.Equal("https://123-abc-456.mktorest.com/rest/v1/leads.json", post.RequestUri!.AbsoluteUri);
    }

    [Fact]
    public async Task A_json_body_says_utf_8_json_and_a_get_without_parameters_has_no_question_mark()
    {
        using var post = MarketoCall.PostJson("rest/v1/leads.json", "{\"input\":[]}"u8.ToArray()).ToRequest(Rest, "token", false, out _);
        Assert.Equal("application/json", post.Content!.Headers.ContentType!.MediaType);
        Assert.Equal("utf-8", post.Content.Headers.ContentType.CharSet);
        Assert.Equal("{\"input\":[]}", await post.Content.ReadAsStringAsync());

        using var get = MarketoCall.Get("rest/v1/stats/usage.json", ("skipped", null)).ToRequest(Rest, "token", false, out _);
        Assert.Equal("https://123-abc-456.mktorest.com/rest/v1/stats/usage.json", get.RequestUri!.AbsoluteUri);
        Assert.Null(get.Content);
    }

    [Fact]
    public async Task A_post_with_its_own_body_sends_only_the_parameters_that_have_a_value()
    {
        using var post = MarketoCall.Post("bulk/v1/leads.json", () => new StringContent("email"), ("listId", "1001"), ("partitionName", null), ("lookupField", ""))
            .ToRequest(Rest, "token", forceOverride: true, out var overridden);

        Assert.False(overridden);
        Assert.Equal(HttpMethod.Post, post.Method);
        Assert.Equal("https://123-abc-456.mktorest.com/bulk/v1/leads.json?listId=1001", post.RequestUri!.AbsoluteUri);
        Assert.Equal("email", await post.Content!.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("bulk/v1/leads/export/create.json", true)]
    [InlineData("rest/v1/leads.json", false)]
    [InlineData("rest/v1/bulk/leads.json", false)]
    public void Only_bulk_paths_count_as_bulk(string path, bool bulk) => Assert.Equal(bulk, MarketoCall.Get(path).IsBulk);
}
