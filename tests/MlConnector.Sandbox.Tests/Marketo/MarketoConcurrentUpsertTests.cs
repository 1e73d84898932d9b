using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace MlConnector.Sandbox.Tests.Marketo;

/// <summary>
/// Adobe: concurrent or closely timed upserts of the same new lead can create duplicates (leads.md). Two calls are made
/// to overlap without timing: the first one's body is held back until the second has been answered.
/// </summary>
public sealed class MarketoConcurrentUpsertTests
{
    /// <summary>A JSON body that sends its first byte at once and the rest only when released.</summary>
    private sealed class HeldBody(string json, Task release) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            var bytes = Encoding.UTF8.GetBytes(json);
            await stream.WriteAsync(bytes.AsMemory(0, 1));
            await stream.FlushAsync();
            await release;
            await stream.WriteAsync(bytes.AsMemory(1));
        }

        protected override bool TryComputeLength(out long length)
        {
            length = Encoding.UTF8.GetByteCount(json);
            return true;
        }
    }

    private static async Task<(JsonObject First, JsonObject Second)> OverlappingUpsertsAsync(MarketoSandbox sandbox, string email)
    {
        var token = await sandbox.Api.AuthenticateAsync();
        var release = new TaskCompletionSource();
        var body = $$"""{"action":"createOrUpdate","lookupField":"email","input":[{"email":"{{email}}","firstName":"First"}]}""";
        using var held = new HttpRequestMessage(HttpMethod.Post, "rest/v1/leads.json") { Content = new HeldBody(body, release.Task) };
        held.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        held.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var events = sandbox.Host.Marketo.Writes.Events;
        var firstTask = sandbox.Http.SendAsync(held);
        // The held call is in flight once the gate has taken its place in the event order (a journal-free, clock-free signal).
        await WaitUntilAsync(() => sandbox.Host.Marketo.Writes.Events > events, TimeSpan.FromSeconds(30));
        var second = await sandbox.Api.PostAsync("rest/v1/leads.json", new { action = "createOrUpdate", lookupField = "email", input = new[] { new { email, firstName = "Second" } } });
        release.SetResult();
        using var first = await firstTask;
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        return (JsonNode.Parse(await first.Content.ReadAsStringAsync())!.AsObject(), second.Body);
    }

    private static async Task WaitUntilAsync(Func<bool> condition, TimeSpan limit)
    {
        var until = DateTime.UtcNow + limit;
        while (!condition())
        {
            if (DateTime.UtcNow > until) throw new TimeoutException("condition not met");
            await Task.Delay(10);
        }
    }

    [Fact]
    public async Task With_the_switch_two_overlapping_upserts_of_a_new_email_both_create_it()
    {
        var sandbox = await MarketoFixture.StartPrivateAsync(o => o.ConcurrentUpsertDuplicates = true);
        try
        {
            var email = $"race.{Guid.NewGuid():N}@example.com";
            var (first, second) = await OverlappingUpsertsAsync(sandbox, email);
            Assert.Equal("created", second["result"]![0]!["status"]!.GetValue<string>());
            Assert.Equal("created", first["result"]![0]!["status"]!.GetValue<string>());
            Assert.Equal(2, sandbox.Host.Marketo.LeadsByEmail(email).Count);
            var calls = sandbox.Host.Marketo.Writes.Snapshot();
            Assert.Equal(2, calls.Count);
            Assert.True(calls[0].Overlaps(calls[1]));
            Assert.All(calls, c => Assert.Equal(new[] { email }, c.Keys));

            // Later updates by that email now hit two leads: 1007.
            var update = await sandbox.Api.PostAsync("rest/v1/leads.json", new { action = "updateOnly", input = new[] { new { email, firstName = "Third" } } });
            Assert.Equal("1007", update.ReasonCode(0));
        }
        finally { await sandbox.StopAsync(); }
    }

    [Fact]
    public async Task Without_the_switch_the_later_call_updates_the_lead_the_earlier_one_created()
    {
        var sandbox = await MarketoFixture.StartPrivateAsync();
        try
        {
            var email = $"serial.{Guid.NewGuid():N}@example.com";
            var (first, second) = await OverlappingUpsertsAsync(sandbox, email);
            Assert.Equal("created", second["result"]![0]!["status"]!.GetValue<string>());
            Assert.Equal("updated", first["result"]![0]!["status"]!.GetValue<string>());
            Assert.Single(sandbox.Host.Marketo.LeadsByEmail(email));
        }
        finally { await sandbox.StopAsync(); }
    }
}
