using System.Net;
using System.Text.Json;
using MlConnector.Sandbox.BusinessCentral.Webhooks;

namespace MlConnector.Sandbox.Tests.BusinessCentral.Webhooks;

/// <summary>{API root}/subscriptions: handshake, create, read, renew, delete, expiry and the cap (shared/api/business-central.md §5.1, §5.2).</summary>
public sealed class SubscriptionApiTests
{
    [Fact]
    public void Defaults_are_the_documented_values()
    {
        var o = new BcWebhookOptions();
        Assert.Equal(TimeSpan.FromSeconds(30), o.NotificationDelay);
        Assert.Equal(TimeSpan.FromSeconds(5), o.HandshakeTimeout);
        Assert.Equal(TimeSpan.FromDays(3), o.Expiration);
        Assert.Equal(200, o.MaxSubscriptions);
        Assert.Equal(1000, o.CollectionThreshold);
        Assert.Equal(new[] { 1.0, 1, 10, 100, 1000 }, o.RetrySchedule.Select(d => d.TotalMinutes));
        Assert.False(o.ContactsSupported);
        Assert.Equal("POST", o.HandshakeMethod);
    }

    [Fact]
    public async Task Create_runs_the_handshake_first_then_stores_the_subscription_for_three_days()
    {
        await using var bed = await WebhookBed.StartAsync();
        var before = bed.Host.Clock.GetUtcNow();

        var created = await bed.SubscribeAsync(clientState: "opaque-secret");

        var handshake = Assert.Single(bed.Receiver.Handshakes);
        Assert.Equal("POST", handshake.Method);
        Assert.False(string.IsNullOrEmpty(handshake.ValidationToken));
        var id = created.GetProperty("subscriptionId").GetString()!;
        Assert.Matches("^[0-9a-f]{32}$", id);
        Assert.Equal(bed.Receiver.Url.ToString(), created.GetProperty("notificationUrl").GetString());
        Assert.Equal(bed.CustomersResource, created.GetProperty("resource").GetString());
        Assert.Equal("opaque-secret", created.GetProperty("clientState").GetString());
        var expires = created.GetProperty("expirationDateTime").GetDateTimeOffset();
        Assert.InRange(expires, before + TimeSpan.FromDays(3) - TimeSpan.FromMilliseconds(5), bed.Host.Clock.GetUtcNow() + TimeSpan.FromDays(3) + TimeSpan.FromMilliseconds(5));

        var entry = Assert.Single(bed.Webhooks.Journal.Of(WebhookEvent.Handshake));
        Assert.Equal(WebhookOutcome.Succeeded, entry.Outcome);
        Assert.Equal([id], entry.SubscriptionIds);

        var list = await bed.Bc.GetCollectionAsync(bed.Bc.ApiRoot + "subscriptions", "subscriptions");
        Assert.Equal(id, Assert.Single(list.GetProperty("value").EnumerateArray()).GetProperty("subscriptionId").GetString());
        var one = await bed.Bc.GetEntityAsync(bed.SubscriptionUrl(id), "subscriptions");
        Assert.Equal(created.GetProperty("@odata.etag").GetString(), one.GetProperty("@odata.etag").GetString());
    }

    [Theory]
    [InlineData(HandshakeAnswer.WrongToken)]
    [InlineData(HandshakeAnswer.ServerError)]
    [InlineData(HandshakeAnswer.Hang)]
    public async Task A_failed_handshake_stores_nothing(HandshakeAnswer answer)
    {
        await using var bed = await WebhookBed.StartAsync(configure: o => o.HandshakeTimeout = TimeSpan.FromSeconds(1));
        bed.Receiver.Handshake = answer;

        using var response = await bed.PostSubscriptionAsync();

        var message = await BcTestClient.AssertErrorAsync(response, HttpStatusCode.BadRequest, "BadRequest");
        Assert.Contains("validation", message, StringComparison.Ordinal);
        Assert.Empty(bed.Webhooks.Subscriptions);
        Assert.Equal(WebhookOutcome.Failed, Assert.Single(bed.Webhooks.Journal.Of(WebhookEvent.Handshake)).Outcome);
    }

    [Fact]
    public async Task An_unreachable_notification_url_fails_the_handshake()
    {
        await using var bed = await WebhookBed.StartAsync();
        var url = bed.Receiver.Url;
        await bed.Receiver.DisposeAsync();

        using var response = await bed.Bc.SendAsync(HttpMethod.Post, bed.Bc.ApiRoot + "subscriptions", new { notificationUrl = url.ToString(), resource = bed.CustomersResource });

        await BcTestClient.AssertErrorAsync(response, HttpStatusCode.BadRequest, "BadRequest");
        Assert.StartsWith("no answer", Assert.Single(bed.Webhooks.Journal.Of(WebhookEvent.Handshake)).Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Token_matching_is_contains_by_default_and_exact_behind_a_switch()
    {
        await using var bed = await WebhookBed.StartAsync();
        bed.Receiver.Handshake = HandshakeAnswer.EchoWithExtraText;
        await bed.SubscribeAsync();

        bed.Webhooks.Options.HandshakeMatch = HandshakeMatch.Exact;
        using var refused = await bed.PostSubscriptionAsync();
        await BcTestClient.AssertErrorAsync(refused, HttpStatusCode.BadRequest, "BadRequest");
    }

    [Fact]
    public async Task The_handshake_method_and_the_failure_answer_are_switches()
    {
        await using var bed = await WebhookBed.StartAsync(configure: o =>
        {
            o.HandshakeMethod = "GET";
            o.HandshakeFailureStatus = 422;
            o.HandshakeFailureCode = "Application_SubscriptionValidationFailed";
        });
        await bed.SubscribeAsync();
        Assert.Equal("GET", Assert.Single(bed.Receiver.Handshakes).Method);

        bed.Receiver.Handshake = HandshakeAnswer.WrongToken;
        using var refused = await bed.PostSubscriptionAsync();
        await BcTestClient.AssertErrorAsync(refused, HttpStatusCode.UnprocessableEntity, "Application_SubscriptionValidationFailed");
    }

    [Fact]
    public async Task Renewal_needs_if_match_and_a_body_runs_the_handshake_again_and_moves_expiry_three_days_on()
    {
        await using var bed = await WebhookBed.StartAsync();
        var created = await bed.SubscribeAsync();
        bed.Advance(TimeSpan.FromDays(2) + TimeSpan.FromHours(23));

        using (var noIfMatch = await bed.Bc.SendAsync(HttpMethod.Patch, bed.SubscriptionUrl(created.GetProperty("subscriptionId").GetString()!), new { }))
            await BcTestClient.AssertErrorAsync(noIfMatch, HttpStatusCode.BadRequest, "BadRequest_InvalidToken");
        using (var noBody = await bed.Bc.SendAsync(HttpMethod.Patch, bed.SubscriptionUrl(created.GetProperty("subscriptionId").GetString()!),
            headers: h => h.TryAddWithoutValidation("If-Match", created.GetProperty("@odata.etag").GetString())))
            await BcTestClient.AssertErrorAsync(noBody, HttpStatusCode.BadRequest, "BadRequest");
        Assert.Single(bed.Receiver.Handshakes);

        var before = bed.Host.Clock.GetUtcNow();
        using var renewedResponse = await bed.PatchSubscriptionAsync(created);
        var text = await renewedResponse.Content.ReadAsStringAsync();
        Assert.True(renewedResponse.StatusCode == HttpStatusCode.OK, text);
        var renewed = JsonDocument.Parse(text).RootElement;
        Assert.Equal(2, bed.Receiver.Handshakes.Count);
        Assert.NotEqual(created.GetProperty("@odata.etag").GetString(), renewed.GetProperty("@odata.etag").GetString());
        var slack = TimeSpan.FromMilliseconds(5);
        Assert.InRange(renewed.GetProperty("expirationDateTime").GetDateTimeOffset(), before + TimeSpan.FromDays(3) - slack, bed.Host.Clock.GetUtcNow() + TimeSpan.FromDays(3) + slack);
        Assert.Equal("s3cret-state", renewed.GetProperty("clientState").GetString());

        using var stale = await bed.PatchSubscriptionAsync(created);
        await BcTestClient.AssertErrorAsync(stale, HttpStatusCode.Conflict, "Request_EntityChanged");
    }

    [Fact]
    public async Task A_renewal_whose_handshake_fails_keeps_the_old_expiry()
    {
        await using var bed = await WebhookBed.StartAsync();
        var created = await bed.SubscribeAsync();
        bed.Receiver.Handshake = HandshakeAnswer.ServerError;

        using var response = await bed.PatchSubscriptionAsync(created);

        await BcTestClient.AssertErrorAsync(response, HttpStatusCode.BadRequest, "BadRequest");
        var still = Assert.Single(bed.Webhooks.Subscriptions);
        Assert.Equal(created.GetProperty("expirationDateTime").GetDateTimeOffset(), still.ExpirationDateTime);
    }

    [Fact]
    public async Task Past_expiry_the_subscription_is_gone_and_cannot_be_renewed()
    {
        await using var bed = await WebhookBed.StartAsync();
        var created = await bed.SubscribeAsync();
        bed.Advance(TimeSpan.FromDays(3) + TimeSpan.FromSeconds(1));

        var list = await bed.Bc.GetCollectionAsync(bed.Bc.ApiRoot + "subscriptions", "subscriptions");
        Assert.Empty(list.GetProperty("value").EnumerateArray());
        using var renew = await bed.PatchSubscriptionAsync(created);
        await BcTestClient.AssertErrorAsync(renew, HttpStatusCode.NotFound, "Internal_RecordNotFound");
        var removal = Assert.Single(bed.Webhooks.Journal.Of(WebhookEvent.Removal));
        Assert.Equal("expired", removal.Detail);
    }

    [Fact]
    public async Task With_the_switch_an_expired_subscription_lingers_until_the_job_and_a_renewal_revives_it()
    {
        await using var bed = await WebhookBed.StartAsync(configure: o => o.RemoveExpiredAtOnce = false);
        var created = await bed.SubscribeAsync();
        bed.Advance(TimeSpan.FromDays(3) + TimeSpan.FromSeconds(1));

        using (var renew = await bed.PatchSubscriptionAsync(created))
            Assert.Equal(HttpStatusCode.OK, renew.StatusCode);
        Assert.Empty(await bed.Webhooks.DeliverDueAsync());
        Assert.Single(bed.Webhooks.Subscriptions);

        bed.Advance(TimeSpan.FromDays(3) + TimeSpan.FromSeconds(1));
        var list = await bed.Bc.GetCollectionAsync(bed.Bc.ApiRoot + "subscriptions", "subscriptions");
        Assert.Single(list.GetProperty("value").EnumerateArray());
        Assert.Equal(WebhookEvent.Removal, Assert.Single(await bed.Webhooks.DeliverDueAsync()).Event);
        Assert.Empty(bed.Webhooks.Subscriptions);
    }

    [Fact]
    public async Task Delete_needs_if_match_and_answers_204()
    {
        await using var bed = await WebhookBed.StartAsync();
        var created = await bed.SubscribeAsync();
        var url = bed.SubscriptionUrl(created.GetProperty("subscriptionId").GetString()!);

        using (var noIfMatch = await bed.Bc.SendAsync(HttpMethod.Delete, url))
            await BcTestClient.AssertErrorAsync(noIfMatch, HttpStatusCode.BadRequest, "BadRequest_InvalidToken");
        using (var deleted = await bed.Bc.SendAsync(HttpMethod.Delete, url, headers: h => h.TryAddWithoutValidation("If-Match", created.GetProperty("@odata.etag").GetString())))
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        using var gone = await bed.Bc.SendAsync(HttpMethod.Get, url);
        await BcTestClient.AssertErrorAsync(gone, HttpStatusCode.NotFound, "Internal_RecordNotFound");
    }

    [Fact]
    public async Task The_key_must_be_quoted()
    {
        await using var bed = await WebhookBed.StartAsync();
        var id = (await bed.SubscribeAsync()).GetProperty("subscriptionId").GetString();
        using var response = await bed.Bc.SendAsync(HttpMethod.Get, $"{bed.Bc.ApiRoot}subscriptions({id})");
        await BcTestClient.AssertErrorAsync(response, HttpStatusCode.BadRequest, "BadRequest_NotFound");
    }

    [Fact]
    public async Task The_two_hundred_and_first_subscription_is_refused()
    {
        await using var bed = await WebhookBed.StartAsync(customers: 1);
        for (var i = 0; i < 200; i++) await bed.SubscribeAsync();

        using var response = await bed.PostSubscriptionAsync();

        var message = await BcTestClient.AssertErrorAsync(response, HttpStatusCode.BadRequest, "BadRequest");
        Assert.Contains("(200)", message, StringComparison.Ordinal);
        Assert.Equal(200, bed.Webhooks.Subscriptions.Count);
        Assert.Equal(200, bed.Receiver.Handshakes.Count);
    }

    [Theory]
    [InlineData("/api/v2.0/companies({0})/customers")]
    [InlineData("api/v2.0/companies({0})/customers")]
    [InlineData("companies({0})/customers")]
    [InlineData("{1}companies({0})/customers")]
    public async Task Every_documented_resource_form_is_accepted(string form)
    {
        await using var bed = await WebhookBed.StartAsync();
        var resource = string.Format(System.Globalization.CultureInfo.InvariantCulture, form, bed.Host.BusinessCentral.CompanyId, new Uri(bed.Host.HttpBaseUri, bed.Bc.ApiRoot));
        var created = await bed.SubscribeAsync(resource);
        Assert.Equal(resource, created.GetProperty("resource").GetString());
    }

    [Fact]
    public async Task Resources_off_the_webhook_list_or_of_another_company_are_refused()
    {
        await using var bed = await WebhookBed.StartAsync();
        var company = bed.Host.BusinessCentral.CompanyId;

        using (var contacts = await bed.PostSubscriptionAsync($"/api/v2.0/companies({company})/contacts"))
            await BcTestClient.AssertErrorAsync(contacts, HttpStatusCode.BadRequest, "BadRequest");
        using (var information = await bed.PostSubscriptionAsync($"/api/v2.0/companies({company})/contactsInformation"))
            await BcTestClient.AssertErrorAsync(information, HttpStatusCode.BadRequest, "BadRequest");
        using (var other = await bed.PostSubscriptionAsync($"/api/v2.0/companies({Guid.NewGuid()})/customers"))
            await BcTestClient.AssertErrorAsync(other, HttpStatusCode.BadRequest, "Internal_CompanyNotFound");
        using (var single = await bed.PostSubscriptionAsync($"/api/v2.0/companies({company})/customers({Guid.NewGuid()})"))
            await BcTestClient.AssertErrorAsync(single, HttpStatusCode.BadRequest, "BadRequest");
        Assert.Empty(bed.Receiver.Handshakes);

        bed.Webhooks.Options.ContactsSupported = true;
        await bed.SubscribeAsync($"/api/v2.0/companies({company})/contacts");
    }

    [Fact]
    public async Task Unknown_properties_and_long_client_states_are_refused()
    {
        await using var bed = await WebhookBed.StartAsync();
        using (var unknown = await bed.Bc.SendAsync(HttpMethod.Post, bed.Bc.ApiRoot + "subscriptions",
            new { notificationUrl = bed.Receiver.Url.ToString(), resource = bed.CustomersResource, changeType = "updated" }))
            await BcTestClient.AssertErrorAsync(unknown, HttpStatusCode.BadRequest, "BadRequest");
        using (var longState = await bed.PostSubscriptionAsync(clientState: new string('x', 2049)))
            await BcTestClient.AssertErrorAsync(longState, HttpStatusCode.BadRequest, "Application_StringExceededLength");
        await bed.SubscribeAsync(clientState: new string('x', 2048));
    }
}
