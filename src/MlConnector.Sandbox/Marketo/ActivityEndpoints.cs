using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;

namespace MlConnector.Sandbox.Marketo;

/// <summary>
/// The change feed: activities/pagingtoken.json, activities/leadchanges.json, activities.json, activities/types.json.
/// These always return a nextPageToken. Pages may be short or even empty while moreResult is true, because
/// the real service scans activity blocks (vendor note §6, marketo-rest-python issue #42); the simulator
/// does the same on a deterministic <see cref="MarketoOptions.ShortPageRate"/> of pages.
/// </summary>
public sealed class ActivityEndpoints(MarketoStore store, MarketoOptions options)
{
    public void Map(IEndpointRouteBuilder endpoints, MarketoGate gate)
    {
        endpoints.Map("/rest/v1/activities/pagingtoken.json", gate.Route(PagingToken, null));
        endpoints.Map("/rest/v1/activities/leadchanges.json", gate.Route(LeadChanges, null));
        endpoints.Map("/rest/v1/activities.json", gate.Route(Activities, null));
        endpoints.Map("/rest/v1/activities/types.json", gate.Route(Types, null));
    }

    private Task<JsonObject> PagingToken(MarketoRequest request)
    {
        var text = request.Param("sinceDatetime") ?? throw MarketoException.Of("1002", "sinceDatetime");
        if (!MarketoDates.TryParse(text, options.UnzonedDatetimeOffset, out var since)) throw MarketoException.Of("704");
        var body = MarketoEnvelope.Success();
        body["nextPageToken"] = PagingTokens.Activities(store.Activities.PositionAt(since), 0);
        return Task.FromResult(body);
    }

    private Task<JsonObject> LeadChanges(MarketoRequest request)
    {
        var names = request.ListParam("fields");
        if (names.Length == 0) throw MarketoException.Of("1002", "fields");
        var fields = names.Select(n => store.LeadSchema.Find(n)?.Name ?? throw MarketoException.Of("1006", n)).ToHashSet(StringComparer.Ordinal);
        var leadIds = LeadIds(request);
        return Task.FromResult(Page(request, a =>
            (leadIds is null || leadIds.Contains(a.LeadId)) &&
            (a.ActivityTypeId == ActivityTypes.NewLead || (a.ActivityTypeId == ActivityTypes.ChangeDataValue && fields.Contains(a.Field!.Name))),
            LeadChangeJson));
    }

    private Task<JsonObject> Activities(MarketoRequest request)
    {
        var typeTexts = request.ListParam("activityTypeIds");
        if (typeTexts.Length == 0) throw MarketoException.Of("1002", "activityTypeIds");
        if (typeTexts.Length > 10) throw new MarketoException("1003", "Too many activity type ids, max 10 allowed");
        var types = typeTexts.Select(t => int.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : throw new MarketoException("1003", $"Invalid activity type id '{t}'")).ToHashSet();
        var leadIds = LeadIds(request);
        return Task.FromResult(Page(request, a => types.Contains(a.ActivityTypeId) && (leadIds is null || leadIds.Contains(a.LeadId)), ActivityJson));
    }

    private Task<JsonObject> Types(MarketoRequest request)
    {
        static JsonObject Attr(string name, string type) => new() { ["name"] = name, ["dataType"] = type };
        static JsonObject Type(int id, string name, string description, JsonObject primary, params JsonObject[] attributes)
            => new() { ["id"] = id, ["name"] = name, ["description"] = description, ["primaryAttribute"] = primary, ["attributes"] = new JsonArray(attributes) };
        var result = new JsonArray(
            Type(1, "Visit Webpage", "User visits a web page", Attr("Webpage ID", "integer"), Attr("Client IP Address", "string"), Attr("Query Parameters", "string")),
            Type(2, "Fill Out Form", "User fills out and submits a form", Attr("Webform ID", "integer"), Attr("Client IP Address", "string")),
            Type(6, "Send Email", "Send a Marketo Email to a person", Attr("Mailing ID", "integer"), Attr("Campaign Run ID", "integer")),
            Type(ActivityTypes.NewLead, "New Lead", "New person", Attr("Lead ID", "integer"), Attr("Created Date", "date"), Attr("Source Type", "string"), Attr("Source", "string")),
            Type(ActivityTypes.ChangeDataValue, "Change Data Value", "Changed attribute value for a person", Attr("Attribute Name", "integer"),
                Attr("New Value", "string"), Attr("Old Value", "string"), Attr("Reason", "string"), Attr("Source", "string")),
            Type(ActivityTypes.DeleteLead, "Delete Lead", "Delete a person", Attr("Lead ID", "integer"), Attr("Remove from CRM", "boolean")));
        return Task.FromResult(MarketoEnvelope.Success(result));
    }

    private static HashSet<long>? LeadIds(MarketoRequest request)
    {
        var texts = request.ListParam("leadIds");
        if (texts.Length == 0) return null;
        if (texts.Length > 30) throw new MarketoException("1003", "Too many lead ids, max 30 allowed");
        return texts.Select(t => long.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : throw new MarketoException("1003", $"Invalid lead id '{t}'")).ToHashSet();
    }

    private JsonObject Page(MarketoRequest request, Func<ActivityRecord, bool> match, Func<ActivityRecord, JsonObject> render)
    {
        var token = request.Param("nextPageToken") ?? throw MarketoException.Of("1002", "nextPageToken");
        var (position, page) = PagingTokens.ReadActivities(token);
        var batchSize = request.BatchSize(options.MaxBatchSize);
        var scanLimit = int.MaxValue;
        var roll = Mix(position, page);
        if (options.ShortPageRate > 0 && (roll % 10_000) / 10_000.0 < options.ShortPageRate)
            scanLimit = (roll >> 20) % 2 == 0 ? 0 : (int)((roll >> 21) % (ulong)batchSize); // an empty page, or a short one
        var (items, next, more) = store.Activities.Scan(position, scanLimit, batchSize, match);

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

    private static JsonObject Common(ActivityRecord a) => new()
    {
        ["id"] = a.Id,
        ["marketoGUID"] = a.Id.ToString(CultureInfo.InvariantCulture),
        ["leadId"] = a.LeadId,
        ["activityDate"] = MarketoDates.Format(a.ActivityDate),
        ["activityTypeId"] = a.ActivityTypeId,
    };

    private static JsonObject LeadChangeJson(ActivityRecord a)
    {
        var item = Common(a);
        var fields = new JsonArray();
        if (a.ActivityTypeId == ActivityTypes.ChangeDataValue)
        {
            // A cleared value is reported as "" (the spec types newValue as a required string).
            var change = new JsonObject { ["id"] = a.Field!.Id, ["name"] = a.Field.Name, ["newValue"] = a.NewValue ?? "" };
            if (a.OldValue is not null) change["oldValue"] = a.OldValue;
            fields.Add(change);
        }
        item["fields"] = fields;
        item["attributes"] = Attributes(a);
        return item;
    }

    private static JsonObject ActivityJson(ActivityRecord a)
    {
        var item = Common(a);
        if (a.ActivityTypeId == ActivityTypes.ChangeDataValue)
        {
            item["primaryAttributeValueId"] = a.Field!.Id;
            item["primaryAttributeValue"] = a.Field.DisplayName;
        }
        else
        {
            item["primaryAttributeValueId"] = a.LeadId;
            item["primaryAttributeValue"] = a.LeadName;
        }
        var attributes = Attributes(a);
        if (a.ActivityTypeId == ActivityTypes.ChangeDataValue)
        {
            attributes.Insert(0, new JsonObject { ["name"] = "New Value", ["value"] = a.NewValue });
            attributes.Insert(1, new JsonObject { ["name"] = "Old Value", ["value"] = a.OldValue });
        }
        item["attributes"] = attributes;
        return item;
    }

    private static JsonArray Attributes(ActivityRecord a) => a.ActivityTypeId switch
    {
        ActivityTypes.NewLead => new JsonArray(
            new JsonObject { ["name"] = "Created Date", ["value"] = a.ActivityDate.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) },
            new JsonObject { ["name"] = "Source Type", ["value"] = a.Source == ActivitySources.WebServiceApi ? "Web service API" : "New lead" },
            new JsonObject { ["name"] = "Source", ["value"] = a.Source }),
        ActivityTypes.ChangeDataValue => new JsonArray(
            new JsonObject { ["name"] = "Reason", ["value"] = a.Source == ActivitySources.WebServiceApi ? "Web service API" : "Changed by " + a.Source },
            new JsonObject { ["name"] = "Source", ["value"] = a.Source }),
        _ => new JsonArray(new JsonObject { ["name"] = "Source", ["value"] = a.Source }),
    };
}
