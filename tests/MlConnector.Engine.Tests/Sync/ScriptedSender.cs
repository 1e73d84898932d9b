using System.Collections.Concurrent;
using System.Threading.Channels;
using MlConnector.Engine.State;
using MlConnector.Engine.Sync;

namespace MlConnector.Engine.Tests.Sync;

/// <summary>
/// A target for <see cref="QueueDrain"/> tests: it records every batch it is given and answers when the test says
/// (<see cref="AnswerAtOnce"/>: as soon as it is sent), each job Created under its job id with a record state.
/// It stands in for the Marketo or BC writer only: the drain, the state store and the audit trail are the real ones.
/// </summary>
internal sealed class ScriptedSender(TimeProvider time, bool answerAtOnce = true)
{
    private readonly Channel<SentBatch> _received = Channel.CreateUnbounded<SentBatch>();
    private readonly ConcurrentQueue<SentBatch> _all = new();

    public bool AnswerAtOnce { get; } = answerAtOnce;

    public IReadOnlyList<SentBatch> Batches => _all.ToList();

    public JobSender Send => (jobs, _) =>
    {
        var batch = new SentBatch(jobs, time);
        _all.Enqueue(batch);
        _received.Writer.TryWrite(batch);
        if (AnswerAtOnce) batch.Answer();
        return batch.Answered;
    };

    /// <summary>The next batch the drain handed over (they are sent on the thread pool, so after Start returns).</summary>
    public async Task<SentBatch> NextAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        return await _received.Reader.ReadAsync(timeout.Token);
    }
}

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
