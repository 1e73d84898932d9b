using System.Management.Automation;
using MlConnector.Engine.Connections;

namespace MlConnector.Infrastructure;

/// <summary>
/// Where the sync keeps its local files: &lt;home&gt;/state/mlconnector.db and &lt;home&gt;/audit/, home being the
/// same folder the connection profiles live in ($MLCONNECTOR_HOME, else ~/.mlconnector or %APPDATA%\MlConnector).
/// -StatePath and -AuditPath override them per call; relative paths resolve against the current location.
/// </summary>
internal static class LocalPaths
{
    public static string DefaultStatePath => Path.Combine(ConnectionProfileStore.DefaultHome(), "state", "mlconnector.db");

    public static string DefaultAuditPath => Path.Combine(ConnectionProfileStore.DefaultHome(), "audit");

    public static string StatePath(PSCmdlet cmdlet, string? given) => given is null ? DefaultStatePath : Resolve(cmdlet, given);

    public static string AuditPath(PSCmdlet cmdlet, string? given) => given is null ? DefaultAuditPath : Resolve(cmdlet, given);

    private static string Resolve(PSCmdlet cmdlet, string path) => cmdlet.SessionState.Path.GetUnresolvedProviderPathFromPSPath(path);
}
