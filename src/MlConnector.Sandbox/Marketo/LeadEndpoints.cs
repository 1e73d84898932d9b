using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;

namespace MlConnector.Sandbox.Marketo;

/// <summary>/rest/v1/leads.json (sync, get by filter), lead/{id}.json, describe, describe2, delete.</summary>
public sealed class LeadEndpoints(MarketoStore store, MarketoOptions options, LeadSync sync)
{
    private static readonly string[] DefaultFields = { "id", "email", "updatedAt", "createdAt", "firstName", "lastName" };
    private const int MaxMatches = 1000;

    public void Map(IEndpointRouteBuilder endpoints, MarketoGate gate)
    {
        endpoints.Map("/rest/v1/leads.json", gate.Route(Query, Sync));
        endpoints.Map("/rest/v1/lead/{leadId}.json", gate.Route(ById, null));
        endpoints.Map("/rest/v1/leads/describe.json", gate.Route(Describe, null));
        endpoints.Map("/rest/v1/leads/describe2.json", gate.Route(Describe2, null));
        endpoints.Map("/rest/v1/leads/delete.json", gate.Route(null, Delete));
    }

    private Task<JsonObject> Sync(MarketoRequest request)
        => Task.FromResult(MarketoEnvelope.Success(sync.Sync(request)));

    private Task<JsonObject> Delete(MarketoRequest request)
    {
        var ids = request.ListParam("id").Select(ParseId).ToList();
        if (ids.Count == 0 && request.Body?["input"] is JsonArray input)
        {
            if (input.Count > options.MaxBatchSize) throw new MarketoException("1003", $"Too many records in input, max {options.MaxBatchSize} allowed");
            ids.AddRange(input.Select(item => item?["id"]?.GetValue<long>() ?? throw MarketoException.Of("1002", "id")));
        }
        return Task.FromResult(MarketoEnvelope.Success(sync.Delete(ids, request)));
    }

    private Task<JsonObject> Query(MarketoRequest request)
    {
        var filterType = request.Param("filterType") ?? throw MarketoException.Of("1002", "filterType");
        var values = request.ListParam("filterValues");
        if (values.Length == 0) throw MarketoException.Of("1002", "filterValues");
        var filter = store.LeadSchema.Find(filterType);
        // Date filters (createdAt/updatedAt) and other non-searchable fields are refused (vendor note §5.2).
        if (filter is null || !filter.Searchable) throw new MarketoException("1011", $"Lookup field '{filterType}' not supported");
        if (values.Length > options.MaxBatchSize) throw new MarketoException("1003", $"Too many filter values, max {options.MaxBatchSize} allowed");
        var fields = Fields(request.ListParam("fields"));
        var batchSize = request.BatchSize(options.MaxBatchSize);
        var after = request.Param("nextPageToken") is { } token ? PagingTokens.ReadRecords(token) : long.MinValue;

        var result = new JsonArray();
        var body = MarketoEnvelope.Success(result);
        lock (store.Gate)
        {
            var ids = new SortedSet<long>();
            foreach (var value in values) ids.UnionWith(store.FindLeads(filter.Name, value));
            if (ids.Count > MaxMatches) throw new MarketoException("1003", "Too many results match the filter");
            var page = ids.Where(id => id > after).Take(batchSize + 1).ToList();
            foreach (var id in page.Take(batchSize)) result.Add(LeadJson(store.Lead(id)!, fields));
            if (page.Count > batchSize)
            {
                body["moreResult"] = true;
                body["nextPageToken"] = PagingTokens.Records(page[batchSize - 1]);
            }
        }
        return Task.FromResult(body);
    }

    private Task<JsonObject> ById(MarketoRequest request)
    {
        var id = ParseId(request.Context.Request.RouteValues["leadId"]?.ToString() ?? "");
        var fields = Fields(request.ListParam("fields"));
        var result = new JsonArray();
        lock (store.Gate)
        {
            if (store.Lead(id) is { } lead) result.Add(LeadJson(lead, fields));
        }
        return Task.FromResult(MarketoEnvelope.Success(result));
    }

    private Task<JsonObject> Describe(MarketoRequest request)
    {
        var result = new JsonArray();
        foreach (var field in store.LeadSchema.Fields)
        {
            var item = new JsonObject { ["id"] = field.Id, ["displayName"] = field.DisplayName, ["dataType"] = field.DataType };
            if (field.Length is { } length) item["length"] = length;
            item["rest"] = new JsonObject { ["name"] = field.Name, ["readOnly"] = !field.Updateable };
            item["soap"] = new JsonObject { ["name"] = SoapName(field.Name), ["readOnly"] = !field.Updateable };
            result.Add(item);
        }
        return Task.FromResult(MarketoEnvelope.Success(result));
    }

    private Task<JsonObject> Describe2(MarketoRequest request)
    {
        var searchable = new JsonArray();
        foreach (var field in store.LeadSchema.Fields.Where(f => f.Searchable)) searchable.Add(new JsonArray(field.Name));
        var fields = new JsonArray();
        foreach (var field in store.LeadSchema.Fields)
        {
            var item = new JsonObject { ["name"] = field.Name, ["displayName"] = field.DisplayName, ["dataType"] = field.DataType };
            if (field.Length is { } length) item["length"] = length;
            item["updateable"] = field.Updateable;
            item["crmManaged"] = options.CrmSync && field.CompanyField is not null;
            fields.Add(item);
        }
        var api = new JsonObject { ["name"] = "API Lead", ["searchableFields"] = searchable, ["fields"] = fields };
        return Task.FromResult(MarketoEnvelope.Success(new JsonArray(api)));
    }

    private List<FieldDef> Fields(string[] names)
    {
        var list = new List<FieldDef>();
        foreach (var name in names.Length == 0 ? DefaultFields : names)
            list.Add(store.LeadSchema.Find(name) ?? throw MarketoException.Of("1006", name));
        return list;
    }

    /// <summary>id first, then every requested field; a field without a value is null.</summary>
    private JsonObject LeadJson(LeadRecord lead, List<FieldDef> fields)
    {
        var item = new JsonObject { ["id"] = lead.Id };
        foreach (var field in fields)
            if (field.Name != "id") item[field.Name] = FieldSchema.ToJson(field, store.ReadLeadField(lead, field));
        return item;
    }

    private static long ParseId(string text)
        => long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : throw new MarketoException("1003", $"Invalid id '{text}'");

    private static string SoapName(string rest) => rest.Length == 0 ? rest : char.ToUpperInvariant(rest[0]) + rest[1..];
}
