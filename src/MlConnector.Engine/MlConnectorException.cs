namespace MlConnector.Engine;

/// <summary>What kind of failure an engine exception is; the cmdlet layer maps it to an ErrorCategory.</summary>
public enum MlErrorCategory
{
    Authentication,
    NotFound,
    Throttled,
    InvalidData,
    Connection,
    Quota,
    InvalidConfiguration,
    ResourceUnavailable,
    ResourceBusy,
}

/// <summary>
/// Base of every engine exception the cmdlets turn into an ErrorRecord. <see cref="ErrorId"/> is stable
/// (scripts and docs key on it); messages never contain secrets or tokens.
/// </summary>
public class MlConnectorException : Exception
{
    public MlConnectorException(string errorId, MlErrorCategory category, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        ArgumentException.ThrowIfNullOrEmpty(errorId);
        ErrorId = errorId;
        Category = category;
    }

    public string ErrorId { get; }

    public MlErrorCategory Category { get; }
}
