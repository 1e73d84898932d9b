using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace MlConnector.Sandbox.Marketo;

/// <summary>The Marketo switches under /admin/marketo/...: CRM sync, limits, short pages, marketing edits, token, state.</summary>
internal static class MarketoAdmin
{
    public static void Map(IEndpointRouteBuilder admin, MarketoSimulator marketo)
    {
        var options = marketo.Options;
        var group = admin.MapGroup("/marketo");
        group.MapGet("/state", () => Results.Ok(State(marketo)));
        group.MapPost("/crm-sync", (CrmSyncSwitch body) =>
        {
            if (body.Mode is not null)
            {
                if (!Enum.TryParse<CrmSyncMode>(body.Mode, ignoreCase: true, out var mode)) return Results.BadRequest(new { error = $"Unknown mode '{body.Mode}'.", modes = Enum.GetNames<CrmSyncMode>() });
                options.CrmSyncMode = mode;
            }
            options.CrmSync = body.Enabled;
            return Results.Ok(State(marketo));
        });
        group.MapPost("/limits", (LimitsSwitch body) =>
        {
            if (body.RateLimit is { } rate) options.RateLimit = rate;
            if (body.RateWindowSeconds is { } window) options.RateWindow = TimeSpan.FromSeconds(window);
            if (body.ConcurrencyLimit is { } concurrency) options.ConcurrencyLimit = concurrency;
            if (body.DailyQuota is { } quota) options.DailyQuota = quota;
            if (body.ProcessingDelayMs is { } delay) options.ProcessingDelay = TimeSpan.FromMilliseconds(delay);
            return Results.Ok(State(marketo));
        });
        group.MapPost("/short-pages", (ShortPagesSwitch body) =>
        {
            if (body.Rate is < 0 or > 1) return Results.BadRequest(new { error = "rate must be between 0 and 1" });
            options.ShortPageRate = body.Rate;
            return Results.Ok(State(marketo));
        });
        group.MapPost("/leads/{id:long}/marketing-edit", (long id, MarketingEditRequest body) =>
        {
            try
            {
                var changed = marketo.MarketingEdit(id, body.Fields ?? new Dictionary<string, string?>());
                return Results.Ok(new { changed, lead = marketo.Lead(id) });
            }
            catch (KeyNotFoundException error) { return Results.NotFound(new { error = error.Message }); }
            catch (ArgumentException error) { return Results.BadRequest(new { error = error.Message }); }
        });
        group.MapPost("/leads", (MarketingCreateRequest body) =>
        {
            var leads = body.Leads ?? (body.Fields is null ? [] : [body.Fields]);
            var ids = new List<long>(leads.Count);
            try
            {
                foreach (var fields in leads) ids.Add(marketo.MarketingCreate(fields));
            }
            catch (ArgumentException error) { return Results.BadRequest(new { error = error.Message, created = ids }); }
            return Results.Ok(new { ids });
        });
        group.MapGet("/leads/{id:long}", (long id) => marketo.Lead(id) is { } lead ? Results.Ok(lead) : Results.NotFound());
        group.MapGet("/leads", (int? skip, int? take) => Results.Ok(marketo.Leads().Skip(skip ?? 0).Take(take ?? 1000)));
        group.MapGet("/companies", (int? skip, int? take) => Results.Ok(marketo.Companies().Skip(skip ?? 0).Take(take ?? 1000)));
        group.MapPost("/token/expire", () => { marketo.Tokens.ExpireNow(); return Results.NoContent(); });
        group.MapGet("/tokens", () => Results.Ok(new { tokens = marketo.Tokens.Minted() }));
        group.MapPost("/usage/reset", () => { marketo.Limiter.Reset(); return Results.NoContent(); });
        MarketoSwitchAdmin.Map(group, marketo);
    }

    private static object State(MarketoSimulator marketo)
    {
        var o = marketo.Options;
        return new
        {
            munchkinId = o.MunchkinId,
            crmSync = o.CrmSync,
            crmSyncMode = o.CrmSyncMode.ToString(),
            rateLimit = o.RateLimit,
            rateWindowSeconds = o.RateWindow.TotalSeconds,
            concurrencyLimit = o.ConcurrencyLimit,
            dailyQuota = o.DailyQuota,
            processingDelayMs = o.ProcessingDelay.TotalMilliseconds,
            shortPageRate = o.ShortPageRate,
            leads = marketo.LeadCount,
            companies = marketo.CompanyCount,
            activities = marketo.ActivityCount,
            callsToday = marketo.Limiter.CallsToday(),
            tokensIssued = marketo.Tokens.Issued,
            switches = MarketoSwitchAdmin.Switches(o),
        };
    }

    internal sealed record CrmSyncSwitch(bool Enabled, string? Mode);

    internal sealed record LimitsSwitch(int? RateLimit, double? RateWindowSeconds, int? ConcurrencyLimit, int? DailyQuota, double? ProcessingDelayMs);

    internal sealed record ShortPagesSwitch(double Rate);

    internal sealed record MarketingEditRequest(Dictionary<string, string?>? Fields);

    /// <summary>One lead ({"fields": {...}}) or several ({"leads": [{...}, ...]}) created by marketing.</summary>
    internal sealed record MarketingCreateRequest(Dictionary<string, string?>? Fields, List<Dictionary<string, string?>>? Leads);
}
