using MlConnector.Engine.Audit;
using MlConnector.Engine.State;

namespace MlConnector.Engine.Sync;

/// <summary>
/// A record parked in a pair's work queue after its target refused it (Get-MlParkedRecord): why, since when, how
/// often. Flat, so it exports to CSV as it is.
/// </summary>
public sealed class ParkedRecord
{
    /// <summary>The sync pair whose queue holds it ('unclaimed': written before sync pairs, not yet adopted).</summary>
    public required string PairId { get; init; }
    public required SyncDirection Direction { get; init; }
    public required string SourceType { get; init; }
    public required string SourceNumber { get; init; }
    public required string TargetType { get; init; }

    /// <summary>The target's refusal the last time it was sent (for Marketo, its code and message).</summary>
    public string? Reason { get; init; }

    /// <summary>How many times it was sent and refused.</summary>
    public int Attempts { get; init; }

    /// <summary>When the record was first queued: it has waited since.</summary>
    public DateTimeOffset QueuedAt { get; init; }

    /// <summary>When it was last refused (and parked).</summary>
    public DateTimeOffset LastFailedAt { get; init; }

    internal string JobId { get; init; } = "";
}

/// <summary>Lists a pair's parked records and clears them (each cleared record leaves an audit line first).</summary>
public static class ParkedRecords
{
    /// <summary>The audit trail's action for a parked record an administrator cleared.</summary>
    public const string ClearedAction = "Cleared";

    /// <summary>Parked records whose BC number matches any of the patterns (* and ?; all, when none), oldest first.</summary>
    public static IReadOnlyList<ParkedRecord> List(IPairState state, IReadOnlyCollection<string>? sourceNumberPatterns, SyncDirection? direction = null)
    {
        ArgumentNullException.ThrowIfNull(state);
        var directions = direction is { } one ? [one] : Enum.GetValues<SyncDirection>();
        return directions.SelectMany(d => state.Queue(d).Take(QueuedJobStatus.Parked, null, int.MaxValue, sourceNumberPatterns).Select(job => new ParkedRecord
        {
            PairId = state.PairId, Direction = d, SourceType = job.SourceType, SourceNumber = job.SourceNumber, TargetType = job.TargetType,
            Reason = job.LastError, Attempts = job.Attempts, QueuedAt = job.EnqueuedAt, LastFailedAt = job.UpdatedAt, JobId = job.JobId,
        })).ToList();
    }

    /// <summary>
    /// Drops a parked record from the queue: it will not be sent. The audit line comes first; a record replayed or
    /// enqueued again since it was listed is left alone (false).
    /// </summary>
    public static bool Clear(IPairState state, ParkedRecord record, IAuditTrail audit, string correlationId, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(record);
        ArgumentNullException.ThrowIfNull(audit);
        var queue = state.Queue(record.Direction);
        var job = queue.Take(QueuedJobStatus.Parked, record.TargetType, int.MaxValue, [record.SourceNumber])
            .FirstOrDefault(j => j.JobId == record.JobId && j.UpdatedAt == record.LastFailedAt);
        if (job is null) return false;
        audit.Append(
        [
            new AuditRecord
            {
                Time = time.GetUtcNow(), CorrelationId = correlationId, Direction = record.Direction.ToString(), PairId = state.PairId,
                SourceType = job.SourceType, SourceNumber = job.SourceNumber, TargetType = job.TargetType, Action = ClearedAction,
                Reason = $"Cleared from the parked records after {job.Attempts} attempt(s); last refusal: {job.LastError}",
            },
        ]);
        queue.Complete([job]);
        return true;
    }
}
