using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace MlConnector.Sandbox.Core;

/// <summary>One simulated vendor service, composed into the sandbox host.</summary>
public interface IServiceSimulator
{
    /// <summary>Maps the vendor's own routes.</summary>
    void MapEndpoints(IEndpointRouteBuilder endpoints);

    /// <summary>Maps this service's switches under the admin group (already prefixed with /admin).</summary>
    void MapAdminEndpoints(IEndpointRouteBuilder admin);

    /// <summary>Writes an injected fault (HTTP status and/or vendor error code) in this vendor's real body shape.</summary>
    Task WriteFaultAsync(HttpContext context, FaultRule rule);
}
