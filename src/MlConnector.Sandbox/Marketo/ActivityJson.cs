using System.Globalization;
using System.Text.Json.Nodes;

namespace MlConnector.Sandbox.Marketo;

/// <summary>
/// Activities as the change feed shows them (activities.md; shared/api/marketo.md §6). Change Data Value carries
/// Reason, Source and Lead ID (the docs' leadchanges example); activities an API call made also carry "api method
/// name", "request id" and "modifying user" (recorded real responses), which is how an API write is told apart from an
/// edit in the Marketo UI.
/// </summary>
internal static class ActivityJson
{
    private static JsonObject Attribute(string name, JsonNode? value) => new() { ["name"] = name, ["value"] = value };

    private static JsonObject Common(ActivityRecord a) => new()
    {
        ["id"] = a.Id,
        ["marketoGUID"] = a.Id.ToString(CultureInfo.InvariantCulture),
        ["leadId"] = a.LeadId,
        ["activityDate"] = MarketoDates.Format(a.ActivityDate),
        ["activityTypeId"] = a.ActivityTypeId,
    };

    public static JsonObject LeadChange(ActivityRecord a)
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

    public static JsonObject Activity(ActivityRecord a)
    {
        var item = Common(a);
        var changed = a.ActivityTypeId == ActivityTypes.ChangeDataValue;
        item["primaryAttributeValueId"] = changed ? a.Field!.Id : a.LeadId;
        item["primaryAttributeValue"] = changed ? a.Field!.DisplayName : a.LeadName;
        var attributes = Attributes(a);
        if (changed)
        {
            attributes.Insert(0, Attribute("New Value", a.NewValue));
            attributes.Insert(1, Attribute("Old Value", a.OldValue));
        }
        item["attributes"] = attributes;
        return item;
    }

    /// <summary>Get Deleted Leads: the lead id and name as primary attribute, no secondary attributes (the docs' example).</summary>
    public static JsonObject DeletedLead(ActivityRecord a)
    {
        var item = Common(a);
        item["primaryAttributeValueId"] = a.LeadId;
        item["primaryAttributeValue"] = a.LeadName;
        item["attributes"] = new JsonArray();
        return item;
    }

    private static JsonArray Attributes(ActivityRecord a)
    {
        var origin = a.Origin;
        var list = a.ActivityTypeId switch
        {
            ActivityTypes.NewLead => new JsonArray(
                Attribute("Created Date", a.ActivityDate.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)),
                Attribute("Source Type", origin.IsApi ? ActivitySources.WebServiceApi : "New lead")),
            ActivityTypes.ChangeDataValue => new JsonArray(
                Attribute("Reason", origin.IsApi ? ActivitySources.WebServiceApi : "Changed by user"),
                Attribute("Source", origin.Source),
                Attribute("Lead ID", a.LeadId)),
            _ => new JsonArray(Attribute("Source", origin.Source)),
        };
        if (origin.IsApi)
        {
            list.Add(Attribute("api method name", origin.ApiMethod));
            list.Add(Attribute("modifying user", origin.ModifyingUser));
            list.Add(Attribute("request id", origin.RequestId));
        }
        else if (origin.ModifyingUser is not null) list.Add(Attribute("modifying user", origin.ModifyingUser));
        return list;
    }

    /// <summary>activities/types.json: the types the simulator records and a few common ones (attribute names as describe spells them).</summary>
    public static JsonArray Types()
    {
        static JsonObject Attr(string name, string type) => new() { ["name"] = name, ["dataType"] = type };
        static JsonObject Type(int id, string name, string description, JsonObject primary, params JsonObject[] attributes)
            => new() { ["id"] = id, ["name"] = name, ["description"] = description, ["primaryAttribute"] = primary, ["attributes"] = new JsonArray(attributes) };
        static JsonObject[] ApiAttributes() => [Attr("API Method Name", "string"), Attr("Modifying User", "string"), Attr("Request Id", "string")];
        return new JsonArray(
            Type(1, "Visit Webpage", "User visits a web page", Attr("Webpage ID", "integer"), Attr("Client IP Address", "string"), Attr("Query Parameters", "string")),
            Type(2, "Fill Out Form", "User fills out and submits a form", Attr("Webform ID", "integer"), Attr("Client IP Address", "string")),
            Type(6, "Send Email", "Send a Marketo Email to a person", Attr("Mailing ID", "integer"), Attr("Campaign Run ID", "integer")),
            Type(ActivityTypes.NewLead, "New Lead", "New person/record is added to the lead database", Attr("Lead ID", "integer"),
                [Attr("Created Date", "date"), Attr("Source Type", "string"), .. ApiAttributes()]),
            Type(ActivityTypes.ChangeDataValue, "Change Data Value", "Changed attribute value for a person", Attr("Attribute Name", "integer"),
                [Attr("New Value", "string"), Attr("Old Value", "string"), Attr("Reason", "string"), Attr("Source", "string"), Attr("Lead ID", "integer"), .. ApiAttributes()]),
            Type(ActivityTypes.DeleteLead, "Delete Lead", "Delete a person", Attr("Lead ID", "integer"), Attr("Remove from CRM", "boolean")));
    }
}
