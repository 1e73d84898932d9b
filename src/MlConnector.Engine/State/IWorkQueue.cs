namespace MlConnector.Engine.State;

/// <summary>
/// One pair's durable work queue in one direction: enqueue (upsert by job id), take pending work in order, complete or
/// park. Source-number patterns use <c>*</c> (any run of characters) and <c>?</c> (one character), case-insensitive.
/// </summary>
public interface IWorkQueue
{
    /// <summary>Adds or refreshes jobs in one batch. A parked job enqueued again becomes pending with the new payload.</summary>
    int Enqueue(IEnumerable<QueuedJob> jobs, DateTimeOffset now);

    /// <summary>Up to <paramref name="max"/> jobs in enqueue order, optionally of one target type and matching any of the patterns.</summary>
    IReadOnlyList<QueuedJob> Take(QueuedJobStatus status, string? targetType, int max, IReadOnlyCollection<string>? sourceNumberPatterns = null);

    ISet<string> JobIds(QueuedJobStatus status);

    int Count(QueuedJobStatus status);

    /// <summary>Removes finished jobs, unless they were enqueued again (a newer payload) since they were taken.</summary>
    void Complete(IEnumerable<QueuedJob> jobs);

    /// <summary>Parks jobs that failed permanently, with the reason, for replay.</summary>
    void Park(IEnumerable<(QueuedJob Job, string Reason)> failures, DateTimeOffset now);

    /// <summary>Moves parked jobs back to pending: all, or those matching any of the patterns.</summary>
    int Unpark(IReadOnlyCollection<string>? sourceNumberPatterns, DateTimeOffset now);
}
