namespace MlConnector.Engine.Sync;

/// <summary>
/// Keeps write batches going while the run's flow waits for something else (the next chunk read from the other system, a
/// describe): whenever a batch answers, it is settled and new batches are started — on the run's flow itself, so sending
/// overlaps reading and planning while the state store and the audit trail are still used by one flow at a time. The
/// results wait here until the flow hands them on.
/// </summary>
internal sealed class SendPump(QueueDrain drain, Action startBatches)
{
    private List<SyncResult> _results = new();

    /// <summary>Waits for <paramref name="task"/>, settling answered batches and starting new ones meanwhile.</summary>
    public async Task<T> WaitAsync<T>(Task<T> task)
    {
        while (!task.IsCompleted)
        {
            Pump();
            var answered = drain.AnyAnswered();
            if (answered is null) break;
            await Task.WhenAny(task, answered).ConfigureAwait(false);
        }
        Pump();
        return await task.ConfigureAwait(false);
    }

    public async Task WaitAsync(Task task) => await WaitAsync(Then(task)).ConfigureAwait(false);

    /// <summary>Settles what has answered and starts what may start.</summary>
    public void Pump()
    {
        _results.AddRange(drain.SettleAnswered());
        startBatches();
    }

    /// <summary>Sends until no batch is in flight and none may start any more, handing on the results of each batch as it is settled.</summary>
    public async IAsyncEnumerable<SyncResult> FinishAsync()
    {
        Pump();
        foreach (var result in TakeResults()) yield return result;
        while (drain.AnyAnswered() is { } answered)
        {
            await answered.ConfigureAwait(false);
            Pump();
            foreach (var result in TakeResults()) yield return result;
        }
    }

    /// <summary>
    /// Streams <paramref name="flow"/>, whose results include this pump's. When the flow fails, the results this pump
    /// settled and the flow had not handed on yet come first: their records are audited and off the queue, so the caller
    /// must hear of them before the failure.
    /// </summary>
    public async IAsyncEnumerable<SyncResult> HandOnAsync(IAsyncEnumerable<SyncResult> flow)
    {
        var stopped = new CapturedFailure();
        await foreach (var result in stopped.UntilFailure(flow).ConfigureAwait(false)) yield return result;
        if (stopped.Failure is not { } failure) yield break;
        foreach (var result in TakeResults()) yield return result;
        failure.Throw();
    }

    /// <summary>The results settled since the last call.</summary>
    public List<SyncResult> TakeResults()
    {
        var results = _results;
        _results = new List<SyncResult>();
        return results;
    }

    private static async Task<bool> Then(Task task)
    {
        await task.ConfigureAwait(false);
        return true;
    }
}
