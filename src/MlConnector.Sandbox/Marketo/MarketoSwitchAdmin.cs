using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace MlConnector.Sandbox.Marketo;

/// <summary>
/// The issue-12 switches under /admin/marketo/...: POST switches (upsert duplicates, unknown links, late activities, bulk
/// rates and the export allowance), GET/DELETE writes (the write log), and static lists.
/// </summary>
internal static class MarketoSwitchAdmin
{
    public static void Map(RouteGroupBuilder group, MarketoSimulator marketo)
    {
        var options = marketo.Options;
        group.MapGet("/switches", () => Results.Ok(Switches(options)));
        group.MapPost("/switches", (SwitchesBody body) =>
        {
            if (body.UnknownCompanyLink is { } link)
            {
                if (!Enum.TryParse<UnknownCompanyLinkMode>(link, ignoreCase: true, out var mode)) return Results.BadRequest(new { error = $"Unknown mode '{link}'.", modes = Enum.GetNames<UnknownCompanyLinkMode>() });
                options.UnknownCompanyLink = mode;
            }
            if (body.UnknownSalesPerson is { } salesPerson)
            {
                if (!Enum.TryParse<UnknownSalesPersonMode>(salesPerson, ignoreCase: true, out var mode)) return Results.BadRequest(new { error = $"Unknown mode '{salesPerson}'.", modes = Enum.GetNames<UnknownSalesPersonMode>() });
                options.UnknownSalesPerson = mode;
            }
            if (body.SalesPersons is { } people) { options.SalesPersons.Clear(); foreach (var p in people) options.SalesPersons.Add(p); }
            if (body.ConcurrentUpsertDuplicates is { } duplicates) options.ConcurrentUpsertDuplicates = duplicates;
            if (body.OutOfOrderSeconds is { } late) options.OutOfOrderWindow = TimeSpan.FromSeconds(late);
            if (body.UpdatedAtExportFilter is { } updatedAt) options.UpdatedAtExportFilter = updatedAt;
            if (body.BulkImportRowsPerSecond is { } importRate) options.BulkImportRowsPerSecond = importRate;
            if (body.BulkExportRecordsPerSecond is { } exportRate) options.BulkExportRecordsPerSecond = exportRate;
            if (body.BulkExportFailures is { } failures) options.BulkExportFailures = failures;
            if (body.DailyExportQuotaMb is { } quota) options.DailyExportQuotaBytes = (long)(quota * 1024 * 1024);
            return Results.Ok(Switches(options));
        });
        group.MapGet("/writes", () => Results.Ok(marketo.Writes.Snapshot()));
        group.MapDelete("/writes", () => { marketo.Writes.Clear(); return Results.NoContent(); });
        group.MapPost("/lists", (ListBody body) => Results.Ok(new { id = marketo.CreateList(body.Name ?? "List", body.LeadIds) }));
        group.MapPost("/lists/{id:long}/members", (long id, ListBody body) =>
        {
            try { marketo.AddToList(id, body.LeadIds ?? []); }
            catch (KeyNotFoundException error) { return Results.NotFound(new { error = error.Message }); }
            return Results.Ok(new { id, members = marketo.ListMembers(id) });
        });
        group.MapGet("/lists/{id:long}", (long id) => Results.Ok(new { id, members = marketo.ListMembers(id) }));
    }

    public static object Switches(MarketoOptions o) => new
    {
        concurrentUpsertDuplicates = o.ConcurrentUpsertDuplicates,
        unknownCompanyLink = o.UnknownCompanyLink.ToString(),
        unknownSalesPerson = o.UnknownSalesPerson.ToString(),
        salesPersons = o.SalesPersons,
        outOfOrderSeconds = o.OutOfOrderWindow.TotalSeconds,
        updatedAtExportFilter = o.UpdatedAtExportFilter,
        bulkImportRowsPerSecond = o.BulkImportRowsPerSecond,
        bulkExportRecordsPerSecond = o.BulkExportRecordsPerSecond,
        dailyExportQuotaMb = o.DailyExportQuotaBytes / (1024.0 * 1024.0),
        bulkExportFailures = o.BulkExportFailures,
    };

    internal sealed record SwitchesBody(bool? ConcurrentUpsertDuplicates, string? UnknownCompanyLink, string? UnknownSalesPerson, List<string>? SalesPersons,
        double? OutOfOrderSeconds, bool? UpdatedAtExportFilter, int? BulkImportRowsPerSecond, int? BulkExportRecordsPerSecond, double? DailyExportQuotaMb,
        int? BulkExportFailures = null);

    internal sealed record ListBody(string? Name, List<long>? LeadIds);
}
