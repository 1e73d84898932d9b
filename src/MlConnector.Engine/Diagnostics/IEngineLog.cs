namespace MlConnector.Engine.Diagnostics;

/// <summary>
/// The engine's only way to speak: the cmdlet layer routes these to WriteVerbose/WriteDebug/WriteWarning
/// on the pipeline thread. Messages must already be free of secrets and tokens (see <see cref="Redactor"/>).
/// </summary>
public interface IEngineLog
{
    void Verbose(string message);

    void Debug(string message);

    void Warning(string message);
}

public sealed class NullEngineLog : IEngineLog
{
    public static readonly NullEngineLog Instance = new();

    public void Verbose(string message) { }

    public void Debug(string message) { }

    public void Warning(string message) { }
}
