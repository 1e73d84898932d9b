using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using MlConnector.Sandbox.Core;

namespace MlConnector.Sandbox.Entra;

// STUB: replaced by the Entra/BC helper.
public sealed class EntraSimulator(EntraOptions options, SandboxClock clock) : IServiceSimulator
{
    public EntraOptions Options { get; } = options;
    public SandboxClock Clock { get; } = clock;
    public void MapEndpoints(IEndpointRouteBuilder endpoints) { }
    public void MapAdminEndpoints(IEndpointRouteBuilder admin) { }
    public Task WriteFaultAsync(HttpContext context, FaultRule rule)
    {
        context.Response.StatusCode = rule.HttpStatus ?? 500;
        return Task.CompletedTask;
    }
}
