namespace MlConnector.Engine.State;

/// <summary>The state store could not be opened, created, read or written (missing rights, a damaged file, a locked database).</summary>
public sealed class StateStoreException : MlConnectorException
{
    public const string Id = "StateStoreUnavailable";

    public StateStoreException(string message, Exception innerException)
        : base(Id, MlErrorCategory.ResourceUnavailable, message, innerException) { }
}
