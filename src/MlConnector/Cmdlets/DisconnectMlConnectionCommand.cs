using System.Management.Automation;
using MlConnector.Connections;
using MlConnector.Infrastructure;

namespace MlConnector.Cmdlets;

/// <summary>Forgets a service (or all, with the state store it names) of a connection; the runspace's default unless -Connection is given.</summary>
[Cmdlet(VerbsCommunications.Disconnect, "MlConnection")]
[OutputType(typeof(void))]
public sealed class DisconnectMlConnectionCommand : ConnectedCmdlet
{
    [Parameter(Position = 0)]
    [ValidateSet("BusinessCentral", "Marketo", "StateStore", "All")]
    public string Service { get; set; } = "All";

    protected override void EndProcessing()
    {
        var connection = Connection ?? DefaultConnection.Current;
        if (connection is null) return;
        if (Service is "BusinessCentral" or "All")
        {
            connection.BusinessCentral?.Client.Dispose();
            connection.BusinessCentral = null;
        }
        if (Service is "Marketo" or "All")
        {
            connection.Marketo?.Client.Dispose();
            connection.Marketo = null;
        }
        if (Service is "StateStore" or "All") connection.StateStore = null;
        if (Connection is null && connection.BusinessCentral is null && connection.Marketo is null && connection.StateStore is null) DefaultConnection.Set(null);
    }
}
