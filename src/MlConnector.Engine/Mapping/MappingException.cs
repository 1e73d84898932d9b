namespace MlConnector.Engine.Mapping;

/// <summary>A mapping that cannot be used: bad file, unknown source property, unknown or read-only Marketo field, or a record that must not cross.</summary>
public sealed class MappingException : MlConnectorException
{
    public MappingException(string errorId, string message, string? field = null, Exception? innerException = null)
        : base(errorId, MlErrorCategory.InvalidConfiguration, message, innerException)
    {
        Field = field;
    }

    /// <summary>The Marketo or BC field the problem is about, when there is one.</summary>
    public string? Field { get; }
}
