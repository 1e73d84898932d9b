using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;

namespace MlConnector.Sandbox.Marketo;

/// <summary>
/// The change feed: activities/pagingtoken.json, activities/leadchanges.json, activities.json, activities/deletedleads.json,
/// activities/types.json. These always return a nextPageToken. Pages may be short or even empty while moreResult is
/// true, because the real service scans activity blocks (vendor note §6, marketo-rest-python issue #42); the simulator
/// does the same on a deterministic <see cref="MarketoOptions.ShortPageRate"/> of pages.
/// </summary>
public sealed class ActivityEndpoints(MarketoStore store, MarketoOptions options)
{
    /// <summary>Delete Lead activities are kept 14 days (activities.md; Marketo's data retention policy).</summary>
    private static readonly TimeSpan DeletedLeadRetention = TimeSpan.FromDays(14);

    public void Map(IEndpointRouteBuilder endpoints, MarketoGate gate)
    {
        endpoints.Map("/rest/v1/activities/pagingtoken.json", gate.Route(PagingToken, null));
        endpoints.Map("/rest/v1/activities/leadchanges.json", gate.Route(LeadChanges, null));
        endpoints.Map("/rest/v1/activities.json", gate.Route(Activities, null));
        endpoints.Map("/rest/v1/activities/deletedleads.json", gate.Route(DeletedLeads, null));
        endpoints.Map("/rest/v1/activities/types.json", gate.Route(_ => Task.FromResult(MarketoEnvelope.Success(ActivityJson.Types())), null));
    }

    private Task<JsonObject> PagingToken(MarketoRequest request)
    {
        var text = request.Param("sinceDatetime") ?? throw MarketoException.Of("1002", "sinceDatetime");
        if (!MarketoDates.TryParse(text, options.UnzonedDatetimeOffset, out var since)) throw MarketoException.Of("704");
        var body = MarketoEnvelope.Success();
        body["nextPageToken"] = PagingTokens.Activities(ActivityLog.KeyBefore(since), 0);
        return Task.FromResult(body);
    }

    private Task<JsonObject> LeadChanges(MarketoRequest request)
    {
        var names = request.ListParam("fields");
        if (names.Length == 0) throw MarketoException.Of("1002", "fields");
        var fields = names.Select(n => store.LeadSchema.Find(n)?.Name ?? throw MarketoException.Of("1006", n)).ToHashSet(StringComparer.Ordinal);
        var leads = LeadScope(request);
        return Task.FromResult(Page(request, a =>
            leads(a.LeadId) &&
            (a.ActivityTypeId == ActivityTypes.NewLead || (a.ActivityTypeId == ActivityTypes.ChangeDataValue && fields.Contains(a.Field!.Name))),
            ActivityJson.LeadChange));
    }

    private Task<JsonObject> Activities(MarketoRequest request)
    {
        var typeTexts = request.ListParam("activityTypeIds");
        if (typeTexts.Length == 0) throw MarketoException.Of("1002", "activityTypeIds");
        if (typeTexts.Length > 10) throw new MarketoException("1003", "Too many activity type ids, max 10 allowed");
        var types = typeTexts.Select(t => int.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : throw new MarketoException("1003", $"Invalid activity type id '{t}'")).ToHashSet();
        var leads = LeadScope(request);
        return Task.FromResult(Page(request, a => types.Contains(a.ActivityTypeId) && leads(a.LeadId), ActivityJson.Activity));
    }

    private Task<JsonObject> DeletedLeads(MarketoRequest request)
    {
        var kept = request.Now - DeletedLeadRetention;
        return Task.FromResult(Page(request, a => a.ActivityTypeId == ActivityTypes.DeleteLead && a.ActivityDate >= kept, ActivityJson.DeletedLead));
    }

    /// <summary>leadIds (≤30) and/or listId (a static list; 1003 once the list has too many members, see <see cref="MarketoOptions.ListIdMaxMembers"/>).</summary>
    private Func<long, bool> LeadScope(MarketoRequest request)
    {
        HashSet<long>? ids = null;
        var texts = request.ListParam("leadIds");
        if (texts.Length > 30) throw new MarketoException("1003", "Too many lead ids, max 30 allowed");
        if (texts.Length > 0)
            ids = texts.Select(t => long.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : throw new MarketoException("1003", $"Invalid lead id '{t}'")).ToHashSet();
        HashSet<long>? members = null;
        if (request.Param("listId") is { } listText)
        {
            if (!long.TryParse(listText, NumberStyles.None, CultureInfo.InvariantCulture, out var listId)) throw new MarketoException("1003", $"Invalid listId '{listText}'");
            lock (store.Gate)
            {
                var list = store.Lists.GetValueOrDefault(listId) ?? throw MarketoException.Of("1013");
                if (request.Now >= options.ListIdLimitFrom && list.Members.Count >= options.ListIdMaxMembers)
                    throw new MarketoException("1003", $"The list has {list.Members.Count} leads; listId is limited to lists of fewer than {options.ListIdMaxMembers}");
                members = new HashSet<long>(list.Members);
            }
        }
        return leadId => (ids is null || ids.Contains(leadId)) && (members is null || members.Contains(leadId));
    }

    private JsonObject Page(MarketoRequest request, Func<ActivityRecord, bool> match, Func<ActivityRecord, JsonObject> render)
    {
        var token = request.Param("nextPageToken") ?? throw MarketoException.Of("1002", "nextPageToken");
        var (after, page) = PagingTokens.ReadActivities(token);
        var batchSize = request.BatchSize(options.MaxBatchSize);
        var scanLimit = int.MaxValue;
        var roll = Mix(after.Ticks ^ after.Id, page);
        if (options.ShortPageRate > 0 && (roll % 10_000) / 10_000.0 < options.ShortPageRate)
            scanLimit = (roll >> 20) % 2 == 0 ? 0 : (int)((roll >> 21) % (ulong)batchSize); // an empty page, or a short one
        var (items, next, more) = store.Activities.Scan(after, scanLimit, batchSize, match);

        var result = new JsonArray();
        foreach (var item in items) result.Add(render(item));
        var body = MarketoEnvelope.Success(result);
        body["nextPageToken"] = PagingTokens.Activities(next, page + 1);
        body["moreResult"] = more;
        return body;
    }

    private static ulong Mix(long position, long page)
    {
        var x = (ulong)position * 0x9E3779B97F4A7C15UL ^ (ulong)(page + 1) * 0xBF58476D1CE4E5B9UL;
        x ^= x >> 31; x *= 0x94D049BB133111EBUL; x ^= x >> 29;
        return x;
    }
}
