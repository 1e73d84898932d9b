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
