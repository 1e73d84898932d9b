using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace MlConnector.Engine.Tests.Notifications;

/// <summary>
/// What the self-hosted endpoint refuses, over real HTTP: forged or stale notifications (answered 200, so Business
/// Central keeps the real subscriptions; rejected and audited), requests Business Central never sends (400, 413), and
/// validation tokens that are not Business Central's. Nothing is ever queued for any of them.
/// </summary>
public sealed class NotificationRejectionTests : IAsyncLifetime
{
    private NotifyBed _bed = null!;
    private readonly HttpClient _http = new();

    public async Task InitializeAsync() => _bed = await NotifyBed.StartAsync(withWorker: false, initialSync: false);

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _bed.DisposeAsync();
    }

    private string SubscriptionId => Assert.Single(_bed.Subscriptions.Stored).SubscriptionId;

    private string Batch(string subscriptionId, string clientState, Guid? company = null) => JsonSerializer.Serialize(new
    {
        value = new[]
        {
            new
            {
                subscriptionId, clientState, expirationDateTime = "2030-01-01T00:00:00Z",
                resource = $"/api/v2.0/companies({company ?? _bed.Sync.BusinessCentral.Company.Id})/customers({_bed.Sync.Host.BusinessCentral.Store.Customers[0].Id})",
                changeType = "updated", lastModifiedDateTime = "2030-01-01T00:00:00.000Z",
            },
        },
    });

    private async Task<HttpResponseMessage> PostAsync(string body)
        => await _http.PostAsync(_bed.Url, new StringContent(body, Encoding.UTF8, "application/json"));

    private IReadOnlyList<string> AuditLines()
    {
        var file = _bed.Sync.Audit.PathFor(_bed.Sync.Host.Clock.GetUtcNow());
        return File.Exists(file) ? File.ReadAllLines(file) : [];
    }

    private void AssertNothingQueued()
    {
        Assert.Empty(_bed.NotifiedJobs());
        Assert.Equal(0, _bed.Listener.Counts.Enqueued);
    }

    [Fact]
    public async Task A_notification_with_the_wrong_client_state_is_answered_200_rejected_and_audited()
    {
        using var response = await PostAsync(Batch(SubscriptionId, "guessed-client-state"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("", await response.Content.ReadAsStringAsync());
        AssertNothingQueued();
        var line = Assert.Single(AuditLines(), l => l.Contains("WrongClientState", StringComparison.Ordinal));
        Assert.Contains(_bed.Sync.Pair.PairId, line, StringComparison.Ordinal);
        Assert.DoesNotContain("guessed-client-state", line, StringComparison.Ordinal);
        Assert.DoesNotContain(_bed.ClientState.Reveal(), string.Join("\n", AuditLines()), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_notification_for_an_unknown_subscription_is_rejected_and_audited()
    {
        using var response = await PostAsync(Batch("0123456789abcdef0123456789abcdef", _bed.ClientState.Reveal()));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        AssertNothingQueued();
        Assert.Single(AuditLines(), l => l.Contains("UnknownSubscription", StringComparison.Ordinal) && l.Contains("0123456789abcdef0123456789abcdef", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_notification_about_another_company_on_this_subscription_is_rejected()
    {
        using var response = await PostAsync(Batch(SubscriptionId, _bed.ClientState.Reveal(), company: Guid.NewGuid()));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        AssertNothingQueued();
        Assert.Single(AuditLines(), l => l.Contains("ResourceMismatch", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("{\"value\":[")]
    [InlineData("{\"value\":[], /* comment */ }")]
    [InlineData("[1,2,3]")]
    [InlineData("not json at all")]
    public async Task Malformed_json_is_answered_400_and_nothing_is_queued(string body)
    {
        using var response = await PostAsync(body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        AssertNothingQueued();
        Assert.Single(AuditLines(), l => l.Contains("MalformedJson", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_body_over_one_megabyte_is_answered_413_whether_declared_or_streamed(bool declared)
    {
        var valid = Batch(SubscriptionId, _bed.ClientState.Reveal());
        var padded = valid[..^1] + ",\"padding\":\"" + new string('x', 1024 * 1024) + "\"}";
        HttpContent content = declared
            ? new StringContent(padded, Encoding.UTF8, "application/json")
            : new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(padded)));
        if (!declared) content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, _bed.Url) { Content = content };
        if (!declared) request.Headers.TransferEncodingChunked = true;

        using var response = await _http.SendAsync(request);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        AssertNothingQueued();
        Assert.Single(AuditLines(), l => l.Contains("BodyTooLarge", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_hostile_validation_token_of_10_kb_markup_is_refused_without_being_echoed()
    {
        var token = string.Concat(Enumerable.Repeat("<script>alert('x')</script>", 400));
        Assert.True(token.Length > 10_000);

        using var response = await _http.PostAsync(_bed.Url + "?validationToken=" + Uri.EscapeDataString(token), new ByteArrayContent([]));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain("<script>", body, StringComparison.Ordinal);
        Assert.Equal("", body);
        AssertNothingQueued();
    }

    [Fact]
    public async Task A_short_markup_token_goes_back_verbatim_as_plain_text_that_is_never_sniffed()
    {
        const string token = "<img src=x onerror=alert(1)>";

        using var response = await _http.PostAsync(_bed.Url + "?validationToken=" + Uri.EscapeDataString(token), new ByteArrayContent([]));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(token, await response.Content.ReadAsStringAsync());
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        AssertNothingQueued();
    }

    [Fact]
    public async Task Concurrent_forged_and_genuine_posts_are_all_answered_and_only_the_genuine_ones_queued()
    {
        var customers = _bed.Sync.Host.BusinessCentral.Store.Customers.Take(20).ToArray();
        string Genuine(Guid id) => JsonSerializer.Serialize(new
        {
            value = new[] { new { subscriptionId = SubscriptionId, clientState = _bed.ClientState.Reveal(), resource = $"/api/v2.0/companies({_bed.Sync.BusinessCentral.Company.Id})/customers({id})", changeType = "updated" } },
        });
        var posts = customers.Select(c => PostAsync(Genuine(c.Id)))
            .Concat(Enumerable.Range(0, 20).Select(i => PostAsync(Batch(Guid.NewGuid().ToString("N"), "forged-" + i))));

        var answers = await Task.WhenAll(posts);

        Assert.All(answers, a => Assert.Equal(HttpStatusCode.OK, a.StatusCode));
        foreach (var answer in answers) answer.Dispose();
        Assert.Equal(customers.Select(c => MlConnector.Engine.Notifications.NotifiedJobs.JobId("customers", c.Id)).Order(), _bed.NotifiedJobs().Select(j => j.JobId).Order());
        Assert.Equal(20, AuditLines().Count(l => l.Contains("UnknownSubscription", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_genuine_notification_from_business_central_is_queued_for_the_pair()
    {
        var customer = _bed.Sync.Host.BusinessCentral.Store.Customers[0];
        _bed.Sync.Host.BusinessCentral.ModifyCustomerInUi(customer.Id, c => c.City = "Genuine");
        await _bed.DeliverAsync();

        Assert.Equal(MlConnector.Engine.Notifications.NotifiedJobs.JobId("customers", customer.Id), Assert.Single(_bed.NotifiedJobs()).JobId);
        Assert.DoesNotContain(AuditLines(), l => l.Contains("Rejected", StringComparison.Ordinal));
    }
}
