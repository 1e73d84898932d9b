using System.Net.Http.Json;
using System.Text.Json.Nodes;
using MlConnector.Sandbox.Marketo;

namespace MlConnector.Sandbox.Tests.Marketo;

public sealed class MarketoActivityTests(MarketoFixture shared) : IClassFixture<MarketoFixture>
{
    private static Task<string> TokenSinceAsync(MarketoApi api, DateTimeOffset since) => MarketoFeed.TokenSinceAsync(api, since);

    private static Task<(List<JsonObject> Items, List<(int Count, bool More)> Pages, string Token)> DrainAsync(MarketoApi api, string path, string token, int batchSize = 300)
        => MarketoFeed.DrainAsync(api, path, token, batchSize);

    [Theory]
    [InlineData("2024-01-01T00:00:00-05:00")]
    [InlineData("2024-01-01T05:00:00Z")]
    [InlineData("2024-01-01T05:00:00+0000")]
    [InlineData("2024-01-01T05:00:00.000Z")]
    [InlineData("2024-01-01 05:00:00")]
    [InlineData("2024-01-01")]
    public async Task Paging_token_accepts_documented_datetime_formats(string since)
    {
        var sandbox = shared.AsPrivate();
        try
        {
            var reply = await sandbox.Api.GetAsync("rest/v1/activities/pagingtoken.json?sinceDatetime=" + Uri.EscapeDataString(since));
            Assert.True(reply.Success);
            Assert.Matches("^[A-Z2-7]+=*$", reply.NextPageToken!);
        }
        finally { await sandbox.StopAsync(); }
    }

    [Fact]
    public async Task Paging_token_rejects_an_unparseable_datetime_with_704()
    {
        var sandbox = shared.AsPrivate();
        try { Assert.Equal("704", (await sandbox.Api.GetAsync("rest/v1/activities/pagingtoken.json?sinceDatetime=last-tuesday")).ErrorCode); }
        finally { await sandbox.StopAsync(); }
    }

    [Fact]
    public async Task Lead_changes_report_new_lead_and_change_data_value_with_api_source()
    {
        var sandbox = shared.AsPrivate();
        try
        {
            var token = await TokenSinceAsync(sandbox.Api, sandbox.Host.Clock.GetUtcNow().AddMinutes(-1));
            var id = (await sandbox.Api.PostAsync("rest/v1/leads.json", new { input = new[] { new { email = "feed@example.com", firstName = "Old" } } })).Item(0)["id"]!.GetValue<long>();
            await sandbox.Api.PostAsync("rest/v1/leads.json", new { input = new[] { new { email = "feed@example.com", firstName = "New", title = "CFO" } } });

            var (items, _, _) = await DrainAsync(sandbox.Api, $"rest/v1/activities/leadchanges.json?fields=firstName,email&leadIds={id}", token);
            var newLead = Assert.Single(items, i => i["activityTypeId"]!.GetValue<int>() == ActivityTypes.NewLead);
            Assert.Equal(id, newLead["leadId"]!.GetValue<long>());
            var change = Assert.Single(items, i => i["activityTypeId"]!.GetValue<int>() == ActivityTypes.ChangeDataValue);
            var field = change["fields"]![0]!;
            Assert.Equal("firstName", field["name"]!.GetValue<string>());
            Assert.Equal("New", field["newValue"]!.GetValue<string>());
            Assert.Equal("Old", field["oldValue"]!.GetValue<string>());
            var attributes = change["attributes"]!.AsArray().ToDictionary(a => a!["name"]!.GetValue<string>(), a => a!["value"]?.ToString());
            Assert.Equal("Web service API", attributes["Source"]);
            Assert.Equal("Web service API", attributes["Reason"]);
        }
        finally { await sandbox.StopAsync(); }
    }

    [Fact]
    public async Task Marketing_edits_from_csharp_and_admin_api_produce_change_activities_with_marketing_source()
    {
        var sandbox = shared.AsPrivate();
        try
        {
            var lead = sandbox.Host.Marketo.Leads()[0];
            var token = await TokenSinceAsync(sandbox.Api, sandbox.Host.Clock.GetUtcNow().AddSeconds(-1));
            Assert.Equal(1, sandbox.Host.Marketo.MarketingEdit(lead.Id, new Dictionary<string, string?> { ["title"] = "Head of Marketing" }));
            using var response = await sandbox.Http.PostAsync($"admin/marketo/leads/{lead.Id}/marketing-edit", JsonContent.Create(new { fields = new Dictionary<string, string?> { ["bcCurrencyCode"] = "DKK" } }));
            response.EnsureSuccessStatusCode();

            var (items, _, _) = await DrainAsync(sandbox.Api, $"rest/v1/activities/leadchanges.json?fields=title,bcCurrencyCode&leadIds={lead.Id}", token);
            Assert.Equal(2, items.Count);
            Assert.All(items, i => Assert.Contains(i["attributes"]!.AsArray(), a => a!["name"]!.GetValue<string>() == "Source" && a["value"]!.GetValue<string>() == ActivitySources.Marketing));
            Assert.Equal("DKK", sandbox.Host.Marketo.Lead(lead.Id)!.Fields["bcCurrencyCode"]);
        }
        finally { await sandbox.StopAsync(); }
    }

    [Fact]
    public async Task Leads_marketing_creates_and_deletes_are_ui_activities_without_api_attributes()
    {
        var sandbox = shared.AsPrivate();
        try
        {
            var token = await TokenSinceAsync(sandbox.Api, sandbox.Host.Clock.GetUtcNow().AddSeconds(-1));
            var first = sandbox.Host.Marketo.MarketingCreate(new Dictionary<string, string?> { ["email"] = "ui.one@example.com", ["company"] = "UI Co" });
            using var response = await sandbox.Http.PostAsync("admin/marketo/leads", JsonContent.Create(new { leads = new[] { new Dictionary<string, string?> { ["email"] = "ui.two@example.com" } } }));
            response.EnsureSuccessStatusCode();
            var second = (await response.Content.ReadFromJsonAsync<JsonObject>())!["ids"]![0]!.GetValue<long>();
            using var duplicate = await sandbox.Http.PostAsync("admin/marketo/leads", JsonContent.Create(new { fields = new Dictionary<string, string?> { ["email"] = "ui.one@example.com" } }));
            Assert.Equal(System.Net.HttpStatusCode.BadRequest, duplicate.StatusCode);
            Assert.True(sandbox.Host.Marketo.MarketingDelete(second));
            Assert.False(sandbox.Host.Marketo.MarketingDelete(second));

            var (items, _, _) = await DrainAsync(sandbox.Api, $"rest/v1/activities/leadchanges.json?fields=email&leadIds={first},{second}", token);
            Assert.Equal([first, second], items.Select(i => i["leadId"]!.GetValue<long>()));
            Assert.All(items, i => Assert.Equal(ActivityTypes.NewLead, i["activityTypeId"]!.GetValue<int>()));
            Assert.All(items, i => Assert.DoesNotContain(i["attributes"]!.AsArray(), a => a!["name"]!.GetValue<string>() == "api method name"));
            Assert.Equal("UI Co", sandbox.Host.Marketo.Lead(first)!.Fields["company"]);
            Assert.Null(sandbox.Host.Marketo.Lead(second));
            var (deleted, _, _) = await DrainAsync(sandbox.Api, "rest/v1/activities/deletedleads.json", token);
            Assert.Equal(second, Assert.Single(deleted)["leadId"]!.GetValue<long>());
        }
        finally { await sandbox.StopAsync(); }
    }

    [Fact]
    public async Task Seeded_leads_have_new_lead_activities_from_marketing_and_some_match_bc_emails()
    {
        var sandbox = shared.AsPrivate();
        try
        {
            var bcEmails = sandbox.Host.BusinessCentral.ContactEmails().ToHashSet(StringComparer.OrdinalIgnoreCase);
            var leads = sandbox.Host.Marketo.Leads().Where(l => l.CreatedAt < sandbox.Host.Clock.GetUtcNow().AddDays(-1)).ToList();
            Assert.Equal(sandbox.Host.Options.MarketoLeads, leads.Count);
            Assert.Contains(leads, l => bcEmails.Contains(l.Fields["email"]!));
            Assert.Contains(leads, l => !bcEmails.Contains(l.Fields["email"]!));
            var token = await TokenSinceAsync(sandbox.Api, sandbox.Host.Clock.GetUtcNow().AddDays(-31));
            var (all, _, _) = await DrainAsync(sandbox.Api, "rest/v1/activities.json?activityTypeIds=12", token);
            var items = all.Where(i => i["activityDate"]!.GetValue<string>().CompareTo(sandbox.Host.Clock.GetUtcNow().AddDays(-1).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'")) < 0).ToList();
            Assert.Equal(leads.Count, items.Count);
            Assert.All(items, i => Assert.Contains(i["attributes"]!.AsArray(), a => a!["name"]!.GetValue<string>() == "modifying user" && a["value"]!.GetValue<string>() == sandbox.Host.Marketo.Options.MarketingUser));
            Assert.All(items, i => Assert.DoesNotContain(i["attributes"]!.AsArray(), a => a!["name"]!.GetValue<string>() == "api method name"));
        }
        finally { await sandbox.StopAsync(); }
    }

    [Fact]
    public async Task Activities_filter_by_type_and_refuse_more_than_ten_types()
    {
        var sandbox = shared.AsPrivate();
        try
        {
            var token = await TokenSinceAsync(sandbox.Api, sandbox.Host.Clock.GetUtcNow().AddMinutes(-1));
            var id = (await sandbox.Api.PostAsync("rest/v1/leads.json", new { input = new[] { new { email = "types@example.com" } } })).Item(0)["id"]!.GetValue<long>();
            await sandbox.Api.PostAsync("rest/v1/leads.json", new { input = new[] { new { email = "types@example.com", lastName = "Changed" } } });
            var (items, _, _) = await DrainAsync(sandbox.Api, $"rest/v1/activities.json?activityTypeIds=13&leadIds={id}", token);
            var change = Assert.Single(items);
            Assert.Equal(id, change["leadId"]!.GetValue<long>());
            Assert.Equal("Last Name", change["primaryAttributeValue"]!.GetValue<string>());
            var tooMany = await sandbox.Api.GetAsync($"rest/v1/activities.json?activityTypeIds=1,2,3,4,5,6,7,8,9,10,11&nextPageToken={Uri.EscapeDataString(token)}");
            Assert.Equal("1003", tooMany.ErrorCode);
        }
        finally { await sandbox.StopAsync(); }
    }

    [Fact]
    public async Task Activity_types_include_new_lead_and_change_data_value()
    {
        var sandbox = shared.AsPrivate();
        try
        {
            var types = (await sandbox.Api.GetAsync("rest/v1/activities/types.json")).Result.ToDictionary(t => t!["id"]!.GetValue<int>(), t => t!["name"]!.GetValue<string>());
            Assert.Equal("New Lead", types[12]);
            Assert.Equal("Change Data Value", types[13]);
        }
        finally { await sandbox.StopAsync(); }
    }

    [Fact]
    public async Task Caught_up_feed_still_returns_a_token_that_picks_up_later_changes()
    {
        var sandbox = shared.AsPrivate();
        try
        {
            var token = await TokenSinceAsync(sandbox.Api, sandbox.Host.Clock.GetUtcNow().AddMilliseconds(1));
            var (empty, pages, watermark) = await DrainAsync(sandbox.Api, "rest/v1/activities/leadchanges.json?fields=email", token);
            Assert.Empty(empty);
            Assert.False(pages[^1].More);
            await sandbox.Api.PostAsync("rest/v1/leads.json", new { input = new[] { new { email = $"later.{Guid.NewGuid():N}@example.com" } } });
            var (later, _, _) = await DrainAsync(sandbox.Api, "rest/v1/activities/leadchanges.json?fields=email", watermark);
            Assert.Single(later);
        }
        finally { await sandbox.StopAsync(); }
    }

    [Fact]
    public async Task Short_and_empty_pages_arrive_with_moreResult_true_and_nothing_is_lost()
    {
        // Which pages come short or empty depends on the activities' timestamps, so on the clock at seeding: 2,000 leads
        // make some 40 pages, about half of them short and half of those empty, so a walk without either does not happen.
        var sandbox = await MarketoFixture.StartPrivateAsync(o => o.ShortPageRate = 0.5, leads: 2000);
        try
        {
            var token = await TokenSinceAsync(sandbox.Api, sandbox.Host.Clock.GetUtcNow().AddDays(-31));
            var (items, pages, _) = await DrainAsync(sandbox.Api, "rest/v1/activities/leadchanges.json?fields=email", token, batchSize: 50);
            Assert.Equal(2000, items.Select(i => i["id"]!.GetValue<long>()).Distinct().Count());
            Assert.Contains(pages, p => p.More && p.Count < 50);
            Assert.Contains(pages, p => p.More && p.Count == 0);

            // Deterministic: the same walk gives the same page sizes.
            var again = await DrainAsync(sandbox.Api, "rest/v1/activities/leadchanges.json?fields=email", token, batchSize: 50);
            Assert.Equal(pages, again.Pages);
        }
        finally { await sandbox.StopAsync(); }
    }

    [Fact]
    public async Task Without_short_pages_every_page_but_the_last_is_full()
    {
        var sandbox = await MarketoFixture.StartPrivateAsync(o => o.ShortPageRate = 0, leads: 120);
        try
        {
            var token = await TokenSinceAsync(sandbox.Api, sandbox.Host.Clock.GetUtcNow().AddDays(-31));
            var (items, pages, _) = await DrainAsync(sandbox.Api, "rest/v1/activities/leadchanges.json?fields=email", token, batchSize: 50);
            Assert.Equal(120, items.Count);
            Assert.Equal(new[] { 50, 50, 20 }, pages.Select(p => p.Count).ToArray());
        }
        finally { await sandbox.StopAsync(); }
    }
}
