using System.Management.Automation;
using MlConnector.Engine.Hosting;
using MlConnector.Output;

namespace MlConnector.Cmdlets;

[Cmdlet(VerbsCommon.Get, "MlModuleInfo")]
[OutputType(typeof(ModuleInfo))]
public sealed class GetMlModuleInfoCommand : PSCmdlet
{
    protected override void EndProcessing()
    {
        var engine = EngineRuntime.Describe();
        WriteObject(new ModuleInfo
        {
            ModuleVersion = MyInvocation.MyCommand.Module?.Version?.ToString() ?? engine.EngineVersion,
            EngineVersion = engine.EngineVersion,
            LoadContext = engine.LoadContext,
            MsalVersion = engine.MsalVersion,
            MsalLoadContext = engine.MsalLoadContext,
            SqliteVersion = engine.SqliteVersion,
            SqliteProviderVersion = engine.SqliteProviderVersion,
            PollyVersion = engine.PollyVersion,
            Runtime = engine.Runtime,
            Platform = engine.Platform,
        });
    }
}
