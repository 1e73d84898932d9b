using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MlConnector.Sandbox.Core;
using MlConnector.Sandbox.Tests.BusinessCentral;
using MlConnector.Sandbox.Tests.Marketo;

namespace MlConnector.Sandbox.Tests.Core;

/// <summary>
/// The crash-test faults: a write applied whose answer is lost (connection reset), and a write held until the test
/// releases it, before or after it is applied. The journal says when each write was received, applied, released,
/// answered or dropped. Each test owns its sandbox.
/// </summary>
public sealed class WriteFaultTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private static string Email(string tag) => $"{tag}.{Guid.NewGuid():N}@example.com";

    private static object LeadBody(string email) => new { input = new[] { new { email, firstName = "Held" } } };

    private static bool LeadExists(MarketoSandbox sandbox, string email)
        => sandbox.Host.Marketo.Leads().Any(l => string.Equals(l.Fields.GetValueOrDefault("email"), email, StringComparison.OrdinalIgnoreCase));

    /// <summary>The lead write, once journaled (a dropped request is journaled just after the client saw the reset).</summary>
    private static Task<JournalEntry> LeadWriteAsync(MarketoSandbox sandbox)
        => sandbox.Host.Journal.WaitForAsync(e => e.Service == SandboxService.Marketo && e.Method == "POST" && e.Path.StartsWith("/rest/v1/leads.json", StringComparison.Ordinal), Patience);

    /// <summary>Adds a once-only hold on lead writes, starts a write and returns once the sandbox holds it.</summary>
    private static async Task<(FaultRule Rule, Task<MarketoReply> Write, HeldRequest Held)> HoldLeadWriteAsync(MarketoSandbox sandbox, HoldPoint point, string email, int? times = 1)
    {
        var rule = sandbox.Host.Faults.Add(new FaultRule { Service = SandboxService.Marketo, PathContains = "/rest/v1/leads.json", Method = "POST", Hold = point, Times = times });
        await sandbox.Api.AuthenticateAsync();
        var write = sandbox.Api.PostAsync("rest/v1/leads.json", LeadBody(email));
        return (rule, write, await sandbox.Host.Faults.Held.WaitForAsync(rule.Id, Patience));
    }

    [Fact]
    public async Task Reset_after_apply_creates_the_lead_and_the_client_gets_no_answer()
    {
        var sandbox = await MarketoFixture.StartPrivateAsync();
        try
        {
            var email = Email("dropped");
            sandbox.Host.Faults.Add(new FaultRule { Service = SandboxService.Marketo, PathContains = "/rest/v1/leads.json", Method = "POST", ResetAfterApply = true, Times = 1 });

            await Assert.ThrowsAsync<HttpRequestException>(() => sandbox.Api.PostAsync("rest/v1/leads.json", LeadBody(email)));

            Assert.True(LeadExists(sandbox, email), "the write must have been applied before the connection was dropped");
            var entry = await LeadWriteAsync(sandbox);
            Assert.True(entry.Dropped);
            Assert.Null(entry.Answered);
            Assert.NotNull(entry.Applied);
            Assert.InRange(entry.Applied!.Value, entry.Started, entry.Completed);
            Assert.Equal(1, entry.RecordCount);

            // The same write again finds the lead the lost answer had created.
            var again = await sandbox.Api.PostAsync("rest/v1/leads.json", LeadBody(email));
            Assert.Equal("updated", again.Status0);
        }
        finally { await sandbox.StopAsync(); }
    }

    [Fact]
    public async Task Reset_after_apply_creates_the_BC_customer_and_the_client_gets_no_answer()
    {
        var (host, http) = await SandboxFixture.StartAsync(new SandboxOptions { Customers = 2 });
        await using var _ = host;
        using var __ = http;
        var bc = new BcTestClient(host, http);
        await bc.TokenAsync();
        host.Faults.Add(new FaultRule { Service = SandboxService.BusinessCentral, PathContains = "/customers", Method = "POST", ResetAfterApply = true, Times = 1 });

        await Assert.ThrowsAsync<HttpRequestException>(() => bc.SendAsync(HttpMethod.Post, bc.Company + "customers", new { displayName = "Lost Answer Ltd" }));

        Assert.Contains(host.BusinessCentral.Store.Customers, c => c.DisplayName == "Lost Answer Ltd");
        var entry = await host.Journal.WaitForAsync(e => e.Service == SandboxService.BusinessCentral && e.Method == "POST", Patience);
        Assert.True(entry.Dropped);
        Assert.NotNull(entry.Applied);
        Assert.Null(entry.Answered);
    }

    [Fact]
    public async Task Hold_before_apply_applies_the_write_only_after_the_release()
    {
        var sandbox = await MarketoFixture.StartPrivateAsync();
        try
        {
            var email = Email("held-before");
            var (rule, write, held) = await HoldLeadWriteAsync(sandbox, HoldPoint.BeforeApply, email);

            Assert.Equal(HoldPoint.BeforeApply, held.Point);
            Assert.False(write.IsCompleted);
            Assert.False(LeadExists(sandbox, email), "a write held before it is applied must not be visible yet");
            Assert.Equal(1, sandbox.Host.Faults.Held.Release(rule.Id));

            var reply = await write;
            Assert.Equal("created", reply.Status0);
            Assert.True(LeadExists(sandbox, email));
            var entry = await LeadWriteAsync(sandbox);
            Assert.Equal(held.Sequence, entry.Sequence);
            Assert.False(entry.Dropped);
            Assert.True(entry.Started <= entry.Released && entry.Released <= entry.Applied && entry.Applied <= entry.Answered,
                $"received {entry.Started:O}, released {entry.Released:O}, applied {entry.Applied:O}, answered {entry.Answered:O}");
            Assert.Empty(sandbox.Host.Faults.Held.Snapshot());
        }
        finally { await sandbox.StopAsync(); }
    }

    [Fact]
    public async Task Hold_before_answer_applies_the_write_and_answers_only_after_the_release()
    {
        var sandbox = await MarketoFixture.StartPrivateAsync();
        try
        {
            var email = Email("held-after");
            var (rule, write, _) = await HoldLeadWriteAsync(sandbox, HoldPoint.BeforeAnswer, email);

            Assert.True(LeadExists(sandbox, email), "a write held before its answer is already applied");
            Assert.False(write.IsCompleted);
            sandbox.Host.Faults.Held.Release(rule.Id);

            Assert.Equal("created", (await write).Status0);
            var entry = await LeadWriteAsync(sandbox);
            Assert.True(entry.Started <= entry.Applied && entry.Applied <= entry.Released && entry.Released <= entry.Answered,
                $"received {entry.Started:O}, applied {entry.Applied:O}, released {entry.Released:O}, answered {entry.Answered:O}");
        }
        finally { await sandbox.StopAsync(); }
    }

    [Fact]
    public async Task A_write_held_while_the_client_goes_away_is_still_applied_after_the_release()
    {
        var sandbox = await MarketoFixture.StartPrivateAsync();
        try
        {
            var email = Email("orphan");
            var rule = sandbox.Host.Faults.Add(new FaultRule { Service = SandboxService.Marketo, PathContains = "/rest/v1/leads.json", Method = "POST", Hold = HoldPoint.BeforeApply, Times = 1 });
            await sandbox.Api.AuthenticateAsync();
            using var gone = new CancellationTokenSource();
            using var request = new HttpRequestMessage(HttpMethod.Post, "rest/v1/leads.json") { Content = JsonContent.Create(LeadBody(email)) };
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", sandbox.Api.Token);

            var write = sandbox.Http.SendAsync(request, gone.Token);
            await sandbox.Host.Faults.Held.WaitForAsync(rule.Id, Patience);
            await gone.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => write);
            // The server notices a moment later that the client went; released before that, the answer would be
            // written into a connection the server still thinks open.
            await sandbox.Host.Faults.Held.WaitForClientGoneAsync(rule.Id, Patience);
            Assert.True(Assert.Single(sandbox.Host.Faults.Held.Snapshot()).ClientGone);
            sandbox.Host.Faults.Held.Release(rule.Id);

            var entry = await LeadWriteAsync(sandbox);
            Assert.True(LeadExists(sandbox, email), "the server had received the write; it applies it although nobody waits for the answer");
            Assert.NotNull(entry.Applied);
            Assert.True(entry.Dropped);
            Assert.Null(entry.Answered);
        }
        finally { await sandbox.StopAsync(); }
    }

    [Fact]
    public async Task Admin_api_holds_lists_and_releases_a_write_that_then_loses_its_answer()
    {
        var sandbox = await MarketoFixture.StartPrivateAsync();
        try
        {
            var email = Email("admin-held");
            using var added = await sandbox.Http.PostAsync("admin/faults", JsonContent.Create(new { service = 2, pathContains = "/rest/v1/leads.json", method = "POST", hold = "BeforeAnswer", resetAfterApply = true, times = 1 }));
            Assert.Equal(HttpStatusCode.OK, added.StatusCode);
            var ruleId = (await added.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
            await sandbox.Api.AuthenticateAsync();

            var write = sandbox.Api.PostAsync("rest/v1/leads.json", LeadBody(email));
            await sandbox.Host.Faults.Held.WaitForAsync(ruleId, Patience);
            var held = await sandbox.Http.GetFromJsonAsync<JsonElement>("admin/faults/held");
            var only = Assert.Single(held.EnumerateArray());
            Assert.Equal(ruleId, only.GetProperty("ruleId").GetString());
            Assert.Equal("BeforeAnswer", only.GetProperty("point").GetString());

            using var released = await sandbox.Http.PostAsync($"admin/faults/{ruleId}/release", null);
            Assert.Equal(1, (await released.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("released").GetInt32());
            await Assert.ThrowsAsync<HttpRequestException>(() => write);

            Assert.True(LeadExists(sandbox, email));
            await LeadWriteAsync(sandbox);
            var journal = await sandbox.Http.GetFromJsonAsync<JsonElement>("admin/journal");
            var entry = journal.EnumerateArray().Single(e => e.GetProperty("method").GetString() == "POST" && e.GetProperty("path").GetString()!.StartsWith("/rest/v1/leads.json", StringComparison.Ordinal));
            Assert.True(entry.GetProperty("dropped").GetBoolean());
            Assert.Equal(JsonValueKind.Null, entry.GetProperty("answered").ValueKind);
            Assert.True(entry.GetProperty("applied").GetDateTimeOffset() <= entry.GetProperty("released").GetDateTimeOffset());
        }
        finally { await sandbox.StopAsync(); }
    }

    [Fact]
    public async Task A_write_dropped_while_held_before_apply_is_never_applied_and_the_client_gets_no_answer()
    {
        var sandbox = await MarketoFixture.StartPrivateAsync();
        try
        {
            var email = Email("lost-in-flight");
            var (rule, write, held) = await HoldLeadWriteAsync(sandbox, HoldPoint.BeforeApply, email);

            Assert.Equal(1, sandbox.Host.Faults.Held.Drop(rule.Id));

            await Assert.ThrowsAsync<HttpRequestException>(() => write);
            var entry = await LeadWriteAsync(sandbox);
            Assert.Equal(held.Sequence, entry.Sequence);
            Assert.False(LeadExists(sandbox, email), "a write dropped before it was applied is lost");
            Assert.True(entry.Dropped);
            Assert.Null(entry.Applied);
            Assert.Null(entry.Answered);
            Assert.NotNull(entry.Released);
            Assert.Empty(sandbox.Host.Faults.Held.Snapshot());
        }
        finally { await sandbox.StopAsync(); }
    }

    [Fact]
    public async Task A_write_dropped_while_held_before_its_answer_stays_applied_through_the_admin_api()
    {
        var sandbox = await MarketoFixture.StartPrivateAsync();
        try
        {
            var email = Email("answer-lost");
            var (rule, write, _) = await HoldLeadWriteAsync(sandbox, HoldPoint.BeforeAnswer, email);

            using var dropped = await sandbox.Http.PostAsync($"admin/faults/{rule.Id}/drop", null);
            Assert.Equal(1, (await dropped.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("dropped").GetInt32());

            await Assert.ThrowsAsync<HttpRequestException>(() => write);
            var entry = await LeadWriteAsync(sandbox);
            Assert.True(LeadExists(sandbox, email));
            Assert.True(entry.Dropped);
            Assert.Null(entry.Answered);
            Assert.True(entry.Applied <= entry.Released, $"applied {entry.Applied:O}, released {entry.Released:O}");
        }
        finally { await sandbox.StopAsync(); }
    }

    [Fact]
    public async Task A_rule_that_both_answers_and_intercepts_is_refused()
    {
        var sandbox = await MarketoFixture.StartPrivateAsync();
        try
        {
            Assert.Throws<ArgumentException>(() => sandbox.Host.Faults.Add(new FaultRule { Service = SandboxService.Marketo, HttpStatus = 502, ResetAfterApply = true }));
            using var refused = await sandbox.Http.PostAsync("admin/faults", JsonContent.Create(new { service = 2, errorCode = "606", hold = "BeforeApply" }));
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            Assert.Empty(sandbox.Host.Faults.Rules());
        }
        finally { await sandbox.StopAsync(); }
    }

    [Fact]
    public async Task Removing_a_hold_rule_frees_the_request_it_holds()
    {
        var sandbox = await MarketoFixture.StartPrivateAsync();
        try
        {
            var (rule, write, _) = await HoldLeadWriteAsync(sandbox, HoldPoint.BeforeApply, Email("freed"), times: null);

            Assert.True(sandbox.Host.Faults.Remove(rule.Id));

            Assert.Equal("created", (await write).Status0);
        }
        finally { await sandbox.StopAsync(); }
    }
}
