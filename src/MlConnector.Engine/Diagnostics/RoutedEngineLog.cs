namespace MlConnector.Engine.Diagnostics;

/// <summary>
/// A log that speaks through whichever log the current flow of work has chosen with <see cref="Use"/>, and is silent
/// otherwise. Clients outlive the command that connected them: handed this log, each later command hears their verbose,
/// debug and wait lines in its own streams while it works (the choice flows with async calls, so parallel runspaces
/// each hear their own).
/// </summary>
public sealed class RoutedEngineLog : IEngineLog
{
    private static readonly AsyncLocal<IEngineLog?> Current = new();

    public static readonly RoutedEngineLog Instance = new();

    private RoutedEngineLog() { }

    /// <summary>Routes this flow's lines to <paramref name="log"/> until the returned scope is disposed.</summary>
    public static IDisposable Use(IEngineLog log)
    {
        var previous = Current.Value;
        Current.Value = log;
        return new Scope(previous);
    }

    public void Verbose(string message) => Current.Value?.Verbose(message);

    public void Debug(string message) => Current.Value?.Debug(message);

    public void Warning(string code, string message) => Current.Value?.Warning(code, message);

    public void Waiting(TimeSpan length, string cause) => Current.Value?.Waiting(length, cause);

    private sealed class Scope(IEngineLog? previous) : IDisposable
    {
        public void Dispose() => Current.Value = previous;
    }
}
