using System.Management.Automation;
using System.Reflection;
using System.Runtime.Loader;

namespace MlConnector.Loading;

/// <summary>
/// Wires the default load context to hand MlConnector.Engine (and only it) to the private context;
/// the engine's own references then resolve inside that context.
/// </summary>
public sealed class ModuleInitializer : IModuleAssemblyInitializer, IModuleAssemblyCleanup
{
    private const string EngineAssemblyName = "MlConnector.Engine";
    private static readonly object Gate = new();
    private static DependencyLoadContext? _context;

    internal static DependencyLoadContext Context
    {
        get
        {
            lock (Gate)
            {
                if (_context is null)
                {
                    var moduleFolder = Path.GetDirectoryName(typeof(ModuleInitializer).Assembly.Location)!;
                    _context = new DependencyLoadContext(Path.Combine(moduleFolder, "Dependencies"));
                }
                return _context;
            }
        }
    }

    public void OnImport()
    {
        AssemblyLoadContext.Default.Resolving -= ResolveEngine;
        AssemblyLoadContext.Default.Resolving += ResolveEngine;
    }

    public void OnRemove(PSModuleInfo psModuleInfo)
    {
        // A re-imported module starts disconnected in this runspace; other runspaces keep their own connection.
        Connections.DefaultConnection.Reset();
        Infrastructure.NotificationListeners.StopAll();
        AssemblyLoadContext.Default.Resolving -= ResolveEngine;
    }

    private static Assembly? ResolveEngine(AssemblyLoadContext defaultContext, AssemblyName name)
    {
        return string.Equals(name.Name, EngineAssemblyName, StringComparison.Ordinal)
            ? Context.LoadFromAssemblyName(name)
            : null;
    }
}
