using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace MlConnector.Sandbox.Core;

/// <summary>The standalone program's control surface: faults, clock and journal. Simulators add their own switches.</summary>
internal static class AdminEndpoints
{
    public static void Map(RouteGroupBuilder admin, SandboxHost host)
    {
        admin.MapGet("/faults", () => Results.Ok(host.Faults.Rules()));
        admin.MapPost("/faults", (FaultRule rule) =>
        {
            try { return Results.Ok(host.Faults.Add(rule)); }
            catch (ArgumentException e) { return Results.BadRequest(new { error = e.Message }); }
        });
        admin.MapDelete("/faults", () => { host.Faults.Clear(); return Results.NoContent(); });
        admin.MapDelete("/faults/{id}", (string id) => host.Faults.Remove(id) ? Results.NoContent() : Results.NotFound());
        admin.MapGet("/faults/held", () => Results.Ok(host.Faults.Held.Snapshot()));
        admin.MapPost("/faults/{id}/release", (string id) => Results.Ok(new { released = host.Faults.Held.Release(id) }));
        admin.MapPost("/faults/{id}/drop", (string id) => Results.Ok(new { dropped = host.Faults.Held.Drop(id) }));

        admin.MapGet("/clock", () => Results.Ok(new { utcNow = host.Clock.GetUtcNow(), offset = host.Clock.Offset }));
        admin.MapPost("/clock/advance", (ClockAdvance body) =>
        {
            host.Clock.Advance(TimeSpan.FromSeconds(body.Seconds));
            return Results.Ok(new { utcNow = host.Clock.GetUtcNow(), offset = host.Clock.Offset });
        });

        admin.MapGet("/journal", () => Results.Ok(host.Journal.Snapshot()));
        admin.MapDelete("/journal", () => { host.Journal.Clear(); return Results.NoContent(); });
    }

    public sealed record ClockAdvance(double Seconds);
}
