namespace MlConnector.Engine.Mapping;

/// <summary>A Marketo field as describe reports it, reduced to what mapping validation needs.</summary>
public sealed record TargetField(string Name, bool Updateable);
