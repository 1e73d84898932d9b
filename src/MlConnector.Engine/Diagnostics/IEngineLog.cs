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

    /// <summary>
    /// A wait the engine is about to make (the quota gate, a Retry-After, a retry's back-off) and its cause. By default
    /// a verbose line; a host with a progress bar may also show it there while it lasts.
    /// </summary>
    void Waiting(TimeSpan length, string cause) => Verbose(EngineWaits.Describe(length, cause));
}

/// <summary>How a wait reads in the verbose story.</summary>
public static class EngineWaits
{
    public static string Describe(TimeSpan length, string cause) => length < TimeSpan.FromSeconds(1)
        ? $"Waiting {length.TotalMilliseconds.ToString("0", System.Globalization.CultureInfo.InvariantCulture)} ms: {cause.TrimEnd('.')}."
        : $"Waiting {length.TotalSeconds.ToString("0.#", System.Globalization.CultureInfo.InvariantCulture)} s: {cause.TrimEnd('.')}.";
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

    /// <summary>The reverse flow had no watermark and no -Since: it started from now, importing nothing older.</summary>
    public const string LeadChangesFromNow = "LeadChangesFromNow";

    /// <summary>The stored change-feed watermark was refused; the feed was read again from the time it stood for.</summary>
    public const string LeadChangesRestarted = "LeadChangesRestarted";

    /// <summary>Marketo answered 1035 to the updatedAt filter: the backfill used createdAt windows (leads created earlier and changed since are missed).</summary>
    public const string BackfillByCreatedAt = "BackfillByCreatedAt";

    /// <summary>Marketo's bulk export allowance or queue is used up (1029): the backfill stopped cleanly and resumes on a later run.</summary>
    public const string BackfillStopped = "BackfillStopped";

    /// <summary>A new customer number could not be written back to Marketo; the next BC → Marketo pass writes it.</summary>
    public const string WriteBackFailed = "WriteBackFailed";

    /// <summary>A webhook subscription's clientState could not be had (not in the vault, not given): its notifications are rejected, and it cannot be re-created.</summary>
    public const string ClientStateUnavailable = "ClientStateUnavailable";

    /// <summary>A webhook subscription could not be renewed or re-created (the handshake failed, BC refused): the poll still covers its changes.</summary>
    public const string SubscriptionNotRenewed = "SubscriptionNotRenewed";

    /// <summary>A notification batch could not be queued (the state store refused it) and was answered 5xx: Business Central delivers it again.</summary>
    public const string NotificationNotQueued = "NotificationNotQueued";

    /// <summary>A notification worker's pass failed (BC or Marketo unreachable, the store locked); what was queued stays queued and is tried again.</summary>
    public const string NotificationWorkerFailed = "NotificationWorkerFailed";

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
