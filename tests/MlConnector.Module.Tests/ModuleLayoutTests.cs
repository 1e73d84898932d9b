using System.Reflection;

namespace MlConnector.Module.Tests;

public sealed class ModuleLayoutTests
{
    [Fact]
    public void Cmdlet_assembly_references_only_the_framework_PowerShell_and_the_engine()
    {
        var cmdlets = AssemblyName.GetAssemblyName(Path.Combine(BuiltModule.Folder, "MlConnector.dll"));
        using var context = new MetadataProbe(Path.Combine(BuiltModule.Folder, "MlConnector.dll"));
        var unexpected = context.References
            .Where(name => name is not ("System.Management.Automation" or "MlConnector.Engine" or "netstandard")
                && !name.StartsWith("System.", StringComparison.Ordinal) && name != "System")
            .ToArray();
        Assert.Equal("MlConnector", cmdlets.Name);
        Assert.Empty(unexpected);
    }

    [Fact]
    public void Get_MlModuleInfo_runs_in_a_hosted_runspace_with_the_engine_isolated()
    {
        using var host = new HostedPowerShell();
        var info = Assert.Single(host.Invoke("Get-MlModuleInfo"));
        Assert.Equal("MlConnector", info.Properties["LoadContext"].Value);
        Assert.StartsWith("4.92.", (string)info.Properties["MsalVersion"].Value, StringComparison.Ordinal);
        Assert.Equal("MlConnector", info.Properties["AzureCoreLoadContext"].Value);
        Assert.StartsWith("12.13.", (string)info.Properties["AzureTablesVersion"].Value, StringComparison.Ordinal);
    }

    /// <summary>Reads an assembly's references without loading it into any context.</summary>
    private sealed class MetadataProbe : IDisposable
    {
        private readonly FileStream _stream;
        private readonly System.Reflection.PortableExecutable.PEReader _reader;

        public MetadataProbe(string path)
        {
            _stream = File.OpenRead(path);
            _reader = new System.Reflection.PortableExecutable.PEReader(_stream);
            var metadata = System.Reflection.Metadata.PEReaderExtensions.GetMetadataReader(_reader);
            References = metadata.AssemblyReferences.Select(h => metadata.GetString(metadata.GetAssemblyReference(h).Name)).ToArray();
        }

        public IReadOnlyList<string> References { get; }

        public void Dispose()
        {
            _reader.Dispose();
            _stream.Dispose();
        }
    }
}
