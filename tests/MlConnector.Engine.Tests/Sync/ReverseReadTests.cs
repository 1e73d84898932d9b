using MlConnector.Engine.Diagnostics;
using MlConnector.Engine.Marketo;
using MlConnector.Engine.Sync;
using MlConnector.Engine.Tests.BusinessCentral;
using MlConnector.Sandbox.Core;
using static MlConnector.Engine.Tests.Sync.ReverseSandbox;

namespace MlConnector.Engine.Tests.Sync;

/// <summary>Reading what changed in Marketo: the change feed through its quirks and faults, echoes, and large backfills by bulk extract.</summary>
public sealed class ReverseReadTests
{
    public static TheoryData<string> FeedDisturbances => new() { "empty pages", "token expires", "606" };

    [Theory]
    [MemberData(nameof(FeedDisturbances))]
    public async Task Every_change_is_read_exactly_once_through_empty_pages_an_expiring_token_and_a_606(string disturbance)
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 0,
            // Every page short or empty (which of the two is drawn from the position): the feed still has to reach its end.
            configure: o => o.Marketo.ShortPageRate = disturbance == "empty pages" ? 1.0 : 0.2,
            marketoSettings: s => { s.PageSize = 5; s.RateWindow = TimeSpan.FromMilliseconds(300); });
        var since = sandbox.Host.Clock.GetUtcNow().AddMinutes(-1);
        var created = Enumerable.Range(0, 24).Select(i => sandbox.MarketingLead($"feed.{i}@feed-test.example", "Feed Co " + i)).ToList();
        foreach (var id in created.Take(10)) sandbox.Host.Marketo.MarketingEdit(id, new Dictionary<string, string?> { ["title"] = "Edited" });
        var changes = sandbox.Host.Marketo.Activities().Count(a => a.ActivityTypeId is 12 or 13);
        if (disturbance != "empty pages")
            sandbox.Host.Faults.Add(new FaultRule { Service = SandboxService.Marketo, PathContains = "leadchanges", NthCall = 4, ErrorCode = disturbance == "606" ? "606" : "602" });

        var leads = await sandbox.ReceiveAsync(Request(since));

        Assert.Equal(created.Order(), leads.Select(l => l.Id).Order());
        Assert.Equal(34, changes);
        Assert.All(leads.Where(l => created.Take(10).Contains(l.Id)), l => Assert.Equal("Edited", l["title"]));
        var feed = sandbox.Host.Journal.For(SandboxService.Marketo).Where(e => e.Path.Contains("leadchanges", StringComparison.Ordinal)).ToList();
        Assert.Equal(changes, feed.Where(e => e.ErrorCode is null).Sum(e => e.RecordCount));
        if (disturbance == "empty pages") Assert.Contains(feed.SkipLast(1), e => e.RecordCount == 0);
        else Assert.Single(feed, e => e.ErrorCode == (disturbance == "606" ? "606" : "602"));
        // Caught up: the watermark reads nothing again.
        Assert.Empty(await sandbox.ReceiveAsync(Request()));
    }

    [Fact]
    public async Task The_connectors_own_writes_are_echoes_and_a_marketing_edit_is_not()
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 6);
        await sandbox.RunAsync();
        var since = sandbox.Host.Clock.GetUtcNow().AddMinutes(-1);
        var contact = sandbox.Host.BusinessCentral.Store.Contacts.First(c => c.Type == "Person" && sandbox.Host.Marketo.LeadsByEmail(c.Email).Count == 1);
        sandbox.Host.BusinessCentral.ModifyContactInUi(contact.Id, c => c.JobTitle = "Changed in BC");
        await sandbox.RunAsync(); // an API write of the connector: activities with its API user as modifying user
        var lead = sandbox.Host.Marketo.LeadsByEmail(contact.Email)[0];

        var receiver = sandbox.Receiver(sandbox.Context());
        var echoes = new List<MarketoLead>();
        await foreach (var step in receiver.ReceiveAsync(Request(since), CancellationToken.None)) echoes.AddRange(step.Leads);
        Assert.Empty(echoes);
        Assert.True(receiver.Echoes > 0);

        sandbox.Host.Marketo.MarketingEdit(lead.Id, new Dictionary<string, string?> { ["title"] = "Changed by marketing" });
        var edited = Assert.Single(await sandbox.ReceiveAsync(Request()));
        Assert.Equal((lead.Id, "Changed by marketing"), (edited.Id, edited["title"]));
    }

    [Fact]
    public async Task A_lead_holding_what_the_connector_wrote_is_an_echo_whatever_the_feed_says()
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 6);
        await sandbox.RunAsync();
        var contact = sandbox.Host.BusinessCentral.Store.Contacts.First(c => c.Type == "Person" && sandbox.Host.Marketo.LeadsByEmail(c.Email).Count == 1);
        var lead = sandbox.Host.Marketo.LeadsByEmail(contact.Email)[0];
        var fields = lead.Fields.ToDictionary(f => f.Key, f => f.Value, StringComparer.OrdinalIgnoreCase);
        var context = sandbox.Context();

        var unchanged = await BcSandbox.ToListAsync(sandbox.LeadSync(context).RunAsync([new MarketoLead { Id = lead.Id, Fields = fields }], CancellationToken.None));
        fields["title"] = "Edited in a spreadsheet";
        var changed = await BcSandbox.ToListAsync(sandbox.LeadSync(context).RunAsync([new MarketoLead { Id = lead.Id, Fields = fields }], CancellationToken.None));

        Assert.Equal((SyncAction.Unchanged, "Echo"), (Assert.Single(unchanged).Action, Assert.Single(unchanged).Reason![..4]));
        var update = Assert.Single(changed);
        Assert.Equal((SyncAction.Updated, contact.Number), (update.Action, update.TargetKey));
        Assert.Equal("Edited in a spreadsheet", sandbox.Host.BusinessCentral.Store.Contact(contact.Id)!.JobTitle);
    }

    [Fact]
    public async Task A_backfill_over_the_connectors_own_writes_hands_on_only_what_marketing_made()
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 40, configure: o => o.MarketoLeads = 20);
        var marketingOnly = sandbox.Host.Marketo.Leads().Select(l => l.Id).ToHashSet();
        var forward = await sandbox.RunAsync();
        var written = forward.Where(r => r.TargetType == "Lead" && r.Action is SyncAction.Created or SyncAction.Updated).Select(r => r.MarketoId!.Value).ToHashSet();
        marketingOnly.ExceptWith(written);
        var receiver = sandbox.Receiver(sandbox.Context());

        var leads = new List<MarketoLead>();
        await foreach (var step in receiver.ReceiveAsync(Request(sandbox.Host.Clock.GetUtcNow().AddDays(-31)), CancellationToken.None)) leads.AddRange(step.Leads);

        // A bulk extract carries no activity sources: the content hash alone tells the connector's writes apart.
        Assert.All(leads, l => Assert.Equal(MarketoLead.ByBulkExtract("updatedAt"), l.ReadBy));
        Assert.Equal(written.Count, receiver.Echoes);
        Assert.Equal(marketingOnly.Order(), leads.Select(l => l.Id).Order());
    }

    [Fact]
    public async Task A_45_day_backfill_without_the_updatedAt_filter_completes_through_createdAt_windows_and_says_so()
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 0, configure: o => o.Marketo.UpdatedAtExportFilter = false);
        var clock = sandbox.Host.Clock;
        var since = clock.GetUtcNow().AddHours(-1);
        var ids = new List<long> { sandbox.MarketingLead("day0@backfill-test.example", "Early Co") };
        clock.Advance(TimeSpan.FromDays(20));
        ids.Add(sandbox.MarketingLead("day20@backfill-test.example", "Middle Co"));
        clock.Advance(TimeSpan.FromDays(20));
        ids.Add(sandbox.MarketingLead("day40@backfill-test.example", "Late, \"Quoted\" Co", ("address", "1 First Street\nFloor 2")));
        clock.Advance(TimeSpan.FromDays(5));

        var leads = await sandbox.ReceiveAsync(Request(since));

        Assert.Equal(ids, leads.Select(l => l.Id).Order());
        Assert.All(leads, l => Assert.Equal(MarketoLead.ByBulkExtract("createdAt"), l.ReadBy));
        Assert.Equal(("Late, \"Quoted\" Co", "1 First Street\nFloor 2"), (leads[2]["company"], leads[2]["address"]));
        Assert.Contains(sandbox.Log.Lines, l => l.StartsWith("WARNING " + EngineWarnings.BackfillByCreatedAt, StringComparison.Ordinal));
        var bulk = sandbox.Host.Journal.For(SandboxService.Marketo).Where(e => e.Path.StartsWith("/bulk/v1/leads/export", StringComparison.Ordinal)).ToList();
        Assert.Equal(["1035", null, null], bulk.Where(e => e.Path.EndsWith("create.json", StringComparison.Ordinal)).Select(e => e.ErrorCode));
        // Complete: the change feed takes over where the backfill began.
        Assert.Empty(await sandbox.ReceiveAsync(Request()));
        sandbox.MarketingLead("after@backfill-test.example", "After Co");
        Assert.Equal(MarketoLead.ByChangeFeed, Assert.Single(await sandbox.ReceiveAsync(Request())).ReadBy);
    }

    [Fact]
    public async Task A_backfill_stopped_by_1029_ends_cleanly_and_resumes_where_it_stopped()
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 0);
        var clock = sandbox.Host.Clock;
        var since = clock.GetUtcNow().AddHours(-1);
        var early = sandbox.MarketingLead("early@quota-test.example", "Early Co");
        clock.Advance(TimeSpan.FromDays(35));
        var late = sandbox.MarketingLead("late@quota-test.example", "Late Co");
        clock.Advance(TimeSpan.FromDays(1));
        sandbox.Host.Marketo.Options.DailyExportQuotaBytes = 1; // the first export uses the day's allowance up

        var first = await sandbox.ReceiveAsync(Request(since));

        Assert.Equal([early], first.Select(l => l.Id));
        Assert.Contains(sandbox.Log.Lines, l => l.StartsWith("WARNING " + EngineWarnings.BackfillStopped, StringComparison.Ordinal));
        Assert.Null(sandbox.State.Checkpoints.GetWatermark(SyncCheckpoints.LeadChanges));

        // After Marketo's reset (midnight US Central) the next run continues from the window that was not read.
        clock.Advance(TimeSpan.FromDays(1));
        var resumed = await sandbox.ReceiveAsync(Request());
        Assert.Equal([late], resumed.Select(l => l.Id));
        Assert.NotNull(sandbox.State.Checkpoints.GetWatermark(SyncCheckpoints.LeadChanges));
    }
}
