using System.Management.Automation;
using MlConnector.Diagnostics;
using MlConnector.Infrastructure;
using MlConnector.Output;

namespace MlConnector.Cmdlets;

/// <summary>
/// Pings the real systems behind a connection with fresh sign-ins and emits one result per check, so a CI job
/// can assert (Test-MlConnection).Status -notcontains 'Failed'. Failures are results, not errors.
/// </summary>
[Cmdlet(VerbsDiagnostic.Test, "MlConnection")]
[OutputType(typeof(MlConnectionCheck))]
public sealed class TestMlConnectionCommand : ConnectedCmdlet
{
    protected override void EndProcessing()
    {
        var connection = RequireConnection();
        var bc = connection.BusinessCentral;
        var marketo = connection.Marketo;
        RunPumped(async cancel =>
        {
            if (bc is not null) await new BusinessCentralChecks(bc, EngineLog, QueueObject).RunAsync(cancel).ConfigureAwait(false);
            if (marketo is not null) await new MarketoChecks(marketo, EngineLog, QueueObject).RunAsync(cancel).ConfigureAwait(false);
        });
    }
}
