using System.Management.Automation.Runspaces;
using System.Runtime.CompilerServices;

namespace MlConnector.Connections;

/// <summary>
/// The connection cmdlets use when -Connection is not given, one per runspace: ForEach-Object -Parallel and
/// thread jobs each get their own runspace, so they cannot overwrite each other's tenant.
/// </summary>
internal static class DefaultConnection
{
    private static readonly ConditionalWeakTable<Runspace, Slot> Slots = new();

    public static MlConnection? Current =>
        Runspace.DefaultRunspace is { } runspace && Slots.TryGetValue(runspace, out var slot) ? slot.Connection : null;

    public static void Set(MlConnection? connection)
    {
        var runspace = Runspace.DefaultRunspace ?? throw new InvalidOperationException("No runspace on this thread.");
        Slots.GetValue(runspace, _ => new Slot()).Connection = connection;
    }

    /// <summary>
    /// Applies <paramref name="update"/> to <paramref name="given"/> (-Connection), or to a copy of this runspace's default
    /// that then becomes the default — a new object, so a connection captured earlier with -PassThru keeps pointing where it did.
    /// </summary>
    public static MlConnection Update(MlConnection? given, Action<MlConnection> update)
    {
        if (given is not null)
        {
            update(given);
            return given;
        }
        var connection = Current?.Copy() ?? new MlConnection();
        update(connection);
        Set(connection);
        return connection;
    }

    /// <summary>Forgets the current runspace's connection (Remove-Module).</summary>
    public static void Reset()
    {
        if (Runspace.DefaultRunspace is { } runspace) Slots.Remove(runspace);
    }

    private sealed class Slot
    {
        public MlConnection? Connection { get; set; }
    }
}
