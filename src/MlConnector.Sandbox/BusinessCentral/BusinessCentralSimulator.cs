using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using MlConnector.Sandbox.Core;
using MlConnector.Sandbox.Entra;

namespace MlConnector.Sandbox.BusinessCentral;

// STUB: replaced by the Entra/BC helper.
public sealed class BusinessCentralSimulator(BusinessCentralOptions options, SandboxClock clock, EntraSimulator entra) : IServiceSimulator
{
    public BusinessCentralOptions Options { get; } = options;
    public SandboxClock Clock { get; } = clock;
    public EntraSimulator Entra { get; } = entra;
    public void Seed(int customers, int seed) { }
    public IReadOnlyList<string> ContactEmails() => Array.Empty<string>();
    public void MapEndpoints(IEndpointRouteBuilder endpoints) { }
    public void MapAdminEndpoints(IEndpointRouteBuilder admin) { }
    public Task WriteFaultAsync(HttpContext context, FaultRule rule)
    {
        context.Response.StatusCode = rule.HttpStatus ?? 500;
        return Task.CompletedTask;
    }
}
