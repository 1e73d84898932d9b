namespace MlConnector.Engine.State;

/// <summary>
/// Pending: waits to be sent. Parked: refused by the target, waits for a replay. Answered: the target has answered
/// for it but its audit line could not be written yet; it is neither sent again nor settled until that line exists.
/// </summary>
public enum QueuedJobStatus { Pending, Parked, Answered }

/// <summary>
/// One record to send. <see cref="JobId"/> is keyed on the BC number (e.g. "company:C00010"), so the same
/// record enqueued by a notification and by the poll is one job carrying the latest payload.
/// </summary>
public sealed record QueuedJob(
    string JobId,
    string TargetType,
    string SourceType,
    string SourceNumber,
    string Payload,
    QueuedJobStatus Status,
    int Attempts,
    string? LastError,
    DateTimeOffset EnqueuedAt,
    DateTimeOffset UpdatedAt);
