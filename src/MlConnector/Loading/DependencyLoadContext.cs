using System.Reflection;
using System.Runtime.InteropServices;
using System.Runtime.Loader;

namespace MlConnector.Loading;

/// <summary>
/// The private load context for the engine and every third-party assembly it uses. Anything found in
/// the module's Dependencies/ folder loads here, so another module's Microsoft.Identity.Client in the
/// default context never meets ours; anything else (the framework) falls back to the default context.
/// </summary>
internal sealed class DependencyLoadContext : AssemblyLoadContext
{
    private readonly string _dependencyFolder;

    public DependencyLoadContext(string dependencyFolder)
        : base("MlConnector", isCollectible: false)
    {
        _dependencyFolder = dependencyFolder;
    }

    public string DependencyFolder => _dependencyFolder;

    protected override Assembly? Load(AssemblyName assemblyName)
    {
        var candidate = Path.Combine(_dependencyFolder, assemblyName.Name + ".dll");
        return File.Exists(candidate) ? LoadFromAssemblyPath(candidate) : null;
    }

    protected override IntPtr LoadUnmanagedDll(string unmanagedDllName)
    {
        foreach (var candidate in NativeCandidates(unmanagedDllName))
        {
            if (File.Exists(candidate)) return LoadUnmanagedDllFromPath(candidate);
        }
        return IntPtr.Zero;
    }

    private IEnumerable<string> NativeCandidates(string name)
    {
        var (prefix, extension) = OperatingSystem.IsWindows() ? ("", ".dll")
            : OperatingSystem.IsMacOS() ? ("lib", ".dylib")
            : ("lib", ".so");
        var fileNames = Path.HasExtension(name) ? new[] { name } : new[] { prefix + name + extension, name + extension };
        var native = Path.Combine(_dependencyFolder, "runtimes", RuntimeId(), "native");
        foreach (var file in fileNames)
        {
            yield return Path.Combine(native, file);
            yield return Path.Combine(_dependencyFolder, file);
        }
    }

    internal static string RuntimeId()
    {
        var os = OperatingSystem.IsWindows() ? "win" : OperatingSystem.IsMacOS() ? "osx" : "linux";
        var arch = RuntimeInformation.ProcessArchitecture switch
        {
            Architecture.X64 => "x64",
            Architecture.Arm64 => "arm64",
            Architecture.X86 => "x86",
            Architecture.Arm => "arm",
            var other => other.ToString().ToLowerInvariant(),
        };
        return os + "-" + arch;
    }
}
