using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace MlConnector.Sandbox.Tests.BusinessCentral.Webhooks;

/// <summary>/admin/bc/webhooks: what the standalone sandbox offers to drive the notification job from outside.</summary>
public sealed class WebhookAdminTests
{
    [Fact]
    public async Task Settings_clock_advance_and_deliver_drive_the_job_and_the_state_hides_client_states()
    {
        await using var bed = await WebhookBed.StartAsync();
        using (var settings = await bed.Http.PostAsJsonAsync("admin/bc/webhooks/settings", new { notificationDelaySeconds = 10, contactsSupported = true, handshakeMatch = "Exact" }))
            Assert.Equal(HttpStatusCode.OK, settings.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(10), bed.Webhooks.Options.NotificationDelay);
        Assert.Equal(MlConnector.Sandbox.BusinessCentral.Webhooks.HandshakeMatch.Exact, bed.Webhooks.Options.HandshakeMatch);
        await bed.SubscribeAsync(clientState: "never-shown-by-admin");
        using (var modified = await bed.Http.PostAsJsonAsync($"admin/bc/customers/{bed.Host.BusinessCentral.Store.Customers[0].Id}/modify", new { city = "Admin" }))
            Assert.Equal(HttpStatusCode.OK, modified.StatusCode);

        var state = await bed.Http.GetStringAsync("admin/bc/webhooks");
        Assert.DoesNotContain("never-shown-by-admin", state, StringComparison.Ordinal);
        var json = JsonDocument.Parse(state).RootElement;
        Assert.Equal(1, json.GetProperty("pendingNotifications").GetInt32());
        Assert.Single(json.GetProperty("subscriptions").EnumerateArray());

        using (var early = await bed.Http.PostAsync("admin/bc/webhooks/deliver", null))
            Assert.Equal("[]", await early.Content.ReadAsStringAsync());
        using (var advance = await bed.Http.PostAsJsonAsync("admin/clock/advance", new { seconds = 10 })) Assert.Equal(HttpStatusCode.OK, advance.StatusCode);
        using var deliver = await bed.Http.PostAsync("admin/bc/webhooks/deliver", null);
        var entry = Assert.Single(JsonDocument.Parse(await deliver.Content.ReadAsStringAsync()).RootElement.EnumerateArray());
        Assert.Equal(200, entry.GetProperty("status").GetInt32());
        Assert.Equal("Delivery", entry.GetProperty("event").GetString());
        Assert.Equal("Succeeded", entry.GetProperty("outcome").GetString());
        Assert.Single(bed.Receiver.Notifications);

        var journal = JsonDocument.Parse(await bed.Http.GetStringAsync("admin/bc/webhooks/journal")).RootElement.EnumerateArray().ToArray();
        Assert.Equal(2, journal.Length);
    }
}
