using System.Text.Json.Nodes;

namespace MlConnector.Sandbox.Marketo;

/// <summary>
/// Sync Leads (POST /rest/v1/leads.json) and Delete Leads, record by record, per shared/api/marketo.md §5. Each call is
/// entered in the <see cref="MarketoWriteLog"/>; with <see cref="MarketoOptions.ConcurrentUpsertDuplicates"/> on, a
/// createOrUpdate does not see leads created by a call that was in flight at the same time (both create).
/// </summary>
public sealed class LeadSync(MarketoStore store, MarketoOptions options, MarketoWriteLog writes)
{
    private static readonly string[] Actions = { "createOnly", "updateOnly", "createOrUpdate", "createDuplicate" };

    public JsonArray Sync(MarketoRequest request)
    {
        var body = request.Body;
        var lookupText = body?["lookupField"] is JsonValue l && l.TryGetValue<string>(out var lt) ? lt : "email";
        var keys = (body?["input"] as JsonArray ?? new JsonArray()).Select(i => (i as JsonObject)?[lookupText] is JsonValue v ? v.ToString() : null).OfType<string>();
        var call = writes.Begin("lead", request, keys);
        try
        {
            return Sync(body, request.Now, call, ActivityOrigin.Api("syncLead", request.RequestId, options.ApiUser));
        }
        finally
        {
            writes.Complete(call);
        }
    }

    private JsonArray Sync(JsonNode? body, DateTimeOffset now, MarketoWriteCall call, ActivityOrigin origin)
    {
        var action = body?["action"]?.GetValue<string>() ?? "createOrUpdate";
        if (!Actions.Contains(action)) throw new MarketoException("1003", $"Invalid action '{action}'");
        var lookupName = body?["lookupField"]?.GetValue<string>() ?? "email";
        var lookup = store.LeadSchema.Find(lookupName);
        if (lookup is null || !lookup.Searchable) throw new MarketoException("1011", $"Lookup field '{lookupName}' not supported");
        var input = Input(body, "Leads not specified");

        var partitionName = body?["partitionName"]?.GetValue<string>();
        var partitionId = 1;
        string? partitionError = null;
        if (partitionName is not null && action is "createOnly" or "createOrUpdate")
        {
            var index = options.Partitions.IndexOf(partitionName);
            if (index < 0) partitionError = partitionName; else partitionId = index + 1;
        }

        var result = new JsonArray();
        lock (store.Gate)
        {
            foreach (var item in input)
            {
                result.Add(partitionError is not null
                    ? Skipped("1008", MarketoErrors.Message("1008", partitionError))
                    : SyncOne(item as JsonObject, action, lookup, partitionId, now, call, origin));
            }
        }
        return result;
    }

    /// <summary>The input array, ≤ MaxBatchSize (1003 otherwise).</summary>
    public JsonArray Input(JsonNode? body, string missingMessage)
    {
        if (body?["input"] is not JsonArray input || input.Count == 0) throw new MarketoException("1003", missingMessage);
        if (input.Count > options.MaxBatchSize) throw new MarketoException("1003", $"Too many records in input, max {options.MaxBatchSize} allowed");
        return input;
    }

    /// <summary>
    /// One row of a bulk import (insert or update; update only when the lookup field is id), with the REST rules.
    /// The caller holds <see cref="MarketoStore.Gate"/>. Returns {id, status} or a skipped item with its reason.
    /// </summary>
    public JsonObject ImportRow(JsonObject record, FieldDef lookup, int partitionId, DateTimeOffset now, ActivityOrigin origin)
        => SyncOne(record, lookup.Name == "id" ? "updateOnly" : "createOrUpdate", lookup, partitionId, now, null, origin);

    private JsonObject SyncOne(JsonObject? record, string action, FieldDef lookup, int partitionId, DateTimeOffset now, MarketoWriteCall? call, ActivityOrigin origin)
    {
        if (record is null) return Skipped("1003", MarketoErrors.Message("1003"));
        var values = new List<(FieldDef Field, string? Value)>();
        foreach (var (name, node) in record)
        {
            var field = store.LeadSchema.Find(name);
            if (field is null) return Skipped("1006", MarketoErrors.Message("1006", name));
            // Read-only fields (and id outside updateOnly) are refused like the documented "id with createOnly" case.
            if (!field.Updateable && !(field == lookup && field.Name == "id" && action == "updateOnly"))
                return Skipped("1003", MarketoErrors.Message("1003"));
            var checkedValue = FieldSchema.Validate(field, node);
            if (!checkedValue.Ok) return Skipped(checkedValue.Code!, checkedValue.Message!);
            values.Add((field, checkedValue.Value));
        }

        LeadRecord? existing = null;
        if (action != "createDuplicate")
        {
            var key = values.FirstOrDefault(v => v.Field == lookup).Value;
            if (key is null && action != "createOnly") return Skipped("1003", MarketoErrors.Message("1003"));
            var matches = key is null ? Array.Empty<long>() : store.FindLeads(lookup.Name, key);
            if (matches.Count > 1) return Skipped("1007", MarketoErrors.Message("1007"));
            if (matches.Count == 1) existing = store.Lead(matches[0]);
            // Adobe documents that closely timed upserts of the same new lead can both create it (leads.md).
            if (existing is not null && call is not null && action == "createOrUpdate" && options.ConcurrentUpsertDuplicates
                && writes.Get(existing.CreatedByCall) is { } creator && creator.Overlaps(call))
                existing = null;
            if (existing is not null && action == "createOnly") return Skipped("1005", MarketoErrors.Message("1005"));
            if (existing is null && action == "updateOnly") return Skipped("1004", MarketoErrors.Message("1004"));
        }

        // Company fields belong to the company once the lead is linked (Sync Companies writes them).
        var linkTo = values.FirstOrDefault(v => v.Field.Name == "externalCompanyId");
        var external = linkTo.Field is not null ? linkTo.Value : existing?.Fields.GetValueOrDefault("externalCompanyId");
        if (external is not null && store.CompanyByExternalId(external) is not null && values.Any(v => v.Field.CompanyField is not null))
            return Skipped("1021", MarketoErrors.Message("1021"));
        if (external is not null && linkTo.Field is not null && store.CompanyByExternalId(external) is null && options.UnknownCompanyLink == UnknownCompanyLinkMode.Skipped)
            return Skipped("1013", MarketoErrors.Message("1013"));

        if (existing is null)
        {
            var lead = store.CreateLead(now, partitionId);
            lead.CreatedByCall = call?.Id ?? 0;
            foreach (var (field, value) in values) store.SetLeadField(lead, field, value);
            store.Relink(lead);
            store.Activities.Add(lead.Id, now, ActivityTypes.NewLead, origin, MarketoStore.LeadName(lead));
            return new JsonObject { ["id"] = lead.Id, ["status"] = "created" };
        }

        Apply(existing, values.Where(v => v.Field.Name != "id"), now, origin);
        return new JsonObject { ["id"] = existing.Id, ["status"] = "updated" };
    }

    /// <summary>Writes changed values and records one Change Data Value activity per changed field.</summary>
    public int Apply(LeadRecord lead, IEnumerable<(FieldDef Field, string? Value)> values, DateTimeOffset now, ActivityOrigin origin)
    {
        var changed = 0;
        foreach (var (field, value) in values)
        {
            var old = lead.Fields.GetValueOrDefault(field.Name);
            if (string.Equals(old, value, StringComparison.Ordinal)) continue;
            store.SetLeadField(lead, field, value);
            store.Activities.Add(lead.Id, now, ActivityTypes.ChangeDataValue, origin, field: field, newValue: value, oldValue: old);
            changed++;
        }
        if (changed > 0) lead.UpdatedAt = now;
        store.Relink(lead);
        return changed;
    }

    public JsonArray Delete(IReadOnlyList<long> ids, MarketoRequest request)
    {
        var now = request.Now;
        var origin = ActivityOrigin.Api("deleteLead", request.RequestId, options.ApiUser);
        if (ids.Count == 0) throw new MarketoException("1003", "Leads not specified");
        if (ids.Count > options.MaxBatchSize) throw new MarketoException("1003", $"Too many records in input, max {options.MaxBatchSize} allowed");
        var result = new JsonArray();
        lock (store.Gate)
        {
            foreach (var id in ids)
            {
                var lead = store.Lead(id);
                if (lead is null)
                {
                    var skipped = Skipped("1004", MarketoErrors.Message("1004"));
                    skipped.Insert(0, "id", id);
                    result.Add(skipped);
                    continue;
                }
                var name = MarketoStore.LeadName(lead);
                store.DeleteLead(id);
                store.Activities.Add(id, now, ActivityTypes.DeleteLead, origin, name);
                result.Add(new JsonObject { ["id"] = id, ["status"] = "deleted" });
            }
        }
        return result;
    }

    public static JsonObject Skipped(string code, string message)
        => new() { ["status"] = "skipped", ["reasons"] = MarketoEnvelope.Reasons(code, message) };
}
