using System.Reflection;
using MlConnector.Engine.Hosting;

namespace MlConnector.Engine.Tests.Hosting;

public sealed class AssemblyIsolationTests
{
    private static readonly Assembly Engine = typeof(EngineRuntime).Assembly;

    [Fact]
    public void Engine_references_no_System_Management_Automation()
    {
        var references = Engine.GetReferencedAssemblies().Select(a => a.Name).ToArray();
        Assert.DoesNotContain("System.Management.Automation", references);
        Assert.DoesNotContain(references, name => name!.StartsWith("Microsoft.PowerShell", StringComparison.Ordinal));
    }

    [Fact]
    public void Engine_exposes_no_PowerShell_types_in_its_public_surface()
    {
        var leaking = Engine.GetExportedTypes()
            .SelectMany(t => t.GetMembers(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly))
            .Where(m => m.ToString()!.Contains("System.Management.Automation", StringComparison.Ordinal))
            .Select(m => m.DeclaringType + "." + m.Name)
            .ToArray();
        Assert.Empty(leaking);
    }

    [Fact]
    public void Engine_targets_net8_so_PowerShell_7_4_can_load_it()
    {
        var framework = Engine.GetCustomAttribute<System.Runtime.Versioning.TargetFrameworkAttribute>()!.FrameworkName;
        Assert.Equal(".NETCoreApp,Version=v8.0", framework);
    }
}
