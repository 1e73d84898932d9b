using System.Management.Automation;
using MlConnector.Engine.Hosting;

namespace MlConnector.Cmdlets;

[Cmdlet(VerbsCommon.Get, "MlModuleInfo")]
[OutputType(typeof(EngineRuntimeInfo))]
public sealed class GetMlModuleInfoCommand : PSCmdlet
{
    protected override void EndProcessing()
    {
        var engine = EngineRuntime.Describe();
        var moduleVersion = MyInvocation.MyCommand.Module?.Version?.ToString();
        WriteObject(moduleVersion is null ? engine : engine with { ModuleVersion = moduleVersion });
    }
}
