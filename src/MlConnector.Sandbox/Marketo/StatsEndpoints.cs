using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;

namespace MlConnector.Sandbox.Marketo;

/// <summary>/rest/v1/stats/usage.json and usage/last7days.json: counted calls per US-Central day for the API user.</summary>
public sealed class StatsEndpoints(MarketoOptions options, MarketoLimiter limiter)
{
    public void Map(IEndpointRouteBuilder endpoints, MarketoGate gate)
    {
        endpoints.Map("/rest/v1/stats/usage.json", gate.Route(r => Task.FromResult(Usage(r.Now, 1)), null));
        endpoints.Map("/rest/v1/stats/usage/last7days.json", gate.Route(r => Task.FromResult(Usage(r.Now, 7)), null));
    }

    private JsonObject Usage(DateTimeOffset now, int days)
    {
        var today = MarketoLimiter.CentralDate(now);
        var result = new JsonArray();
        for (var back = 0; back < days; back++)
        {
            var date = today.AddDays(-back);
            var count = limiter.CallsOn(date);
            var users = new JsonArray();
            if (count > 0) users.Add(new JsonObject { ["userId"] = options.ApiUser, ["count"] = count });
            result.Add(new JsonObject { ["date"] = MarketoDates.Format(MarketoLimiter.CentralMidnight(date)), ["total"] = count, ["users"] = users });
        }
        return MarketoEnvelope.Success(result);
    }
}
