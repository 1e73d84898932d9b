using System.Text.Json.Nodes;
using MlConnector.Sandbox.Marketo;

namespace MlConnector.Sandbox.Tests.Marketo;

/// <summary>The change feed the reverse flow needs: deleted leads, listId, the source of a change, and late activities.</summary>
public sealed class MarketoFeedFeatureTests
{
    private static Task<string> TokenAsync(MarketoApi api, DateTimeOffset since) => MarketoFeed.TokenSinceAsync(api, since);

    private static async Task<(List<JsonObject> Items, string Token)> DrainAsync(MarketoApi api, string pathAndQuery, string token)
    {
        var (items, _, next) = await MarketoFeed.DrainAsync(api, pathAndQuery, token);
        return (items, next);
    }

    private static Dictionary<string, string?> Attributes(JsonObject item)
        => item["attributes"]!.AsArray().ToDictionary(a => a!["name"]!.GetValue<string>(), a => a!["value"]?.ToString());

    private static string Email() => $"feed.{Guid.NewGuid():N}@example.com";

    [Fact]
    public async Task Deleted_leads_are_listed_for_14_days()
    {
        var sandbox = await MarketoFixture.StartPrivateAsync();
        try
        {
            var api = sandbox.Api;
            var since = sandbox.Host.Clock.GetUtcNow().AddMinutes(-1);
            var id = (await api.PostAsync("rest/v1/leads.json", new { input = new[] { new { email = Email(), firstName = "Gone", lastName = "Soon" } } })).Item(0)["id"]!.GetValue<long>();
            Assert.Equal("deleted", (await api.PostAsync("rest/v1/leads/delete.json", new { input = new[] { new { id } } })).Status0);

            var (items, _) = await DrainAsync(api, "rest/v1/activities/deletedleads.json", await TokenAsync(api, since));
            var deleted = Assert.Single(items);
            Assert.Equal(ActivityTypes.DeleteLead, deleted["activityTypeId"]!.GetValue<int>());
            Assert.Equal(id, deleted["leadId"]!.GetValue<long>());
            Assert.Equal(id, deleted["primaryAttributeValueId"]!.GetValue<long>());
            Assert.Equal("Gone Soon", deleted["primaryAttributeValue"]!.GetValue<string>());

            sandbox.Host.Clock.Advance(TimeSpan.FromDays(15));
            api.Token = null; // the access token expired meanwhile
            Assert.Empty((await DrainAsync(api, "rest/v1/activities/deletedleads.json", await TokenAsync(api, since))).Items);
        }
        finally { await sandbox.StopAsync(); }
    }

    [Fact]
    public async Task ListId_limits_lead_changes_and_activities_to_the_members_of_a_static_list()
    {
        var sandbox = await MarketoFixture.StartPrivateAsync(o => o.ListIdMaxMembers = 3);
        try
        {
            var api = sandbox.Api;
            var since = sandbox.Host.Clock.GetUtcNow().AddMinutes(-1);
            var ids = new List<long>();
            for (var i = 0; i < 3; i++)
                ids.Add((await api.PostAsync("rest/v1/leads.json", new { input = new[] { new { email = Email(), firstName = "L" + i } } })).Item(0)["id"]!.GetValue<long>());
            var list = sandbox.Host.Marketo.CreateList("Webinar attendees", [ids[0], ids[2]]);
            var token = await TokenAsync(api, since);

            var changes = (await DrainAsync(api, $"rest/v1/activities/leadchanges.json?fields=firstName&listId={list}", token)).Items;
            Assert.Equal(new[] { ids[0], ids[2] }, changes.Select(c => c["leadId"]!.GetValue<long>()).Distinct().Order());
            var activities = (await DrainAsync(api, $"rest/v1/activities.json?activityTypeIds=12&listId={list}", token)).Items;
            Assert.Equal(2, activities.Count);

            var unknown = await api.GetAsync($"rest/v1/activities/leadchanges.json?fields=firstName&listId=999999&nextPageToken={Uri.EscapeDataString(token)}");
            Assert.Equal("1013", unknown.ErrorCode);

            // From 2026-12-30 (activities.md) a list at the limit is refused with 1003.
            sandbox.Host.Marketo.AddToList(list, [ids[1]]);
            sandbox.Host.Marketo.Options.ListIdLimitFrom = DateTimeOffset.MinValue;
            var tooBig = await api.GetAsync($"rest/v1/activities.json?activityTypeIds=12&listId={list}&nextPageToken={Uri.EscapeDataString(token)}");
            Assert.Equal("1003", tooBig.ErrorCode);
        }
        finally { await sandbox.StopAsync(); }
    }

    [Fact]
    public async Task An_api_write_and_a_ui_edit_can_be_told_apart_by_their_attributes()
    {
        var sandbox = await MarketoFixture.StartPrivateAsync();
        try
        {
            var api = sandbox.Api;
            var since = sandbox.Host.Clock.GetUtcNow().AddMinutes(-1);
            var email = Email();
            var created = await api.PostAsync("rest/v1/leads.json", new { input = new[] { new { email, title = "CFO" } } });
            var id = created.Item(0)["id"]!.GetValue<long>();
            var update = await api.PostAsync("rest/v1/leads.json", new { input = new[] { new { email, title = "CEO" } } });
            sandbox.Host.Marketo.MarketingEdit(id, new Dictionary<string, string?> { ["title"] = "Chair" });

            var (items, _) = await DrainAsync(api, $"rest/v1/activities/leadchanges.json?fields=title&leadIds={id}", await TokenAsync(api, since));
            var newLead = Attributes(items.Single(i => i["activityTypeId"]!.GetValue<int>() == ActivityTypes.NewLead));
            Assert.Equal("Web service API", newLead["Source Type"]);
            Assert.Equal(created.Body["requestId"]!.GetValue<string>(), newLead["request id"]);

            var changes = items.Where(i => i["activityTypeId"]!.GetValue<int>() == ActivityTypes.ChangeDataValue).Select(Attributes).ToList();
            Assert.Equal(2, changes.Count); // values given at creation make a New Lead, not changes
            var byApi = changes.Single(c => c.ContainsKey("request id") && c["request id"] == update.Body["requestId"]!.GetValue<string>());
            Assert.Equal("Web service API", byApi["Source"]);
            Assert.Equal("Web service API", byApi["Reason"]);
            Assert.Equal("syncLead", byApi["api method name"]);
            Assert.Equal(sandbox.Host.Marketo.Options.ApiUser, byApi["modifying user"]);
            Assert.Equal(id.ToString(), byApi["Lead ID"]);

            var byUser = changes.Last();
            Assert.Equal(ActivitySources.Marketing, byUser["Source"]);
            Assert.False(byUser.ContainsKey("api method name"));
            Assert.False(byUser.ContainsKey("request id"));
            Assert.Equal(sandbox.Host.Marketo.Options.MarketingUser, byUser["modifying user"]);
        }
        finally { await sandbox.StopAsync(); }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(60)]
    public async Task Late_activities_are_missed_by_a_client_that_pages_on_and_caught_by_one_that_re_reads_with_an_overlap(int windowSeconds)
    {
        var sandbox = await MarketoFixture.StartPrivateAsync(o => o.OutOfOrderWindow = TimeSpan.FromSeconds(windowSeconds));
        try
        {
            var api = sandbox.Api;
            var start = sandbox.Host.Clock.GetUtcNow().AddMinutes(-5);
            var (_, token) = await DrainAsync(api, "rest/v1/activities.json?activityTypeIds=12,13", await TokenAsync(api, start));
            var seen = new HashSet<long>();
            for (var i = 0; i < 20; i++)
            {
                await api.PostAsync("rest/v1/leads.json", new { input = new[] { new { email = Email(), title = "T" + i } } });
                sandbox.Host.Clock.Advance(TimeSpan.FromSeconds(2));
                var (items, next) = await DrainAsync(api, "rest/v1/activities.json?activityTypeIds=12,13", token);
                foreach (var item in items) seen.Add(item["id"]!.GetValue<long>());
                token = next;
            }
            var all = sandbox.Host.Marketo.Activities().Select(a => a.Id).ToHashSet();
            var missed = all.Except(seen).Count();
            if (windowSeconds == 0) Assert.Equal(0, missed);
            else Assert.True(missed > 0, "no activity arrived late");

            // Re-reading from a token taken the window before the start finds everything.
            var reread = (await DrainAsync(api, "rest/v1/activities.json?activityTypeIds=12,13", await TokenAsync(api, start.AddSeconds(-windowSeconds)))).Items;
            Assert.Equal(all.Order(), reread.Select(i => i["id"]!.GetValue<long>()).Order());
            var dates = reread.Select(i => DateTimeOffset.Parse(i["activityDate"]!.GetValue<string>())).ToList();
            Assert.Equal(dates.Order(), dates);
        }
        finally { await sandbox.StopAsync(); }
    }
}
