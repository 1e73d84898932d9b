using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using MlConnector.Sandbox.Core;

namespace MlConnector.Sandbox.Marketo;

// STUB: replaced by the Marketo helper.
public sealed class MarketoSimulator(MarketoOptions options, SandboxClock clock) : IServiceSimulator
{
    public MarketoOptions Options { get; } = options;
    public SandboxClock Clock { get; } = clock;
    public void SeedLeads(int count, int seed, IReadOnlyList<string> knownEmails) { }
    public void MapEndpoints(IEndpointRouteBuilder endpoints) { }
    public void MapAdminEndpoints(IEndpointRouteBuilder admin) { }
    public Task WriteFaultAsync(HttpContext context, FaultRule rule)
    {
        context.Response.StatusCode = rule.HttpStatus ?? 500;
        return Task.CompletedTask;
    }
}
