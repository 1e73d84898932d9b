using System.Text;
using System.Text.Json;
using MlConnector.Engine.Notifications;
using MlConnector.Engine.Security;

namespace MlConnector.Engine.Tests.Notifications;

/// <summary>The handler alone: handshake answers, what a batch yields, and every rejection.</summary>
public sealed class NotificationHandlerTests
{
    private static readonly Guid CompanyId = Guid.Parse("6f1c2d3e-4b5a-4e8f-9c7d-1a2b3c4d5e6f");
    private const string Customers = "customersSub";
    private const string State = "the-right-state";
    private readonly NotificationHandler _handler = new(new KnownSubscriptionSet([
        new KnownSubscription(Customers, CompanyId, "customers", new SecretText(State)),
        new KnownSubscription("contactsSub", CompanyId, "contacts", new SecretText("contacts-state")),
    ]));

    private static string Resource(Guid id, string set = "customers", string prefix = "api/v2.0/") => $"{prefix}companies({CompanyId})/{set}({id})";

    private static object Item(string resource, string changeType = "updated", string subscriptionId = Customers, string clientState = State, string at = "2026-03-01T10:00:00.123Z")
        => new { subscriptionId, clientState, expirationDateTime = "2026-03-04T10:00:00Z", resource, changeType, lastModifiedDateTime = at };

    private Task<NotificationResult> PostAsync(params object[] items) => PostRawAsync(JsonSerializer.Serialize(new { value = items }));

    private Task<NotificationResult> PostRawAsync(string body, string method = "POST")
        => _handler.HandleAsync(NotificationRequest.FromText(method, null, [new("Content-Type", "application/json")], body), default);

    private static void AssertNothingEnqueued(NotificationResult result)
    {
        Assert.Empty(result.Changes);
        Assert.Empty(result.Deletions);
        Assert.Empty(result.Collections);
    }

    [Theory]
    [InlineData("GET")]
    [InlineData("POST")]
    public async Task The_handshake_echoes_the_token_as_plain_text(string method)
    {
        var result = await _handler.HandleAsync(NotificationRequest.FromText(method, "?validationToken=4b6c0a5e-2f5e-4a57-9d1e-0c2a7c55e0a1", null, null), default);

        Assert.Equal(NotificationResultKind.ValidationHandshake, result.Kind);
        Assert.Equal(200, result.StatusCode);
        Assert.Equal("4b6c0a5e-2f5e-4a57-9d1e-0c2a7c55e0a1", result.ResponseBody);
        Assert.Equal("text/plain; charset=utf-8", result.ContentType);
        Assert.Equal("nosniff", result.ResponseHeaders["X-Content-Type-Options"]);
        AssertNothingEnqueued(result);
    }

    [Fact]
    public async Task A_url_encoded_token_is_echoed_decoded_and_verbatim()
    {
        var token = "a+b c&d=<e>";
        var result = await _handler.HandleAsync(NotificationRequest.FromText("POST", "validationToken=" + Uri.EscapeDataString(token), null, null), default);
        Assert.Equal(token, result.ResponseBody);
        Assert.Equal("text/plain; charset=utf-8", result.ContentType);
    }

    [Fact]
    public async Task A_hostile_10_KB_token_with_markup_is_refused_and_not_echoed()
    {
        var hostile = string.Concat(Enumerable.Repeat("<script>alert(document.cookie)</script>", 10 * 1024 / 39 + 1));
        var result = await _handler.HandleAsync(new NotificationRequest("GET", [new("validationToken", hostile)], null, null), default);

        Assert.Equal(NotificationResultKind.Rejected, result.Kind);
        Assert.Equal(400, result.StatusCode);
        Assert.Equal("", result.ResponseBody);
        var rejection = Assert.Single(result.Rejected);
        Assert.Equal(NotificationRejection.InvalidValidationToken, rejection.Reason);
        Assert.DoesNotContain("<script>", rejection.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("line\r\nSet-Cookie: x=1")]
    [InlineData("tab\there")]
    public async Task Empty_tokens_and_tokens_with_control_characters_are_refused(string token)
    {
        var result = await _handler.HandleAsync(new NotificationRequest("POST", [new("validationToken", token)], null, null), default);
        Assert.Equal((400, NotificationRejection.InvalidValidationToken), (result.StatusCode, Assert.Single(result.Rejected).Reason));
    }

    [Fact]
    public async Task A_token_at_the_length_bound_is_answered_and_one_over_is_not()
    {
        var atBound = new string('t', NotificationHandler.MaxValidationTokenLength);
        Assert.Equal(200, (await _handler.HandleAsync(new NotificationRequest("GET", [new("validationToken", atBound)], null, null), default)).StatusCode);
        Assert.Equal(400, (await _handler.HandleAsync(new NotificationRequest("GET", [new("validationToken", atBound + "t")], null, null), default)).StatusCode);
    }

    [Theory]
    [InlineData("PUT", "?validationToken=abc")]
    [InlineData("GET", "")]
    [InlineData("DELETE", "")]
    public async Task Other_methods_are_refused(string method, string query)
    {
        var result = await _handler.HandleAsync(NotificationRequest.FromText(method, query, null, null), default);
        Assert.Equal((405, NotificationRejection.MethodNotAllowed), (result.StatusCode, Assert.Single(result.Rejected).Reason));
        Assert.Contains("POST", result.ResponseHeaders["Allow"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_batch_yields_one_item_per_changed_entity_plus_deletions_and_collections()
    {
        var (a, b, c) = (Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid());
        var result = await PostAsync(
            Item(Resource(a), "created", at: "2026-03-01T10:00:00.100Z"),
            Item(Resource(a, prefix: "/api/v2.0/"), "updated", at: "2026-03-01T10:00:05.000Z"),
            Item(Resource(b, prefix: "https://api.businesscentral.dynamics.com/v2.0/tenant/Production/api/v2.0/"), "updated"),
            Item(Resource(c, prefix: ""), "deleted"),
            Item($"/api/v2.0/companies({CompanyId})/customers?$filter=lastModifiedDateTime%20gt%202026-03-01T09:59:59.950Z", "collection"));

        Assert.Equal(NotificationResultKind.Notifications, result.Kind);
        Assert.Equal(200, result.StatusCode);
        Assert.Equal(5, result.Received);
        Assert.Empty(result.Rejected);
        Assert.Equal([(a, NotificationChangeType.Updated), (b, NotificationChangeType.Updated)], result.Changes.Select(x => (x.EntityId, x.ChangeType)));
        Assert.All(result.Changes, x => Assert.Equal((CompanyId, "customers", Customers), (x.CompanyId, x.EntitySet, x.SubscriptionId)));
        Assert.Equal(DateTimeOffset.Parse("2026-03-01T10:00:05Z", System.Globalization.CultureInfo.InvariantCulture), result.Changes[0].LastModifiedDateTime);
        Assert.Equal(c, Assert.Single(result.Deletions).EntityId);
        var collection = Assert.Single(result.Collections);
        Assert.Equal(new DateTimeOffset(2026, 3, 1, 9, 59, 59, 950, TimeSpan.Zero), collection.ModifiedAfter);
        Assert.Equal("customers", collection.EntitySet);
    }

    [Fact]
    public async Task An_unfiltered_collection_means_re_read_everything()
    {
        var result = await PostAsync(Item($"api/v2.0/companies({CompanyId})/customers", "collection"));
        Assert.Null(Assert.Single(result.Collections).ModifiedAfter);
    }

    [Fact]
    public async Task A_deletion_after_an_update_of_the_same_entity_wins()
    {
        var id = Guid.NewGuid();
        var result = await PostAsync(Item(Resource(id), "updated", at: "2026-03-01T10:00:00Z"), Item(Resource(id), "deleted", at: "2026-03-01T10:00:01Z"));
        Assert.Empty(result.Changes);
        Assert.Equal(id, Assert.Single(result.Deletions).EntityId);
    }

    [Fact]
    public async Task A_wrong_client_state_is_rejected_and_nothing_is_enqueued()
    {
        var result = await PostAsync(Item(Resource(Guid.NewGuid()), clientState: "the-wrong-state"), Item(Resource(Guid.NewGuid()), clientState: State + "x"),
            Item(Resource(Guid.NewGuid()), clientState: ""));

        Assert.Equal(200, result.StatusCode);
        AssertNothingEnqueued(result);
        Assert.Equal(3, result.Rejected.Count);
        Assert.All(result.Rejected, r =>
        {
            Assert.Equal(NotificationRejection.WrongClientState, r.Reason);
            Assert.Equal(Customers, r.SubscriptionId);
            Assert.DoesNotContain("the-wrong-state", r.Message, StringComparison.Ordinal);
            Assert.DoesNotContain(State, r.Message, StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task Another_subscriptions_client_state_does_not_pass()
    {
        var result = await PostAsync(Item(Resource(Guid.NewGuid()), clientState: "contacts-state"));
        Assert.Equal(NotificationRejection.WrongClientState, Assert.Single(result.Rejected).Reason);
        AssertNothingEnqueued(result);
    }

    [Fact]
    public async Task An_unknown_subscription_is_rejected_and_nothing_is_enqueued()
    {
        var longId = new string('z', 500);
        var result = await PostAsync(Item(Resource(Guid.NewGuid()), subscriptionId: "someone-elses"), Item(Resource(Guid.NewGuid()), subscriptionId: longId));

        AssertNothingEnqueued(result);
        Assert.All(result.Rejected, r => Assert.Equal(NotificationRejection.UnknownSubscription, r.Reason));
        Assert.Equal("someone-elses", result.Rejected[0].SubscriptionId);
        Assert.Equal(150, result.Rejected[1].SubscriptionId!.Length);
    }

    [Fact]
    public async Task In_a_mixed_batch_only_the_authentic_notifications_are_enqueued()
    {
        var good = Guid.NewGuid();
        var result = await PostAsync(Item(Resource(good)), Item(Resource(Guid.NewGuid()), clientState: "forged"), Item(Resource(Guid.NewGuid()), subscriptionId: "forged"));
        Assert.Equal(good, Assert.Single(result.Changes).EntityId);
        Assert.Equal([NotificationRejection.WrongClientState, NotificationRejection.UnknownSubscription], result.Rejected.Select(r => r.Reason));
    }

    [Fact]
    public async Task A_notification_about_another_company_or_entity_set_than_its_subscription_watches_is_rejected()
    {
        var otherCompany = $"api/v2.0/companies({Guid.NewGuid()})/customers({Guid.NewGuid()})";
        var result = await PostAsync(Item(otherCompany), Item(Resource(Guid.NewGuid(), "vendors")));
        AssertNothingEnqueued(result);
        Assert.All(result.Rejected, r => Assert.Equal(NotificationRejection.ResourceMismatch, r.Reason));
    }

    [Theory]
    [InlineData("{\"value\":[{\"subscriptionId\":\"customersSub\"")]
    [InlineData("not json at all")]
    [InlineData("")]
    [InlineData("[{\"subscriptionId\":\"customersSub\"}]")]
    [InlineData("{\"value\":{}}")]
    [InlineData("{\"value\":[] /* comment */}")]
    public async Task Malformed_json_is_refused_with_400_and_nothing_enqueued(string body)
    {
        var result = await PostRawAsync(body);
        Assert.Equal((NotificationResultKind.Rejected, 400), (result.Kind, result.StatusCode));
        Assert.Equal(NotificationRejection.MalformedJson, Assert.Single(result.Rejected).Reason);
        AssertNothingEnqueued(result);
    }

    [Fact]
    public async Task Malformed_notifications_inside_a_valid_batch_are_rejected_one_by_one()
    {
        var result = await PostRawAsync($$"""
            {"value":[
              "a string",
              {"clientState":"{{State}}","resource":"{{Resource(Guid.NewGuid())}}","changeType":"updated"},
              {"subscriptionId":"{{Customers}}","clientState":"{{State}}","resource":"{{Resource(Guid.NewGuid())}}","changeType":"renamed"},
              {"subscriptionId":"{{Customers}}","clientState":"{{State}}","resource":"not a resource","changeType":"updated"},
              {"subscriptionId":"{{Customers}}","clientState":"{{State}}","resource":"api/v2.0/companies({{CompanyId}})/customers('C00010')","changeType":"updated"},
              {"subscriptionId":"{{Customers}}","clientState":"{{State}}","resource":"{{Resource(Guid.NewGuid())}}","changeType":"collection"}
            ]}
            """);
        Assert.Equal(200, result.StatusCode);
        Assert.Equal(6, result.Received);
        AssertNothingEnqueued(result);
        Assert.Equal([0, 1, 2, 3, 4, 5], result.Rejected.Select(r => r.Index!.Value));
        Assert.All(result.Rejected, r => Assert.Equal(NotificationRejection.MalformedNotification, r.Reason));
    }

    [Fact]
    public async Task A_body_over_1_MB_is_refused_with_413_and_nothing_enqueued()
    {
        var padding = new string(' ', NotificationHandler.MaxBodyBytes);
        var result = await PostRawAsync("{\"value\":[" + JsonSerializer.Serialize(Item(Resource(Guid.NewGuid()))) + "]" + padding + "}");
        Assert.Equal((NotificationResultKind.Rejected, 413), (result.Kind, result.StatusCode));
        Assert.Equal(NotificationRejection.BodyTooLarge, Assert.Single(result.Rejected).Reason);
        AssertNothingEnqueued(result);
    }

    [Fact]
    public async Task A_body_of_exactly_1_MB_is_read()
    {
        var json = "{\"value\":[" + JsonSerializer.Serialize(Item(Resource(Guid.NewGuid()))) + "]}";
        var body = json[..^1] + new string(' ', NotificationHandler.MaxBodyBytes - Encoding.UTF8.GetByteCount(json)) + "}";
        Assert.Equal(NotificationHandler.MaxBodyBytes, Encoding.UTF8.GetByteCount(body));
        Assert.Single((await PostRawAsync(body)).Changes);
    }

    [Fact]
    public async Task A_declared_oversized_body_is_refused_without_reading_it()
    {
        var result = await _handler.HandleAsync(new NotificationRequest("POST", null, [new("Content-Length", "5000000")], new UnreadableStream()), default);
        Assert.Equal(413, result.StatusCode);
    }

    [Fact]
    public void Resource_paths_are_read_in_every_form_business_central_uses()
    {
        var id = Guid.NewGuid();
        foreach (var prefix in new[] { "", "/", "api/v2.0/", "/api/v2.0/", "https://api.businesscentral.dynamics.com/v2.0/t/Production/api/v2.0/" })
        {
            var path = BcResourcePath.Parse($"{prefix}companies({CompanyId})/customers({id})")!;
            Assert.Equal((CompanyId, "customers", (Guid?)id), (path.CompanyId, path.EntitySet, path.EntityId));
        }
        Assert.Equal("C'1", BcResourcePath.Parse($"companies({CompanyId})/items('C''1')")!.EntityKey);
        Assert.Null(BcResourcePath.Parse($"companies({CompanyId})/items('C''1')")!.EntityId);
        Assert.Null(BcResourcePath.Parse("customers(1)"));
        Assert.Null(BcResourcePath.Parse($"companies(not-a-guid)/customers"));
        Assert.Null(BcResourcePath.Parse($"companies({CompanyId})/customers({id})/contacts"));
        Assert.Null(BcResourcePath.Parse($"ftp://host/companies({CompanyId})/customers"));
        var filtered = BcResourcePath.Parse($"companies({CompanyId})/customers?$filter=lastModifiedDateTime gt 2026-01-02T03:04:05Z")!;
        Assert.Equal(new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero), filtered.ModifiedAfter);
        Assert.Null(BcResourcePath.Parse($"companies({CompanyId})/customers?$filter=number eq '1'")!.ModifiedAfter);
    }

    private sealed class UnreadableStream : MemoryStream
    {
        public override int Read(byte[] buffer, int offset, int count) => throw new InvalidOperationException("The body must not be read.");

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => throw new InvalidOperationException("The body must not be read.");
    }
}
