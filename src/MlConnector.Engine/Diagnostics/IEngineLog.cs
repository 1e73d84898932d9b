namespace MlConnector.Engine.Diagnostics;

/// <summary>
/// The engine's only way to speak: the cmdlet layer routes these to WriteVerbose/WriteDebug/WriteWarning
/// on the pipeline thread. Messages must already be free of secrets and tokens (see <see cref="Redactor"/>).
/// </summary>
public interface IEngineLog
{
    void Verbose(string message);

    void Debug(string message);

    /// <summary>A warning with a stable <paramref name="code"/> (see <see cref="EngineWarnings"/>) that callers key on; the message is for people.</summary>
    void Warning(string code, string message);
}

/// <summary>The stable codes engine warnings carry, so nothing above the engine matches message text.</summary>
public static class EngineWarnings
{
    /// <summary>Marketo Companies are read-only (CRM sync): company writes are skipped, leads are still written.</summary>
    public const string CrmSyncEnabled = "CrmSyncEnabled";

    /// <summary>The state store was created empty though runs went before it (it was deleted or emptied): every record is read and sent again.</summary>
    public const string StateCreated = "StateCreated";

    /// <summary>State written before sync pairs existed now belongs to the pair that opened the store first.</summary>
    public const string UnclaimedStateAdopted = "UnclaimedStateAdopted";

    /// <summary>A connection was allowed to an endpoint off the vendors' documented hosts (-AllowUntrustedEndpoint): secrets go there.</summary>
    public const string UntrustedEndpoint = "UntrustedEndpoint";

    /// <summary>The connection's daily Marketo call budget is spent: the run stopped sending; what is left stays queued for the next run.</summary>
    public const string DailyCallBudgetReached = "DailyCallBudgetReached";
}

public sealed class NullEngineLog : IEngineLog
{
    public static readonly NullEngineLog Instance = new();

    public void Verbose(string message) { }

    public void Debug(string message) { }

    public void Warning(string code, string message) { }
}
