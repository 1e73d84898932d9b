namespace MlConnector.Engine.Tests.Marketo;

/// <summary>Tests that move the process's local time zone run alone, after the parallel tests.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MachineTimeZoneCollection
{
    public const string Name = "Machine time zone";
}
