using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;

namespace MlConnector.Sandbox.Marketo;

/// <summary>
/// /rest/v1/companies.json (sync, get), companies/describe.json, companies/delete.json (shared/api/marketo.md §7).
/// While <see cref="MarketoOptions.CrmSync"/> is on, writes are refused per <see cref="MarketoOptions.CrmSyncMode"/>;
/// reads keep working.
/// </summary>
public sealed class CompanyEndpoints(MarketoStore store, MarketoOptions options, LeadSync leads, MarketoWriteLog writes)
{
    private static readonly string[] Actions = { "createOnly", "updateOnly", "createOrUpdate" };

    public void Map(IEndpointRouteBuilder endpoints, MarketoGate gate)
    {
        endpoints.Map("/rest/v1/companies.json", gate.Route(Query, Sync));
        endpoints.Map("/rest/v1/companies/describe.json", gate.Route(Describe, null));
        endpoints.Map("/rest/v1/companies/delete.json", gate.Route(null, Delete));
    }

    private Task<JsonObject> Sync(MarketoRequest request)
    {
        var action = request.Body?["action"]?.GetValue<string>() ?? "createOrUpdate";
        if (!Actions.Contains(action)) throw new MarketoException("1003", $"Invalid action '{action}'");
        var byId = DedupeById(request.Body?["dedupeBy"]?.GetValue<string>());
        var input = leads.Input(request.Body, "Companies not specified");
        var call = writes.Begin("company", request, input.Select(i => (i as JsonObject)?[byId ? "id" : "externalCompanyId"] is JsonValue v ? v.ToString() : null).OfType<string>());
        try
        {
            return Task.FromResult(MarketoEnvelope.Success(SyncAll(input, action, byId, request.Now)));
        }
        finally
        {
            writes.Complete(call);
        }
    }

    private JsonArray SyncAll(JsonArray input, string action, bool byId, DateTimeOffset now)
    {
        if (CrmManaged()) return CrmSkipped(input, byId);
        var result = new JsonArray();
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        lock (store.Gate)
        {
            for (var seq = 0; seq < input.Count; seq++)
            {
                var item = SyncOne(input[seq] as JsonObject, action, byId, seen, now);
                item.Insert(0, "seq", seq);
                result.Add(item);
            }
        }
        return result;
    }

    private JsonObject SyncOne(JsonObject? record, string action, bool byId, HashSet<string> seen, DateTimeOffset now)
    {
        if (record is null) return LeadSync.Skipped("1003", MarketoErrors.Message("1003"));
        var key = byId ? "id" : "externalCompanyId";
        var other = byId ? "externalCompanyId" : "id";
        var keyText = record[key]?.ToString();
        if (string.IsNullOrEmpty(keyText)) return LeadSync.Skipped("1002", MarketoErrors.Message("1002", key));
        if (record.ContainsKey(other) || (byId && action == "createOnly")) return LeadSync.Skipped("1003", MarketoErrors.Message("1003"));
        // The same key twice in one call: the later records are skipped.
        if (!seen.Add(keyText)) return LeadSync.Skipped("1036", MarketoErrors.Message("1036"));

        var values = new List<(FieldDef Field, string? Value)>();
        foreach (var (name, node) in record)
        {
            if (name == key) continue;
            var field = store.CompanySchema.Find(name);
            if (field is null) return LeadSync.Skipped("1006", MarketoErrors.Message("1006", name));
            if (!field.Updateable) return LeadSync.Skipped("1003", MarketoErrors.Message("1003"));
            var checkedValue = FieldSchema.Validate(field, node);
            if (!checkedValue.Ok) return LeadSync.Skipped(checkedValue.Code!, checkedValue.Message!);
            values.Add((field, checkedValue.Value));
        }
        if (!byId && keyText.Length > 100) return LeadSync.Skipped("1001", MarketoErrors.Message("1001", keyText, "string"));
        if (options.UnknownSalesPerson == UnknownSalesPersonMode.Skipped
            && values.FirstOrDefault(v => v.Field.Name == "externalSalesPersonId").Value is { } salesPerson && !options.SalesPersons.Contains(salesPerson))
            return LeadSync.Skipped("718", MarketoErrors.Message("718"));

        var existing = byId
            ? (long.TryParse(keyText, NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? store.Company(id) : null)
            : store.CompanyByExternalId(keyText);
        if (existing is not null && action == "createOnly") return WithId(LeadSync.Skipped("1017", MarketoErrors.Message("1017")), existing.Id);
        if (existing is null && (action == "updateOnly" || byId)) return LeadSync.Skipped("1013", MarketoErrors.Message("1013"));

        var status = existing is null ? "created" : "updated";
        var company = existing ?? store.CreateCompany(keyText, now);
        var changed = false;
        foreach (var (field, value) in values)
        {
            if (string.Equals(company.Fields.GetValueOrDefault(field.Name), value, StringComparison.Ordinal)) continue;
            if (value is null) company.Fields.Remove(field.Name); else company.Fields[field.Name] = value;
            changed = true;
        }
        if (changed && existing is not null) company.UpdatedAt = now;
        return new JsonObject { ["id"] = company.Id, ["status"] = status };
    }

    private Task<JsonObject> Delete(MarketoRequest request)
    {
        var byId = DedupeById(request.Body?["deleteBy"]?.GetValue<string>());
        var input = leads.Input(request.Body, "Companies not specified");
        if (CrmManaged()) return Task.FromResult(MarketoEnvelope.Success(CrmSkipped(input, byId)));
        var result = new JsonArray();
        lock (store.Gate)
        {
            for (var seq = 0; seq < input.Count; seq++)
            {
                var company = Existing(input[seq], byId);
                JsonObject item;
                if (company is null) item = LeadSync.Skipped("1013", "Record not found");
                else
                {
                    store.DeleteCompany(company.Id);
                    item = new JsonObject { ["id"] = company.Id, ["status"] = "deleted" };
                }
                item.Insert(0, "seq", seq);
                result.Add(item);
            }
        }
        return Task.FromResult(MarketoEnvelope.Success(result));
    }

    private Task<JsonObject> Query(MarketoRequest request)
    {
        var filterType = request.Param("filterType") ?? throw MarketoException.Of("1002", "filterType");
        filterType = filterType switch { "idField" => "id", "dedupeFields" => "externalCompanyId", _ => filterType };
        if (filterType is not ("id" or "externalCompanyId" or "company")) throw new MarketoException("1011", $"Lookup field '{filterType}' not supported");
        var values = request.ListParam("filterValues");
        if (values.Length == 0) throw MarketoException.Of("1002", "filterValues");
        if (values.Length > options.MaxBatchSize) throw new MarketoException("1003", $"Too many filter values, max {options.MaxBatchSize} allowed");
        var names = request.ListParam("fields");
        var fields = (names.Length == 0 ? new[] { "id", "externalCompanyId", "updatedAt", "createdAt" } : names)
            .Select(n => store.CompanySchema.Find(n) ?? throw MarketoException.Of("1006", n)).ToList();
        var batchSize = request.BatchSize(options.MaxBatchSize);
        var after = request.Param("nextPageToken") is { } token ? PagingTokens.ReadRecords(token) : long.MinValue;

        var result = new JsonArray();
        var body = MarketoEnvelope.Success(result);
        lock (store.Gate)
        {
            var matches = new SortedDictionary<long, CompanyRecord>();
            foreach (var value in values)
            {
                IEnumerable<CompanyRecord?> found = filterType switch
                {
                    "id" => new[] { long.TryParse(value, out var id) ? store.Company(id) : null },
                    "externalCompanyId" => new[] { store.CompanyByExternalId(value) },
                    _ => store.Companies.Cast<CompanyRecord?>().Where(c => string.Equals(c!.Fields.GetValueOrDefault("company"), value, StringComparison.OrdinalIgnoreCase)),
                };
                foreach (var company in found) if (company is not null) matches[company.Id] = company;
            }
            var page = matches.Values.Where(c => c.Id > after).Take(batchSize + 1).ToList();
            for (var i = 0; i < Math.Min(batchSize, page.Count); i++)
            {
                var item = new JsonObject { ["seq"] = i, ["id"] = page[i].Id };
                foreach (var field in fields)
                    if (field.Name != "id") item[field.Name] = FieldSchema.ToJson(field, store.ReadCompanyField(page[i], field));
                result.Add(item);
            }
            if (page.Count > batchSize)
            {
                body["moreResult"] = true;
                body["nextPageToken"] = PagingTokens.Records(page[batchSize - 1].Id);
            }
        }
        return Task.FromResult(body);
    }

    private Task<JsonObject> Describe(MarketoRequest request)
    {
        var fields = new JsonArray();
        foreach (var field in store.CompanySchema.Fields)
        {
            var item = new JsonObject { ["name"] = field.Name, ["displayName"] = field.DisplayName, ["dataType"] = field.DataType };
            if (field.Length is { } length) item["length"] = length;
            item["updateable"] = field.Updateable && !options.CrmSync;
            item["crmManaged"] = options.CrmSync;
            fields.Add(item);
        }
        var stamp = MarketoDates.Format(new DateTimeOffset(2020, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var meta = new JsonObject
        {
            ["name"] = "Company", ["apiName"] = "company", ["displayName"] = "Company", ["pluralName"] = "Companies",
            ["description"] = "Company object", ["createdAt"] = stamp, ["updatedAt"] = stamp,
            ["idField"] = "id", ["dedupeFields"] = new JsonArray("externalCompanyId"),
            ["searchableFields"] = new JsonArray(new JsonArray("externalCompanyId"), new JsonArray("id"), new JsonArray("company")),
            ["relationships"] = new JsonArray(), ["status"] = "approved", ["state"] = "approved", ["version"] = "approved",
            ["fields"] = fields,
        };
        return Task.FromResult(MarketoEnvelope.Success(new JsonArray(meta)));
    }

    /// <summary>
    /// CRM-synced instances make companies read-only. The real error is undocumented (vendor note §8, NOT FOUND);
    /// the default mode skips each record with 1018 "CRM Enabled", the others fail the whole call.
    /// </summary>
    private bool CrmManaged()
    {
        if (!options.CrmSync) return false;
        return options.CrmSyncMode switch
        {
            CrmSyncMode.ResponseError1018 => throw MarketoException.Of("1018"),
            CrmSyncMode.AccessDenied603 => throw MarketoException.Of("603"),
            _ => true,
        };
    }

    private JsonArray CrmSkipped(JsonArray input, bool byId)
    {
        var result = new JsonArray();
        lock (store.Gate)
        {
            for (var seq = 0; seq < input.Count; seq++)
            {
                var item = LeadSync.Skipped("1018", MarketoErrors.Message("1018"));
                if (Existing(input[seq], byId) is { } company) item.Insert(0, "id", company.Id);
                item.Insert(0, "seq", seq);
                result.Add(item);
            }
        }
        return result;
    }

    private CompanyRecord? Existing(JsonNode? record, bool byId)
    {
        var keyText = record?[byId ? "id" : "externalCompanyId"]?.ToString();
        if (keyText is null) return null;
        return byId
            ? (long.TryParse(keyText, NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? store.Company(id) : null)
            : store.CompanyByExternalId(keyText);
    }

    private static bool DedupeById(string? dedupeBy) => dedupeBy switch
    {
        null or "dedupeFields" => false,
        "idField" => true,
        _ => throw new MarketoException("1003", $"Invalid dedupeBy '{dedupeBy}'"),
    };

    private static JsonObject WithId(JsonObject item, long id)
    {
        item.Insert(0, "id", id);
        return item;
    }
}
