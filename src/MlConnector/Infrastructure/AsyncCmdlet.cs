using System.Collections.Concurrent;
using System.Management.Automation;
using MlConnector.Engine;
using MlConnector.Engine.Diagnostics;

namespace MlConnector.Infrastructure;

/// <summary>
/// Runs engine work as a Task while the pipeline thread pumps what that work asks for (output, progress,
/// verbose/debug/warning, ShouldProcess): PowerShell's streams may only be written from the pipeline thread,
/// and blocking on .Result would leave Ctrl+C unanswered. StopProcessing cancels the token handed to the engine.
/// </summary>
public abstract class AsyncCmdlet : PSCmdlet, IDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private BlockingCollection<Action>? _pump;

    /// <summary>The engine's log, routed to this cmdlet's streams through the pump.</summary>
    protected IEngineLog EngineLog => new PumpedEngineLog(this);

    protected CancellationToken StopToken => _stopping.Token;

    /// <summary>
    /// Runs <paramref name="work"/> off the pipeline thread and pumps its queued stream writes until it ends.
    /// An engine exception becomes a terminating error with a stable id; a cancellation caused by Stop is a stop.
    /// What the connection's clients log meanwhile goes to <paramref name="log"/> (default: this cmdlet's streams).
    /// </summary>
    protected void RunPumped(Func<CancellationToken, Task> work, object? target = null, IEngineLog? log = null)
    {
        var pump = new BlockingCollection<Action>();
        _pump = pump;
        var route = log ?? EngineLog;
        var task = Task.Run(async () =>
        {
            using (RoutedEngineLog.Use(route)) await work(_stopping.Token).ConfigureAwait(false);
        }, _stopping.Token);
        task.ContinueWith(_ => pump.CompleteAdding(), TaskScheduler.Default);
        try
        {
            foreach (var action in pump.GetConsumingEnumerable()) action();
        }
        catch
        {
            // A write threw (Ctrl+C, or a downstream Select-Object -First that has what it wanted): cancel the engine
            // work and wait for it to end, so nothing it still uses (the state store, HTTP clients) is disposed under it.
            _stopping.Cancel();
            WaitQuietly(task);
            throw;
        }
        finally
        {
            _pump = null;
        }

        if (task.Exception?.GetBaseException() is { } failure) ThrowFailure(failure, target);
        if (task.IsCanceled && !_stopping.IsCancellationRequested)
            ThrowTerminatingError(ErrorRecords.Canceled(ErrorIdPrefix, target));
    }

    /// <summary>The prefix of this cmdlet's error ids, e.g. "ConnectMlBusinessCentral".</summary>
    protected string ErrorIdPrefix => ErrorRecords.PrefixFor(MyInvocation.MyCommand.Name);

    protected void QueueObject(object item) => Enqueue(() => WriteObject(item));

    protected void QueueError(ErrorRecord record) => Enqueue(() => WriteError(record));

    internal void QueueProgressRecord(ProgressRecord record) => Enqueue(() => WriteProgress(record));

    internal void WriteProgressRecord(ProgressRecord record) => WriteProgress(record);

    internal void QueueVerbose(string message) => Enqueue(() => WriteVerbose(Redactor.Redact(message)));

    internal void QueueDebug(string message) => Enqueue(() => WriteDebug(Redactor.Redact(message)));

    internal void QueueWarning(string message) => Enqueue(() => WriteWarning(Redactor.Redact(message)));

    /// <summary>Asks ShouldProcess on the pipeline thread from engine work.</summary>
    protected Task<bool> ShouldProcessAsync(string target, string action) => OnPipelineAsync(() => ShouldProcess(target, action));

    /// <summary>Runs <paramref name="call"/> on the pipeline thread (e.g. a SecretManagement command) and awaits its result.</summary>
    protected Task<T> OnPipelineAsync<T>(Func<T> call)
    {
        var completion = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        Enqueue(() =>
        {
            try { completion.SetResult(call()); }
            catch (Exception e) { completion.SetException(e); }
        });
        return completion.Task.WaitAsync(_stopping.Token);
    }

    private void Enqueue(Action action)
    {
        var pump = _pump;
        if (pump is null || _stopping.IsCancellationRequested) return;
        try { pump.Add(action); }
        catch (InvalidOperationException)
        {
            // The pump has already closed (work finished or the pipeline stopped): nothing left to write to.
        }
    }

    /// <summary>Waits for work that was told to stop; its outcome (cancelled, or a failure it met while stopping) is observed and dropped.</summary>
    private static void WaitQuietly(Task task)
    {
        try { task.Wait(); }
        catch (AggregateException)
        {
            // Observed: a stopping pipeline reports nothing more, and an unobserved task exception would surface later at random.
        }
    }

    private void ThrowFailure(Exception failure, object? target)
    {
        if (failure is OperationCanceledException && _stopping.IsCancellationRequested) return;
        if (failure is PipelineStoppedException) throw failure;
        ThrowTerminatingError(ErrorRecords.From(failure, ErrorIdPrefix, target));
    }

    protected override void StopProcessing() => _stopping.Cancel();

    public void Dispose()
    {
        _stopping.Dispose();
        GC.SuppressFinalize(this);
    }

    private sealed class PumpedEngineLog(AsyncCmdlet cmdlet) : IEngineLog
    {
        public void Verbose(string message) => cmdlet.QueueVerbose(message);

        public void Debug(string message) => cmdlet.QueueDebug(message);

        public void Warning(string code, string message) => cmdlet.QueueWarning(message);
    }
}
