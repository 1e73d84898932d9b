namespace MlConnector.Engine.State;

/// <summary>
/// One pair's durable work queue in one direction: enqueue (upsert by job id), take pending work in order, complete or
/// park. Source-number patterns use <c>*</c> (any run of characters) and <c>?</c> (one character), case-insensitive.
/// </summary>
public interface IWorkQueue
{
    /// <summary>
    /// Adds or refreshes jobs in one batch. A parked job enqueued again becomes pending with the new payload; an
    /// answered one keeps its held answer (and becomes pending once that is settled, see <see cref="Complete"/>).
    /// </summary>
    int Enqueue(IEnumerable<QueuedJob> jobs, DateTimeOffset now);

    /// <summary>Up to <paramref name="max"/> jobs in enqueue order, optionally of one target type and matching any of the patterns.</summary>
    IReadOnlyList<QueuedJob> Take(QueuedJobStatus status, string? targetType, int max, IReadOnlyCollection<string>? sourceNumberPatterns = null);

    ISet<string> JobIds(QueuedJobStatus status);

    /// <summary>How many jobs have the status (of one target type, when given).</summary>
    int Count(QueuedJobStatus status, string? targetType = null);

    /// <summary>
    /// Removes finished jobs, unless they were enqueued again (a newer payload) since they were taken: those stay,
    /// pending (an answer held for them is dropped: it was settled).
    /// </summary>
    void Complete(IEnumerable<QueuedJob> jobs);

    /// <summary>Parks jobs that failed permanently, with the reason, for replay (dropping any answer held for them).</summary>
    void Park(IEnumerable<(QueuedJob Job, string Reason)> failures, DateTimeOffset now);

    /// <summary>
    /// Holds the target's answer (opaque text) with jobs whose audit line could not be written: they become
    /// <see cref="QueuedJobStatus.Answered"/>, are not taken as pending, and wait for <see cref="Answered"/>.
    /// </summary>
    void HoldAnswers(IEnumerable<(QueuedJob Job, string Answer)> answered);

    /// <summary>The jobs held with their answer, oldest first.</summary>
    IReadOnlyList<(QueuedJob Job, string Answer)> Answered();

    /// <summary>Moves parked jobs back to pending: all, or those matching any of the patterns.</summary>
    int Unpark(IReadOnlyCollection<string>? sourceNumberPatterns, DateTimeOffset now);
}
