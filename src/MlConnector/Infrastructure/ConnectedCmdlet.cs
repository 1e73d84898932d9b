using System.Management.Automation;
using MlConnector.Connections;

namespace MlConnector.Infrastructure;

/// <summary>A cmdlet that works on a connection: the one passed with -Connection, else this runspace's default.</summary>
public abstract class ConnectedCmdlet : AsyncCmdlet
{
    /// <summary>The connection to use; default: the last Connect-Ml* in this runspace.</summary>
    [Parameter]
    [ValidateNotNull]
    public MlConnection? Connection { get; set; }

    /// <summary>The connection, or a terminating "NotConnected" error naming what to run.</summary>
    internal MlConnection RequireConnection()
    {
        var connection = Connection ?? DefaultConnection.Current;
        if (connection is null || (connection.BusinessCentral is null && connection.Marketo is null))
            ThrowNotConnected("Not connected: run Connect-MlBusinessCentral and/or Connect-MlMarketo first, or pass -Connection.");
        return connection!;
    }

    internal BusinessCentralSession RequireBusinessCentral()
    {
        var session = (Connection ?? DefaultConnection.Current)?.BusinessCentral;
        if (session is null) ThrowNotConnected("Not connected to Business Central: run Connect-MlBusinessCentral first, or pass -Connection.");
        return session!;
    }

    internal MarketoSession RequireMarketo()
    {
        var session = (Connection ?? DefaultConnection.Current)?.Marketo;
        if (session is null) ThrowNotConnected("Not connected to Marketo: run Connect-MlMarketo first, or pass -Connection.");
        return session!;
    }

    private void ThrowNotConnected(string message) => ThrowTerminatingError(ErrorRecords.Create(
        new InvalidOperationException(message), ErrorIdPrefix + "NotConnected", ErrorCategory.ConnectionError, null,
        "Run Connect-MlBusinessCentral and/or Connect-MlMarketo (or Connect-Ml... -Profile <name>), or pass -Connection."));
}
