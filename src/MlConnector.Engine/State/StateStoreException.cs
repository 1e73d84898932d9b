namespace MlConnector.Engine.State;

/// <summary>The state database could not be opened, created or written.</summary>
public sealed class StateStoreException : Exception
{
    public StateStoreException(string message, Exception innerException) : base(message, innerException) { }
}
