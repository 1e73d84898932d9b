using MlConnector.Engine.State;
using MlConnector.Engine.Sync;

namespace MlConnector.Engine.Tests.Sync;

/// <summary>One batch a <see cref="ScriptedSender"/> was handed: its jobs, and the answer the test gives for them.</summary>
internal sealed class SentBatch(IReadOnlyList<QueuedJob> jobs, TimeProvider time)
{
    private readonly TaskCompletionSource<IReadOnlyList<JobOutcome>> _answer = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public IReadOnlyList<QueuedJob> Jobs { get; } = jobs;

    public IReadOnlyList<string> JobIds => Jobs.Select(j => j.JobId).ToList();

    public Task<IReadOnlyList<JobOutcome>> Answered => _answer.Task;

    public void Answer(Func<QueuedJob, JobOutcome>? outcome = null)
        => _answer.TrySetResult(Jobs.Select(outcome ?? (job => Created(job, time.GetUtcNow()))).ToList());

    public void Fail(Exception exception) => _answer.TrySetException(exception);

    public static JobOutcome Created(QueuedJob job, DateTimeOffset now) => new(Result(job, SyncAction.Created), new RecordState(job.JobId, job.SourceNumber, "hash-" + job.Payload, null, now));

    public static SyncResult Result(QueuedJob job, SyncAction action, string? reason = null) => new()
    {
        SourceType = job.SourceType, SourceNumber = job.SourceNumber, TargetType = job.TargetType, TargetKey = job.JobId, Action = action, Reason = reason,
        CorrelationId = "drain-test",
    };
}
